// Layer normalisation, fused: forward and backward written out, because it runs twice in every
// transformer layer and the composite form (mean, subtract, square, mean, sqrt, divide, scale,
// shift) would record eight graph nodes and keep eight arrays alive for each call.
//
// Dimension letters: R rows (every leading dimension together), N the normalised size.

extension Tensor {
    /// Normalises each row of the last `normalizedCount` elements to mean 0 and variance 1, then
    /// scales and shifts it (`torch.nn.functional.layer_norm`):
    ///
    ///     μ = mean(x)      σ² = mean((x - μ)²)   (biased: divide by N, as PyTorch)
    ///     x̂ = (x - μ) · rstd,   rstd = 1 / √(σ² + eps)
    ///     y = x̂ · weight + bias
    ///
    /// Backward, per row (with dx̂ = dy · weight):
    ///
    ///     dx = rstd · (dx̂ - mean(dx̂) - x̂ · mean(dx̂ · x̂))
    ///     dweight = Σ_rows dy · x̂      dbias = Σ_rows dy
    ///
    /// - Parameters:
    ///   - normalizedCount: N, the number of trailing elements normalised together (the product of
    ///     PyTorch's `normalized_shape`).
    ///   - weight, bias: `[N]`-element affine parameters, or `nil` (`elementwise_affine=False`).
    ///   - eps: added to the variance so that a constant row does not divide by zero.
    // x: [..., N] -> [..., N]
    public static func layerNorm(_ x: Tensor, normalizedCount n: Int, weight: Tensor?, bias: Tensor?,
                                 eps: Float = 1e-5) -> Tensor {
        precondition(n > 0 && x.count % n == 0,
                     "layerNorm: input \(x.shape) cannot be split into rows of \(n) elements")
        if let weight { precondition(weight.count == n, "layerNorm: weight \(weight.shape) has not \(n) elements") }
        if let bias { precondition(bias.count == n, "layerNorm: bias \(bias.shape) has not \(n) elements") }
        let rows = x.count / n
        // Without affine parameters, w = 1 and b = 0: the same arithmetic, no branch in the loops.
        let w = weight?.scalars ?? [Float](repeating: 1, count: n)
        let b = bias?.scalars ?? [Float](repeating: 0, count: n)
        var xHat = [Float](repeating: 0, count: x.count)
        var rstd = [Float](repeating: 0, count: rows)
        var y = [Float](repeating: 0, count: x.count)
        // Raw pointers to x, w, b, x̂ and y for the loops (one closure each, closed together below).
        x.scalars.withUnsafeBufferPointer { x in
        w.withUnsafeBufferPointer { w in
        b.withUnsafeBufferPointer { b in
        xHat.withUnsafeMutableBufferPointer { xHat in
        y.withUnsafeMutableBufferPointer { y in
            for r in 0..<rows {
                let row = r * n
                var sum: Float = 0
                for j in 0..<n { sum += x[row + j] }
                let mean = sum / Float(n)
                var squares: Float = 0                        // two passes: no cancellation
                for j in 0..<n { let d = x[row + j] - mean; squares += d * d }
                let variance = squares / Float(n)
                let s = 1 / (variance + eps).squareRoot()
                rstd[r] = s
                for j in 0..<n {
                    let h = (x[row + j] - mean) * s           // x̂ = (x - μ) / √(σ² + ε)
                    xHat[row + j] = h
                    y[row + j] = h * w[j] + b[j]              // y = x̂·w + b
                }
            }
        }}}}}
        var inputs = [x]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        let needX = x.requiresGrad, hasWeight = weight != nil, hasBias = bias != nil
        return result(y, shape: x.shape, op: "NativeLayerNormBackward", inputs: inputs) { g in
            var grads: [[Float]?] = []
            var dx: [Float]? = nil
            var dw = [Float](repeating: 0, count: n), db = [Float](repeating: 0, count: n)
            // Raw pointers to g, x̂ and w for the loops (closed together at the end).
            g.withUnsafeBufferPointer { g in
            xHat.withUnsafeBufferPointer { xHat in
            w.withUnsafeBufferPointer { w in
                if needX {
                    // dx = rstd · (dx̂ - mean(dx̂) - x̂ · mean(dx̂ · x̂)),  dx̂ = g · w
                    var d = [Float](repeating: 0, count: g.count)
                    d.withUnsafeMutableBufferPointer { d in
                        for r in 0..<rows {
                            let row = r * n
                            var meanDxHat: Float = 0, meanDxHatXHat: Float = 0
                            for j in 0..<n {
                                let dxHat = g[row + j] * w[j]
                                meanDxHat += dxHat
                                meanDxHatXHat += dxHat * xHat[row + j]
                            }
                            meanDxHat /= Float(n)
                            meanDxHatXHat /= Float(n)
                            for j in 0..<n {
                                let dxHat = g[row + j] * w[j]
                                d[row + j] = rstd[r] * (dxHat - meanDxHat - xHat[row + j] * meanDxHatXHat)
                            }
                        }
                    }
                    dx = d
                }
                // dw = Σ_rows g · x̂,  db = Σ_rows g
                dw.withUnsafeMutableBufferPointer { dw in
                db.withUnsafeMutableBufferPointer { db in
                    for r in 0..<rows {
                        for j in 0..<n {
                            dw[j] += g[r * n + j] * xHat[r * n + j]
                            db[j] += g[r * n + j]
                        }
                    }
                }}
            }}}
            grads.append(dx)
            if hasWeight { grads.append(dw) }
            if hasBias { grads.append(db) }
            return grads
        }
    }

    /// Layer norm over the last dimension (see `layerNorm(_:normalizedCount:weight:bias:eps:)`).
    // x: [..., D] -> [..., D]
    public func layerNorm(weight: Tensor?, bias: Tensor?, eps: Float = 1e-5) -> Tensor {
        Tensor.layerNorm(self, normalizedCount: shape.last ?? 1, weight: weight, bias: bias, eps: eps)
    }
}
