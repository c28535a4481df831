// The NaN guard: stops training the moment the loss or a gradient stops being a finite number,
// and gathers the evidence for the seed's table of common problems ("the model goes mad":
// exploding gradients, a learning rate too large, unnormalised data). It returns facts and
// numbers; the words a student reads live with the lessons (LessonKit's `divergenceReport`).
//
// Once one NaN appears it spreads to every parameter within a step or two, and the remaining
// epochs print "Loss: nan" while teaching nothing. Stopping at the first one keeps the evidence.

/// One of the seed's usual suspects when training diverges ("the model goes mad"), with the
/// numbers that speak for or against it. The guard states the facts; a lesson words them
/// (LessonKit's `divergenceReport` does, in English and Chinese).
public enum DivergenceCause: Sendable, Equatable {
    /// The learning rate: a step that overshoots makes the loss grow until it overflows.
    case learningRate(Double)
    /// No gradient clipping: one exploding gradient can throw the weights to infinity.
    case noClipping
    /// Clipping is on at this max norm, so a single huge gradient is unlikely.
    case clipping(maxNorm: Float)
    /// Inputs with large values or spreads; the batch's mean and population std when it was given
    /// and finite.
    case unnormalisedData(batch: (mean: Float, std: Float)?)
    /// The input batch itself holds NaN or infinity.
    case nonFiniteInputs

    public static func == (a: DivergenceCause, b: DivergenceCause) -> Bool {
        switch (a, b) {
        case (.learningRate(let x), .learningRate(let y)): return x == y
        case (.noClipping, .noClipping), (.nonFiniteInputs, .nonFiniteInputs): return true
        case (.clipping(let x), .clipping(let y)): return x == y
        case (.unnormalisedData(let x), .unnormalisedData(let y)):
            return x?.mean == y?.mean && x?.std == y?.std
        default: return false
        }
    }
}

/// A parameter that holds a NaN or infinity: its name, and whether in its value or its gradient.
public struct BadParameter: Sendable, Equatable {
    public let name: String
    /// `true`: the value itself; `false`: its gradient.
    public let inValue: Bool

    public init(name: String, inValue: Bool) {
        self.name = name
        self.inValue = inValue
    }
}

/// Thrown when training diverges: where, the numbers of that step, and the likely causes.
public struct TrainingDiverged: Error, Sendable {
    /// The epoch (1-based) and the step within it (1-based) where the problem was seen.
    public let epoch: Int
    public let step: Int
    public let learningRate: Double
    /// The loss of that step (NaN or ±∞ if the loss itself went bad).
    public let loss: Float
    /// The global L2 norm of the gradients, if they had been computed.
    public let gradientNorm: Float?
    /// The first parameter (in registration order) whose value or gradient is not finite.
    public let firstBadParameter: BadParameter?
    /// The seed's suspects, those with evidence against them (`suspected`) first, then the others,
    /// each group in the seed's order: learning rate, clipping, data.
    public let causes: [(cause: DivergenceCause, suspected: Bool)]

    public init(epoch: Int, step: Int, learningRate: Double, loss: Float, gradientNorm: Float?,
                firstBadParameter: BadParameter?, causes: [(cause: DivergenceCause, suspected: Bool)]) {
        self.epoch = epoch
        self.step = step
        self.learningRate = learningRate
        self.loss = loss
        self.gradientNorm = gradientNorm
        self.firstBadParameter = firstBadParameter
        self.causes = causes
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
                               causes: likelyCauses(learningRate: learningRate, inputs: inputs))
    }

    /// The first parameter whose value, or else whose gradient, holds a NaN or infinity.
    func firstNonFiniteParameter() -> BadParameter? {
        func hasNonFinite(_ t: Tensor) -> Bool { t.scalars.contains { !$0.isFinite } }
        if let p = parameters.first(where: { hasNonFinite($0.tensor) }) {
            return BadParameter(name: p.name, inValue: true)
        }
        if let p = parameters.first(where: { $0.tensor.grad.map(hasNonFinite) ?? false }) {
            return BadParameter(name: p.name, inValue: false)
        }
        return nil
    }

    /// The seed's three usual suspects, each marked suspected when the numbers point at it:
    /// a learning rate of 1e-2 or more, no clipping, a batch whose |mean| or std exceeds 10, or
    /// one holding NaN or infinity.
    func likelyCauses(learningRate: Double, inputs: Tensor?) -> [(cause: DivergenceCause, suspected: Bool)] {
        var causes: [(cause: DivergenceCause, suspected: Bool)] = [(.learningRate(learningRate), learningRate >= 1e-2)]
        if let clipMaxNorm {
            causes.append((.clipping(maxNorm: clipMaxNorm), false))
        } else {
            causes.append((.noClipping, true))
        }
        if let inputs, let stats = finiteMeanAndStd(inputs.scalars) {
            causes.append((.unnormalisedData(batch: stats), Swift.abs(stats.mean) > 10 || stats.std > 10))
        } else if let inputs, inputs.scalars.contains(where: { !$0.isFinite }) {
            causes.append((.nonFiniteInputs, true))
        } else {
            causes.append((.unnormalisedData(batch: nil), false))
        }
        return causes.filter(\.suspected) + causes.filter { !$0.suspected }
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
