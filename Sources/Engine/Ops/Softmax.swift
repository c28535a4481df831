// Softmax and log-softmax along one dimension, written out (forward and backward) because they sit
// inside every attention layer. Viewed as [outer, n, inner]: n entries along `dim`, `inner` apart.
// The loops are in Kernels/SoftmaxKernels.swift.

extension Tensor {
    /// softmax(x)ᵢ = e^(xᵢ - m) / Σⱼ e^(xⱼ - m), m = maxⱼ xⱼ. Subtracting the maximum changes nothing
    /// mathematically but keeps e^(…) ≤ 1, so large inputs cannot overflow (numerically stable).
    ///
    /// Backward, with y = softmax(x): dxᵢ = yᵢ (dyᵢ - Σⱼ dyⱼ yⱼ).
    public func softmax(dim: Int = -1) -> Tensor {
        let (outer, n, inner) = splitAround(dim, op: "softmax")
        let y = softmaxValues(scalars, outer: outer, n: n, inner: inner, log: false)
        return Tensor.result(y, shape: shape, op: "SoftmaxBackward", inputs: [self]) { g in
            [softmaxBackwardValues(g, y, outer: outer, n: n, inner: inner)]
        }
    }

    /// log softmax(x)ᵢ = xᵢ - m - log Σⱼ e^(xⱼ - m) (stable: never takes the log of a softmax
    /// rounded to 0).
    ///
    /// Backward, with y = log softmax(x): dxᵢ = dyᵢ - e^(yᵢ) Σⱼ dyⱼ.
    public func logSoftmax(dim: Int = -1) -> Tensor {
        let (outer, n, inner) = splitAround(dim, op: "logSoftmax")
        let y = softmaxValues(scalars, outer: outer, n: n, inner: inner, log: true)
        return Tensor.result(y, shape: shape, op: "LogSoftmaxBackward", inputs: [self]) { g in
            [logSoftmaxBackwardValues(g, y, outer: outer, n: n, inner: inner)]
        }
    }

    /// Sizes before, along and after `dim`.
    func splitAround(_ dim: Int, op: String) -> (outer: Int, n: Int, inner: Int) {
        let d = normalizedDim(dim, op: op)
        return (shape[..<d].reduce(1, *), shape[d], shape[(d + 1)...].reduce(1, *))
    }
}
