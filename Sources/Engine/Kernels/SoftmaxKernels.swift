// The loops of softmax and log-softmax (Ops/Softmax.swift, also attention and cross-entropy).
// Each row is `n` values spaced `inner` apart, in `x` viewed as `[outer, n, inner]`.

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

/// Softmax's backward, from its output y: dxᵢ = yᵢ (dyᵢ - Σⱼ dyⱼ yⱼ), row by row.
func softmaxBackwardValues(_ g: [Float], _ y: [Float], outer: Int, n: Int, inner: Int) -> [Float] {
    [Float](unsafeUninitializedCapacity: g.count) { dx, count in
        g.withUnsafeBufferPointer { g in
            y.withUnsafeBufferPointer { y in
                forEachRow(outer: outer, n: n, inner: inner) { base in
                    var dot: Float = 0                              // Σⱼ dyⱼ yⱼ
                    for j in 0..<n { dot += g[base + j * inner] * y[base + j * inner] }
                    for j in 0..<n {
                        dx[base + j * inner] = y[base + j * inner] * (g[base + j * inner] - dot)
                    }
                }
            }
        }
        count = g.count
    }
}

/// Log-softmax's backward, from its output y: dxᵢ = dyᵢ - e^(yᵢ) Σⱼ dyⱼ, row by row.
func logSoftmaxBackwardValues(_ g: [Float], _ y: [Float], outer: Int, n: Int, inner: Int) -> [Float] {
    [Float](unsafeUninitializedCapacity: g.count) { dx, count in
        g.withUnsafeBufferPointer { g in
            y.withUnsafeBufferPointer { y in
                forEachRow(outer: outer, n: n, inner: inner) { base in
                    var total: Float = 0                            // Σⱼ dyⱼ
                    for j in 0..<n { total += g[base + j * inner] }
                    for j in 0..<n {
                        dx[base + j * inner] = g[base + j * inner] - _exp(y[base + j * inner]) * total
                    }
                }
            }
        }
        count = g.count
    }
}
