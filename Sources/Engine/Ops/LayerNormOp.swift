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
        var xHat = [Float](repeating: 0, count: x.count)
        var rstd = [Float](repeating: 0, count: rows)
        var y = [Float](repeating: 0, count: x.count)
        let w = weight?.scalars, b = bias?.scalars
        x.scalars.withUnsafeBufferPointer { x in
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
                    let h = (x[row + j] - mean) * s
                    xHat[row + j] = h
                    y[row + j] = h * (w?[j] ?? 1) + (b?[j] ?? 0)
                }
            }
        }
        var inputs = [x]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        let needX = x.requiresGrad
        return result(y, shape: x.shape, op: "NativeLayerNormBackward", inputs: inputs) { g in
            var dx: [Float]? = nil
            if needX {
                var d = [Float](repeating: 0, count: g.count)
                g.withUnsafeBufferPointer { g in
                    xHat.withUnsafeBufferPointer { xHat in
                        for r in 0..<rows {
                            let row = r * n
                            var meanDxHat: Float = 0, meanDxHatXHat: Float = 0
                            for j in 0..<n {
                                let dxHat = g[row + j] * (w?[j] ?? 1)
                                meanDxHat += dxHat
                                meanDxHatXHat += dxHat * xHat[row + j]
                            }
                            meanDxHat /= Float(n)
                            meanDxHatXHat /= Float(n)
                            for j in 0..<n {
                                let dxHat = g[row + j] * (w?[j] ?? 1)
                                d[row + j] = rstd[r] * (dxHat - meanDxHat - xHat[row + j] * meanDxHatXHat)
                            }
                        }
                    }
                }
                dx = d
            }
            var grads: [[Float]?] = [dx]
            if w != nil {
                var dw = [Float](repeating: 0, count: n)
                for r in 0..<rows { for j in 0..<n { dw[j] += g[r * n + j] * xHat[r * n + j] } }
                grads.append(dw)
            }
            if b != nil {
                var db = [Float](repeating: 0, count: n)
                for r in 0..<rows { for j in 0..<n { db[j] += g[r * n + j] } }
                grads.append(db)
            }
            return grads
        }
    }

    /// Layer norm over the last dimension (see `layerNorm(_:normalizedCount:weight:bias:eps:)`).
    // x: [..., D] -> [..., D]
    public func layerNorm(weight: Tensor?, bias: Tensor?, eps: Float = 1e-5) -> Tensor {
        Tensor.layerNorm(self, normalizedCount: shape.last ?? 1, weight: weight, bias: bias, eps: eps)
    }
}
