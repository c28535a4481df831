/// Lowers the learning rate when a watched metric stops improving
/// (`torch.optim.lr_scheduler.ReduceLROnPlateau`). The seed steps it with each epoch's mean loss.
///
/// After every `step(metric)`:
///
///     improved = metric < best·(1 - threshold)     mode .min, threshold mode .relative
///                metric < best - threshold         mode .min, .absolute
///                metric > best·(1 + threshold)     mode .max, .relative
///                metric > best + threshold         mode .max, .absolute
///     improved ? (best = metric, bad = 0) : (bad += 1)
///     in cooldown: bad = 0
///     bad > patience:  lr = max(lr·factor, minLR)  (skipped if that changes lr by ≤ eps),
///                      cooldown starts, bad = 0
///
/// "Patience" is how many epochs without improvement to tolerate: with patience 5 the rate drops
/// on the 6th bad epoch in a row. `best` and `numBadEpochs` are public so a lesson can print them.
public final class ReduceLROnPlateau {
    public enum Mode: String { case min, max }
    public enum ThresholdMode: String { case relative, absolute }

    public let optimizer: Optimizer
    public let mode: Mode
    public let factor: Double
    public let patience: Int
    public let threshold: Double
    public let thresholdMode: ThresholdMode
    public let cooldown: Int
    public let minLR: Double
    public let eps: Double

    /// The best metric seen so far (starts at +∞ for `.min`, -∞ for `.max`).
    public private(set) var best: Double
    /// Consecutive steps without improvement (reset by an improvement or a reduction).
    public private(set) var numBadEpochs = 0
    /// Steps left before bad epochs count again after a reduction.
    public private(set) var cooldownCounter = 0
    /// How many times `step` has been called.
    public private(set) var lastEpoch = 0

    /// - Parameters:
    ///   - optimizer: whose `learningRate` to lower.
    ///   - mode: `.min` for a loss, `.max` for an accuracy.
    ///   - factor: the multiplier applied at each reduction (0.1: ten times smaller).
    ///   - patience: bad epochs tolerated before reducing.
    ///   - threshold: how much better than `best` counts as an improvement.
    ///   - thresholdMode: `threshold` relative to `best`, or absolute.
    ///   - cooldown: epochs to wait after a reduction before counting bad epochs again.
    ///   - minLR: the rate never goes below this.
    ///   - eps: reductions smaller than this are skipped.
    public init(_ optimizer: Optimizer, mode: Mode = .min, factor: Double = 0.1, patience: Int = 10,
                threshold: Double = 1e-4, thresholdMode: ThresholdMode = .relative, cooldown: Int = 0,
                minLR: Double = 0, eps: Double = 1e-8) {
        precondition(factor < 1, "ReduceLROnPlateau: factor should be < 1.0")
        self.optimizer = optimizer
        self.mode = mode
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.thresholdMode = thresholdMode
        self.cooldown = cooldown
        self.minLR = minLR
        self.eps = eps
        self.best = mode == .min ? .infinity : -.infinity
    }

    /// Whether `current` beats `best` by more than the threshold.
    public func isBetter(_ current: Double, than best: Double) -> Bool {
        switch (mode, thresholdMode) {
        case (.min, .relative): return current < best * (1 - threshold)
        case (.min, .absolute): return current < best - threshold
        case (.max, .relative): return current > best * (threshold + 1)
        case (.max, .absolute): return current > best + threshold
        }
    }

    /// Feeds one epoch's metric (e.g. its mean loss) and lowers the learning rate if it has plateaued.
    public func step(_ metric: Double) {
        lastEpoch += 1
        if isBetter(metric, than: best) {
            best = metric
            numBadEpochs = 0
        } else {
            numBadEpochs += 1
        }
        if cooldownCounter > 0 {
            cooldownCounter -= 1
            numBadEpochs = 0
        }
        if numBadEpochs > patience {
            reduceLearningRate()
            cooldownCounter = cooldown
            numBadEpochs = 0
        }
    }

    private func reduceLearningRate() {
        let old = optimizer.learningRate
        let new = Swift.max(old * factor, minLR)
        if old - new > eps { optimizer.learningRate = new }
    }

    /// The counters, for checkpoints, and the settings for a reader (loading uses only the counters).
    public func stateDict() -> [String: Double] {
        ["best": best, "num_bad_epochs": Double(numBadEpochs), "cooldown_counter": Double(cooldownCounter),
         "last_epoch": Double(lastEpoch), "factor": factor, "patience": Double(patience), "threshold": threshold,
         "cooldown": Double(cooldown), "min_lr": minLR, "eps": eps]
    }

    /// Restores the counters saved by `stateDict()`.
    public func loadStateDict(_ state: [String: Double]) throws {
        for key in ["best", "num_bad_epochs", "cooldown_counter", "last_epoch"] where state[key] == nil {
            throw OptimizerStateError.missing("scheduler.\(key)")
        }
        // Every number is checked before any is stored, so a bad state changes nothing.
        let file = "the scheduler state"
        let best = try validBound(state["best"]!, name: "scheduler.best", file: file)
        let bad = try validCount(state["num_bad_epochs"]!, name: "scheduler.num_bad_epochs", file: file)
        let cooldown = try validCount(state["cooldown_counter"]!, name: "scheduler.cooldown_counter", file: file)
        let epoch = try validCount(state["last_epoch"]!, name: "scheduler.last_epoch", file: file)
        self.best = best
        numBadEpochs = bad
        cooldownCounter = cooldown
        lastEpoch = epoch
    }
}
