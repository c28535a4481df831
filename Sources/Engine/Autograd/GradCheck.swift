/// How far autograd's gradient is from the finite-difference estimate, for one input.
public struct GradCheckResult: Sendable, CustomStringConvertible {
    /// Which input (its position in the `inputs` array).
    public let input: Int
    /// The largest |autograd - numeric| over the input's elements.
    public let maxAbsoluteError: Float
    /// The largest |autograd - numeric| / max(|autograd|, |numeric|, 1e-3) over the input's elements.
    public let maxRelativeError: Float
    /// Whether both errors are within the tolerances passed to `gradCheck`.
    public let passed: Bool

    public var description: String {
        let verdict = passed ? "ok" : "MISMATCH"
        return "input \(input): max abs error \(maxAbsoluteError), max rel error \(maxRelativeError) — \(verdict)"
    }
}

/// Checks autograd against central finite differences, the way to prove a backward pass right.
///
/// For each element xᵢ of each input, the slope of a scalar L is estimated numerically as
///
///     dL/dxᵢ ≈ (L(xᵢ + ε) - L(xᵢ - ε)) / 2ε
///
/// and compared with what `backward()` computed. A non-scalar output is first turned into a scalar
/// with fixed weights, `L = Σⱼ out[j] · cos(0.23·j + 0.07)`, so every output element matters with a
/// different weight. Float32 has about 7 digits, so ε around 1e-3 and errors near 1e-3 are normal;
/// a wrong backward shows errors of order 1.
///
/// - Parameters:
///   - inputs: the tensors to differentiate with respect to (their values are perturbed temporarily).
///   - epsilon: the step ε.
///   - absoluteTolerance, relativeTolerance: an element passes when either error is within its tolerance.
///   - function: computes the output from the inputs.
/// - Returns: one result per input.
public func gradCheck(_ inputs: [Tensor], epsilon: Float = 1e-3,
                      absoluteTolerance: Float = 1e-2, relativeTolerance: Float = 1e-2,
                      _ function: ([Tensor]) -> Tensor) -> [GradCheckResult] {
    func scalarLoss(_ out: Tensor) -> Tensor {
        let weights = Tensor((0..<out.count).map { _cos(0.23 * Float($0) + 0.07) }, shape: out.shape)
        return (out * weights).sum()
    }
    // Autograd's answer.
    let saved = inputs.map { ($0.requiresGrad, $0.grad) }
    for x in inputs { x.requiresGrad = true; x.grad = nil }
    scalarLoss(function(inputs)).backward()
    let analytic = inputs.map { $0.grad?.scalars ?? [Float](repeating: 0, count: $0.count) }

    // The numeric answer, one element at a time (in Double to keep the difference accurate).
    var results: [GradCheckResult] = []
    withNoGrad {
        for (index, x) in inputs.enumerated() {
            var maxAbs: Float = 0, maxRel: Float = 0
            var passed = true
            for i in 0..<x.count {
                let original = x.scalars[i]
                x.scalars[i] = original + epsilon
                let plus = Double(scalarLoss(function(inputs)).item)
                x.scalars[i] = original - epsilon
                let minus = Double(scalarLoss(function(inputs)).item)
                x.scalars[i] = original
                let numeric = Float((plus - minus) / (2 * Double(epsilon)))
                let absError = Swift.abs(analytic[index][i] - numeric)
                let relError = absError / Swift.max(Swift.abs(analytic[index][i]), Swift.abs(numeric), 1e-3)
                maxAbs = Swift.max(maxAbs, absError)
                maxRel = Swift.max(maxRel, relError)
                if absError > absoluteTolerance && relError > relativeTolerance { passed = false }
            }
            results.append(GradCheckResult(input: index, maxAbsoluteError: maxAbs,
                                           maxRelativeError: maxRel, passed: passed))
        }
    }
    for (x, (requires, grad)) in zip(inputs, saved) { x.requiresGrad = requires; x.grad = grad }
    return results
}
