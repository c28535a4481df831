// Gradient clipping: the seed's fix for exploding gradients. One bad batch can produce a huge
// gradient that throws the parameters far away; clipping caps how far a single step can go.

/// Rescales all gradients together so that their global norm is at most `maxNorm`
/// (`torch.nn.utils.clip_grad_norm_`), and returns the norm they had before clipping.
///
///     total = ‖ (‖g₀‖, ‖g₁‖, …) ‖          the norm of the per-tensor norms
///     c = maxNorm / (total + 1e-6)
///     g = g · min(c, 1)                   every gradient, same factor: the direction is kept
///
/// With `normType: .infinity` the norm is the largest |gᵢ| over all gradients. Parameters without a
/// gradient are ignored. A NaN or infinite norm propagates into the gradients, as in PyTorch; the
/// NaN guard (`NaNGuard`) is the place that stops training with a diagnosis.
///
/// - Parameters:
///   - parameters: the tensors whose `.grad` to clip, e.g. `model.parameters()`.
///   - maxNorm: the largest allowed global norm.
///   - normType: 2 (Euclidean, the default) or `.infinity`.
/// - Returns: the global norm before clipping (print it: a spike is the first sign of trouble).
@discardableResult
public func clipGradNorm(_ parameters: [Tensor], maxNorm: Float, normType: Float = 2) -> Float {
    precondition(normType == 2 || normType == .infinity, "clipGradNorm: normType must be 2 or .infinity")
    let grads = parameters.compactMap(\.grad)
    guard !grads.isEmpty else { return 0 }
    let total = globalGradNorm(grads, normType: normType)
    let clipCoefficient = maxNorm / (total + 1e-6)
    // PyTorch multiplies by the clamped factor even when it is 1, which changes nothing.
    let factor = Swift.min(clipCoefficient, 1)
    guard factor < 1 || factor.isNaN else { return total }
    withNoGrad {
        for g in grads {
            g.scalars.withUnsafeMutableBufferPointer { g in
                for i in 0..<g.count { g[i] = g[i] * factor }
            }
        }
    }
    return total
}

/// The global gradient norm without clipping: `‖(‖g₀‖, ‖g₁‖, …)‖` for `normType` 2 or `.infinity`.
/// Each tensor's sum of squares is accumulated in Double, then its norm rounded to Float, so the
/// result is the correctly rounded float32 norm whatever the order of the elements.
public func globalGradNorm(_ grads: [Tensor], normType: Float = 2) -> Float {
    if normType == .infinity {
        var largest: Float = 0
        for g in grads {
            g.scalars.withUnsafeBufferPointer { g in
                for x in g where Swift.abs(x) > largest || x.isNaN { largest = x.isNaN ? .nan : Swift.abs(x) }
            }
            if largest.isNaN { return .nan }
        }
        return largest
    }
    var sumOfSquaredNorms: Float = 0
    for g in grads {
        var squares: Double = 0
        g.scalars.withUnsafeBufferPointer { g in
            for x in g { squares += Double(x) * Double(x) }
        }
        let norm = Float(squares.squareRoot())
        sumOfSquaredNorms += norm * norm
    }
    return sumOfSquaredNorms.squareRoot()
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
            g.scalars.withUnsafeMutableBufferPointer { g in
                for i in 0..<g.count { g[i] = Swift.min(Swift.max(g[i], -clipValue), clipValue) }
            }
        }
    }
}
