// Layer normalisation, fused: forward and backward written out, because it runs twice in every
// transformer layer and the composite form (mean, subtract, square, mean, sqrt, divide, scale,
// shift) would record eight graph nodes and keep eight arrays alive for each call.
//
// Dimension letters: R rows (every leading dimension together), L the normalised length.
// The loops are in Kernels/LayerNormKernels.swift.

extension Tensor {
    /// Normalises each row of the last `normalizedCount` elements to mean 0 and variance 1, then
    /// scales and shifts it (`torch.nn.functional.layer_norm`):
    ///
    ///     μ = mean(x)      σ² = mean((x - μ)²)   (biased: divide by L, as PyTorch)
    ///     x̂ = (x - μ) · rstd,   rstd = 1 / √(σ² + eps)
    ///     y = x̂ · weight + bias
    ///
    /// Backward, per row (with dx̂ = dy · weight):
    ///
    ///     dx = rstd · (dx̂ - mean(dx̂) - x̂ · mean(dx̂ · x̂))
    ///     dweight = Σ_rows dy · x̂      dbias = Σ_rows dy
    ///
    /// - Parameters:
    ///   - normalizedCount: L, the number of trailing elements normalised together (the product of
    ///     PyTorch's `normalized_shape`).
    ///   - weight, bias: `[L]`-element affine parameters, or `nil` (`elementwise_affine=False`).
    ///   - eps: added to the variance so that a constant row does not divide by zero.
    // x: [R, L] -> [R, L]  (R: every leading dimension together)
    public static func layerNorm(_ x: Tensor, normalizedCount l: Int, weight: Tensor?, bias: Tensor?,
                                 eps: Float = 1e-5) -> Tensor {
        precondition(l > 0 && x.count % l == 0,
                     "layerNorm: input \(x.shape) cannot be split into rows of \(l) elements")
        if let weight { precondition(weight.count == l, "layerNorm: weight \(weight.shape) has not \(l) elements") }
        if let bias { precondition(bias.count == l, "layerNorm: bias \(bias.shape) has not \(l) elements") }
        let rows = x.count / l
        // Without affine parameters, w = 1 and b = 0: the same arithmetic, no branch in the loops.
        let w = weight?.scalars ?? [Float](repeating: 1, count: l)
        let b = bias?.scalars ?? [Float](repeating: 0, count: l)
        let (y, xHat, rstd) = layerNormForward(x.scalars, w, b, rows: rows, length: l, eps: eps)
        var inputs = [x]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        let needX = x.requiresGrad, hasWeight = weight != nil, hasBias = bias != nil
        return result(y, shape: x.shape, op: "NativeLayerNormBackward", inputs: inputs) { g in
            let (dx, dw, db) = layerNormBackward(g, xHat: xHat, w: w, rstd: rstd, rows: rows, length: l,
                                                 needX: needX)
            var grads: [[Float]?] = []
            grads.append(dx)
            if hasWeight { grads.append(dw) }
            if hasBias { grads.append(db) }
            return grads
        }
    }

    /// Layer norm over the last dimension (see `layerNorm(_:normalizedCount:weight:bias:eps:)`).
    // x: [..., D] -> [..., D]  (L = D)
    public func layerNorm(weight: Tensor?, bias: Tensor?, eps: Float = 1e-5) -> Tensor {
        Tensor.layerNorm(self, normalizedCount: shape.last ?? 1, weight: weight, bias: bias, eps: eps)
    }
}
