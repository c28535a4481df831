// Softmax and log-softmax along one dimension, written out (forward and backward) because they sit
// inside every attention layer. Viewed as [outer, n, inner]: n entries along `dim`, `inner` apart.

extension Tensor {
    /// softmax(x)ᵢ = e^(xᵢ - m) / Σⱼ e^(xⱼ - m), m = maxⱼ xⱼ. Subtracting the maximum changes nothing
    /// mathematically but keeps e^(…) ≤ 1, so large inputs cannot overflow (numerically stable).
    ///
    /// Backward, with y = softmax(x): dxᵢ = yᵢ (dyᵢ - Σⱼ dyⱼ yⱼ).
    public func softmax(dim: Int = -1) -> Tensor {
        let (outer, n, inner) = splitAround(dim, op: "softmax")
        let y = softmaxValues(scalars, outer: outer, n: n, inner: inner, log: false)
        return Tensor.result(y, shape: shape, op: "SoftmaxBackward", inputs: [self]) { g in
            [[Float](unsafeUninitializedCapacity: g.count) { dx, count in
                g.withUnsafeBufferPointer { g in
                    y.withUnsafeBufferPointer { y in
                        forEachRow(outer: outer, n: n, inner: inner) { base in
                            var dot: Float = 0                              // Σⱼ dyⱼ yⱼ
                            for j in 0..<n { dot += g[base + j * inner] * y[base + j * inner] }
                            for j in 0..<n { dx[base + j * inner] = y[base + j * inner] * (g[base + j * inner] - dot) }
                        }
                    }
                }
                count = g.count
            }]
        }
    }

    /// log softmax(x)ᵢ = xᵢ - m - log Σⱼ e^(xⱼ - m) (stable: never takes the log of a rounded-to-0 softmax).
    ///
    /// Backward, with y = log softmax(x): dxᵢ = dyᵢ - e^(yᵢ) Σⱼ dyⱼ.
    public func logSoftmax(dim: Int = -1) -> Tensor {
        let (outer, n, inner) = splitAround(dim, op: "logSoftmax")
        let y = softmaxValues(scalars, outer: outer, n: n, inner: inner, log: true)
        return Tensor.result(y, shape: shape, op: "LogSoftmaxBackward", inputs: [self]) { g in
            [[Float](unsafeUninitializedCapacity: g.count) { dx, count in
                g.withUnsafeBufferPointer { g in
                    y.withUnsafeBufferPointer { y in
                        forEachRow(outer: outer, n: n, inner: inner) { base in
                            var total: Float = 0                            // Σⱼ dyⱼ
                            for j in 0..<n { total += g[base + j * inner] }
                            for j in 0..<n { dx[base + j * inner] = g[base + j * inner] - _exp(y[base + j * inner]) * total }
                        }
                    }
                }
                count = g.count
            }]
        }
    }

    /// Sizes before, along and after `dim`.
    func splitAround(_ dim: Int, op: String) -> (outer: Int, n: Int, inner: Int) {
        let d = normalizedDim(dim, op: op)
        return (shape[..<d].reduce(1, *), shape[d], shape[(d + 1)...].reduce(1, *))
    }
}

/// Calls `body(start)` for the start of every 1-D row along the reduced dimension.
@inline(__always)
func forEachRow(outer: Int, n: Int, inner: Int, _ body: (Int) -> Void) {
    for o in 0..<outer { for i in 0..<inner { body(o * n * inner + i) } }
}

/// Softmax (or log-softmax) of each row of `n` values spaced `inner` apart.
func softmaxValues(_ x: [Float], outer: Int, n: Int, inner: Int, log: Bool) -> [Float] {
    var y = [Float](repeating: 0, count: x.count)
    x.withUnsafeBufferPointer { x in
        y.withUnsafeMutableBufferPointer { y in
            forEachRow(outer: outer, n: n, inner: inner) { base in
                var m = -Float.infinity
                for j in 0..<n { m = Swift.max(m, x[base + j * inner]) }
                if m == -.infinity { m = 0 }                 // a fully masked row: avoid -inf - -inf
                var sum: Float = 0
                for j in 0..<n {
                    let e = _exp(x[base + j * inner] - m)
                    y[base + j * inner] = e
                    sum += e
                }
                if log {
                    let logSum = _log(sum)
                    for j in 0..<n { y[base + j * inner] = x[base + j * inner] - m - logSum }
                } else {
                    let inv = 1 / sum
                    for j in 0..<n { y[base + j * inner] *= inv }
                }
            }
        }
    }
    return y
}
