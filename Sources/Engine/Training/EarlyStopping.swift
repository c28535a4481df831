/// Stops training when the validation metric has not improved for `patience` checks, and keeps a
/// copy of the weights from the best check so they can be put back: the seed's "weekly exam" that
/// notices when practising more only memorises the exercises (overfitting).
///
///     let stopper = EarlyStopping(patience: 5, minDelta: 1e-4)
///     for epoch in 1...100 {
///         train(…)
///         if stopper.step(validationLoss, model: model) { break }
///     }
///     stopper.restoreBest(into: model)
///
/// An improvement is `metric < best - minDelta` (mode `.min`) or `metric > best + minDelta` (`.max`).
public final class EarlyStopping {
    public enum Mode { case min, max }

    public let patience: Int
    public let minDelta: Double
    public let mode: Mode
    /// The best metric so far (±∞ before the first check).
    public private(set) var best: Double
    /// The check (1-based) at which `best` was seen; 0 before the first.
    public private(set) var bestEpoch = 0
    /// Consecutive checks without improvement.
    public private(set) var numBadEpochs = 0
    /// How many checks have been made.
    public private(set) var epoch = 0
    /// Whether patience has run out: `numBadEpochs >= patience`.
    public private(set) var shouldStop = false
    /// Copies of every tensor's values at the best check, in the order they were given.
    public private(set) var bestWeights: [[Float]] = []

    /// - Parameters:
    ///   - patience: checks without improvement tolerated before stopping.
    ///   - minDelta: how much better than `best` counts as an improvement.
    ///   - mode: `.min` for a loss, `.max` for an accuracy.
    public init(patience: Int, minDelta: Double = 0, mode: Mode = .min) {
        precondition(patience >= 0 && minDelta >= 0, "EarlyStopping: patience and minDelta must not be negative")
        self.patience = patience
        self.minDelta = minDelta
        self.mode = mode
        self.best = mode == .min ? .infinity : -.infinity
    }

    /// Records one check of `metric` for the weights in `tensors`; returns `true` when training
    /// should stop. A NaN metric never counts as an improvement.
    @discardableResult
    public func step(_ metric: Double, tensors: [Tensor]) -> Bool {
        epoch += 1
        let improved = mode == .min ? metric < best - minDelta : metric > best + minDelta
        if improved {
            best = metric
            bestEpoch = epoch
            numBadEpochs = 0
            bestWeights = tensors.map(\.scalars)
        } else {
            numBadEpochs += 1
        }
        shouldStop = numBadEpochs >= patience
        return shouldStop
    }

    /// `step` for a module: saves its whole state dict (parameters and buffers).
    @discardableResult
    public func step(_ metric: Double, model: Module) -> Bool {
        step(metric, tensors: model.stateDict().map(\.tensor))
    }

    /// Writes the best weights back into `tensors` (the same list, in the same order, as given to `step`).
    public func restoreBest(into tensors: [Tensor]) {
        guard !bestWeights.isEmpty else { return }
        precondition(tensors.count == bestWeights.count,
                     "EarlyStopping: \(tensors.count) tensors, saved \(bestWeights.count)")
        for (t, values) in zip(tensors, bestWeights) {
            precondition(t.count == values.count,
                         "EarlyStopping: tensor of shape \(t.shape) does not fit the saved weights")
            t.scalars = values
        }
    }

    /// Writes the best weights back into `model`.
    public func restoreBest(into model: Module) {
        restoreBest(into: model.stateDict().map(\.tensor))
    }
}
