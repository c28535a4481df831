// The NaN guard: stops training the moment the loss or a gradient stops being a finite number,
// and says why that probably happened, using the seed's table of common problems
// ("the model goes mad": exploding gradients, a learning rate too large, unnormalised data).
//
// Once one NaN appears it spreads to every parameter within a step or two, and the remaining
// epochs print "Loss: nan" while teaching nothing. Stopping at the first one keeps the evidence.

/// Thrown when training diverges; `description` is a readable diagnosis.
public struct TrainingDiverged: Error, CustomStringConvertible {
    /// The epoch (1-based) and the step within it (1-based) where the problem was seen.
    public let epoch: Int
    public let step: Int
    public let learningRate: Double
    /// The loss of that step (NaN or ±∞ if the loss itself went bad).
    public let loss: Float
    /// The global L2 norm of the gradients, if they had been computed.
    public let gradientNorm: Float?
    /// The first parameter (in registration order) whose value or gradient is not finite, and which.
    public let firstBadParameter: String?
    /// The likely causes, most likely first, each with the evidence seen.
    public let likelyCauses: [String]

    public var description: String {
        var lines = ["Training stopped: the \(loss.isFinite ? "gradient" : "loss") is no longer a finite number."]
        lines.append("  epoch \(epoch), step \(step), learning rate \(learningRate), loss \(loss)")
        lines.append("  gradient norm: \(gradientNorm.map { "\($0)" } ?? "not computed")")
        lines.append("  first parameter that went bad: \(firstBadParameter ?? "none yet (only the loss)")")
        lines.append("Likely causes:")
        lines += likelyCauses.enumerated().map { "  \($0.offset + 1). \($0.element)" }
        return lines.joined(separator: "\n")
    }
}

/// Watches a training loop for NaN and infinity.
///
///     let nanGuard = NaNGuard(model.namedParameters(), clipMaxNorm: 1.0)
///     …
///     loss.backward()
///     let norm = clipGradNorm(model.parameters(), maxNorm: 1.0)
///     try nanGuard.check(loss: loss.item, gradientNorm: norm, epoch: epoch, step: step,
///                        learningRate: optimizer.learningRate, inputs: x)
public struct NaNGuard {
    public let parameters: [(name: String, tensor: Tensor)]
    /// The clipping threshold the loop uses, or `nil` when it does not clip.
    public let clipMaxNorm: Float?

    /// - Parameters:
    ///   - parameters: the named parameters to inspect (e.g. `model.namedParameters()`).
    ///   - clipMaxNorm: the loop's gradient-clipping threshold, `nil` if it does not clip.
    public init(_ parameters: [(name: String, tensor: Tensor)], clipMaxNorm: Float?) {
        self.parameters = parameters
        self.clipMaxNorm = clipMaxNorm
    }

    /// For a bare list of tensors; they are named `parameter 0`, `parameter 1`, ….
    public init(parameters: [Tensor], clipMaxNorm: Float?) {
        self.init(parameters.enumerated().map { ("parameter \($0.offset)", $0.element) }, clipMaxNorm: clipMaxNorm)
    }

    /// Throws `TrainingDiverged` if the loss, a gradient or a parameter is NaN or infinite.
    /// Call it after `backward()` (and clipping); pass the pre-clip norm that `clipGradNorm`
    /// returned, or leave it out to have it computed here.
    ///
    /// - Parameters:
    ///   - inputs: this step's input batch, used only to judge whether the data look unnormalised.
    public func check(loss: Float, gradientNorm: Float? = nil, epoch: Int, step: Int, learningRate: Double,
                      inputs: Tensor? = nil) throws {
        let grads = parameters.compactMap(\.tensor.grad)
        let norm = gradientNorm ?? (grads.isEmpty ? nil : globalGradNorm(grads))
        let badParameter = firstNonFiniteParameter()
        guard !loss.isFinite || !(norm?.isFinite ?? true) || badParameter != nil else { return }
        throw TrainingDiverged(epoch: epoch, step: step, learningRate: learningRate, loss: loss,
                               gradientNorm: norm, firstBadParameter: badParameter,
                               likelyCauses: likelyCauses(learningRate: learningRate, inputs: inputs))
    }

    /// The first parameter whose value, or else whose gradient, holds a NaN or infinity.
    func firstNonFiniteParameter() -> String? {
        func hasNonFinite(_ t: Tensor) -> Bool { t.scalars.contains { !$0.isFinite } }
        if let p = parameters.first(where: { hasNonFinite($0.tensor) }) { return "\(p.name) (its value)" }
        if let p = parameters.first(where: { $0.tensor.grad.map(hasNonFinite) ?? false }) {
            return "\(p.name) (its gradient)"
        }
        return nil
    }

    /// The seed's three usual suspects, those with evidence against them first.
    func likelyCauses(learningRate: Double, inputs: Tensor?) -> [String] {
        var suspected: [String] = [], others: [String] = []
        let lrCause = "Learning rate too large (\(learningRate)): each step overshoots and the loss grows "
            + "until it overflows. Try 10x smaller (AdamW usually trains Transformers at 1e-4 to 1e-3)."
        (learningRate >= 1e-2 ? { suspected.append(lrCause) } : { others.append(lrCause) })()

        if let clipMaxNorm {
            others.append("Gradient clipping is on (max norm \(clipMaxNorm)), so a single huge gradient is "
                          + "unlikely; a lower threshold can still help.")
        } else {
            suspected.append("No gradient clipping: one exploding gradient can throw the weights to infinity. "
                             + "Call clipGradNorm(parameters, maxNorm: 1.0) between backward() and step().")
        }

        let dataCause = "Unnormalised data: inputs with large values or spreads give large activations and "
            + "gradients. Standardise them with StandardScaler fitted on the training split."
        if let inputs, let stats = finiteMeanAndStd(inputs.scalars) {
            let evidence = " (this batch: mean \(stats.mean), std \(stats.std))"
            if Swift.abs(stats.mean) > 10 || stats.std > 10 { suspected.append(dataCause + evidence) }
            else { others.append(dataCause + evidence) }
        } else if let inputs, inputs.scalars.contains(where: { !$0.isFinite }) {
            suspected.append("The input batch itself contains NaN or infinity: clean the data (findMissing, imputeMissing).")
        } else {
            others.append(dataCause)
        }
        return suspected + others
    }

    /// Mean and population std of the values, or `nil` if any is not finite.
    func finiteMeanAndStd(_ values: [Float]) -> (mean: Float, std: Float)? {
        guard !values.isEmpty, values.allSatisfy(\.isFinite) else { return nil }
        let n = Double(values.count)
        let mean = values.reduce(0.0) { $0 + Double($1) } / n
        let variance = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
        return (Float(mean), Float(variance.squareRoot()))
    }
}
