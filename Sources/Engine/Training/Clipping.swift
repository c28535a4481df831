import Foundation

// Gradient clipping: the seed's fix for exploding gradients. One bad batch can produce a huge
// gradient that throws the parameters far away; clipping caps how far a single step can go.

/// Rescales all gradients together so that their global norm is at most `maxNorm`
/// (`torch.nn.utils.clip_grad_norm_`), and returns the norm they had before clipping.
///
///     total = ‖ (‖g₀‖, ‖g₁‖, …) ‖          the norm of the per-tensor norms
///     c = maxNorm / (total + 1e-6)
///     g = g · min(c, 1)                   every gradient, same factor: the direction is kept
///
/// `normType` is p of the p-norm ‖g‖ₚ = (Σ |gᵢ|ᵖ)^(1/p), PyTorch's `norm_type`: 2 (Euclidean, the
/// default), 1 (sum of magnitudes), any other p, or `.infinity` (the largest |gᵢ|). As
/// `torch.linalg.vector_norm` also `-.infinity` (the smallest |gᵢ|) and 0 (how many gᵢ are not 0).
/// Parameters without a gradient are ignored. A NaN or infinite norm propagates into the gradients, as in PyTorch; the
/// NaN guard (`NaNGuard`) is the place that stops training with a diagnosis.
///
/// - Parameters:
///   - parameters: the tensors whose `.grad` to clip, e.g. `model.parameters()`.
///   - maxNorm: the largest allowed global norm.
///   - normType: p: 2 (the default), 1, any p, or `.infinity`.
/// - Returns: the global norm before clipping (print it: a spike is the first sign of trouble).
@discardableResult
public func clipGradNorm(_ parameters: [Tensor], maxNorm: Float, normType: Float = 2) -> Float {
    precondition(!normType.isNaN, "clipGradNorm: normType is NaN")
    let grads = parameters.compactMap(\.grad)
    guard !grads.isEmpty else { return 0 }
    let total = globalGradNorm(grads, normType: normType)
    let clipCoefficient = maxNorm / (total + 1e-6)
    // PyTorch multiplies by the clamped factor even when it is 1, which changes nothing.
    let factor = Swift.min(clipCoefficient, 1)
    guard factor < 1 || factor.isNaN else { return total }
    withNoGrad {
        for g in grads { scaleInPlace(&g.scalars, by: factor) }
    }
    return total
}

/// `clipGradNorm` with PyTorch's `error_if_nonfinite=True`: throws, leaving the gradients as they
/// were, when the total norm is NaN or infinite (with `false` it is the function above).
@discardableResult
public func clipGradNorm(_ parameters: [Tensor], maxNorm: Float, normType: Float = 2,
                         errorIfNonfinite: Bool) throws -> Float {
    if errorIfNonfinite {
        let total = gradNorm(parameters, normType: normType)
        guard total.isFinite else { throw GradNormError.nonfinite(total: total, normType: normType) }
    }
    return clipGradNorm(parameters, maxNorm: maxNorm, normType: normType)
}

/// Why `clipGradNorm(_:maxNorm:normType:errorIfNonfinite:)` refused to clip.
public enum GradNormError: Error, CustomStringConvertible {
    case nonfinite(total: Float, normType: Float)

    public var description: String {
        switch self {
        case .nonfinite(let total, let p):
            return "clipGradNorm: the total norm of order \(p) of the gradients is \(total) "
                + "(errorIfNonfinite: true)"
        }
    }
}

/// The global gradient norm without clipping: `‖(‖g₀‖, ‖g₁‖, …)‖ₚ` for `normType` p.
/// For p = 2 each tensor's sum of squares is accumulated in Double, then its norm rounded to Float,
/// so the result is the correctly rounded float32 norm whatever the order of the elements; other p
/// keep every sum in Double and round the total once.
public func globalGradNorm(_ grads: [Tensor], normType: Float = 2) -> Float {
    if normType != 2 && normType != .infinity { return pNorm(grads, p: Double(normType)) }
    if normType == .infinity {
        var largest: Float = 0
        for g in grads {
            largest = largestMagnitude(g.scalars, startingFrom: largest)
            if largest.isNaN { return .nan }
        }
        return largest
    }
    var sumOfSquaredNorms: Float = 0
    for g in grads {
        let squares = sumOfSquaresInDouble(g.scalars)
        let norm = Float(squares.squareRoot())
        sumOfSquaredNorms += norm * norm
    }
    return sumOfSquaredNorms.squareRoot()
}

/// ‖(‖g₀‖ₚ, ‖g₁‖ₚ, …)‖ₚ for a p other than 2 and +∞, in Double (`torch.linalg.vector_norm`'s
/// orders): -∞ the smallest magnitude, 0 the count of non-zeros, else (Σ |x|ᵖ)^(1/p).
func pNorm(_ grads: [Tensor], p: Double) -> Float {
    func norm(_ values: [Double]) -> Double {
        if p == -.infinity { return values.reduce(Double.infinity) { $1.isNaN || $1 < $0 ? $1 : $0 } }
        if p == 0 { return values.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }
        let sum = values.reduce(0) { $0 + Foundation.pow($1, p) }
        return Foundation.pow(sum, 1 / p)
    }
    let norms = grads.map { g in norm(g.scalars.map { Swift.abs(Double($0)) }) }
    return Float(norm(norms))
}

/// The global gradient norm of `parameters`' gradients (those that have one).
public func gradNorm(_ parameters: [Tensor], normType: Float = 2) -> Float {
    globalGradNorm(parameters.compactMap(\.grad), normType: normType)
}

/// Clamps every gradient element to `[-clipValue, clipValue]` (`torch.nn.utils.clip_grad_value_`).
/// Cruder than clipping the norm: it changes the gradient's direction, not just its length.
public func clipGradValue(_ parameters: [Tensor], clipValue: Float) {
    precondition(clipValue >= 0, "clipGradValue: clipValue must not be negative")
    withNoGrad {
        for p in parameters {
            guard let g = p.grad else { continue }
            clampInPlace(&g.scalars, limit: clipValue)
        }
    }
}
