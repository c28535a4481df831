import Foundation

// Schedulers that set the learning rate from the step count alone: step decay, cosine annealing
// and linear warm-up. Call `step()` once per epoch (or per batch, for warm-up), after
// `optimizer.step()`, as in PyTorch.

/// A learning-rate schedule driven by a counter. `lastEpoch` starts at 0 (the initial rate is
/// applied when the scheduler is made) and `step()` advances it by one and sets the new rate.
public protocol LRScheduler: AnyObject {
    var optimizer: Optimizer { get }
    /// The optimizer's rate when the scheduler was made (`base_lrs[0]`). `SequentialLR` sets it to
    /// its first scheduler's, as PyTorch's `initial_lr` does.
    var baseLR: Double { get set }
    /// How many times `step()` has been called.
    var lastEpoch: Int { get set }
    /// The rate for `lastEpoch`, given the rate currently set.
    func learningRate(at epoch: Int, current: Double) -> Double
}

extension LRScheduler {
    /// Advances one epoch and writes the new rate into the optimizer.
    public func step() {
        lastEpoch += 1
        optimizer.learningRate = learningRate(at: lastEpoch, current: optimizer.learningRate)
    }

    /// The counter, for checkpoints.
    public func stateDict() -> [String: Double] { ["last_epoch": Double(lastEpoch)] }

    /// Restores the counter saved by `stateDict()`.
    public func loadStateDict(_ state: [String: Double]) throws {
        guard let epoch = state["last_epoch"] else { throw OptimizerStateError.missing("scheduler.last_epoch") }
        lastEpoch = try validCount(epoch, name: "scheduler.last_epoch", file: "the scheduler state")
    }
}

/// Multiplies the rate by `gamma` every `stepSize` epochs (`torch.optim.lr_scheduler.StepLR`):
///
///     lr(t) = lr(t-1) · γ   when t is a multiple of stepSize, else lr(t-1)
///     (so lr(t) = lr₀ · γ^⌊t / stepSize⌋ if nothing else changes the rate)
public final class StepLR: LRScheduler {
    public let optimizer: Optimizer
    public var baseLR: Double
    public var lastEpoch = 0
    public let stepSize: Int
    public let gamma: Double

    public init(_ optimizer: Optimizer, stepSize: Int, gamma: Double = 0.1) {
        precondition(stepSize > 0, "StepLR: stepSize must be positive")
        self.optimizer = optimizer
        self.baseLR = optimizer.learningRate
        self.stepSize = stepSize
        self.gamma = gamma
    }

    public func learningRate(at epoch: Int, current: Double) -> Double {
        epoch == 0 || epoch % stepSize != 0 ? current : current * gamma
    }
}

/// Cosine annealing (Loshchilov & Hutter, 2017; `torch.optim.lr_scheduler.CosineAnnealingLR`):
/// the rate glides from lr₀ down to `minLR` along half a cosine over `tMax` epochs.
///
///     lr(t) = minLR + (lr₀ - minLR) · (1 + cos(π · t / tMax)) / 2
///
/// This is PyTorch's closed form; its `step()` uses an equivalent recursive form that can differ
/// in the last bits. Past `tMax` the cosine climbs back up, as in PyTorch.
public final class CosineAnnealingLR: LRScheduler {
    public let optimizer: Optimizer
    public var baseLR: Double
    public var lastEpoch = 0
    public let tMax: Int
    public let minLR: Double

    public init(_ optimizer: Optimizer, tMax: Int, minLR: Double = 0) {
        precondition(tMax > 0, "CosineAnnealingLR: tMax must be positive")
        self.optimizer = optimizer
        self.baseLR = optimizer.learningRate
        self.tMax = tMax
        self.minLR = minLR
    }

    public func learningRate(at epoch: Int, current: Double) -> Double {
        let progress = Double(epoch) / Double(tMax)
        let cosine = (1 + cos(Double.pi * progress)) / 2
        return minLR + (baseLR - minLR) * cosine
    }
}

/// A linear ramp of the rate (`torch.optim.lr_scheduler.LinearLR`): from `startFactor·lr₀` to
/// `endFactor·lr₀` over `totalIters` steps, then constant.
///
///     lr(t) = lr₀ · (startFactor + (endFactor - startFactor) · min(t, totalIters) / totalIters)
///
/// With `endFactor` 1 it is a linear warm-up (`LinearWarmup`): early on Adam's moment estimates are
/// noisy and the network's outputs are far off; small first steps keep a Transformer from diverging
/// before those settle. With `endFactor` < 1 it is a linear decay. This is PyTorch's closed form;
/// its `step()` uses a recursive form that can differ in the last bits.
public final class LinearLR: LRScheduler {
    public let optimizer: Optimizer
    public var baseLR: Double
    public var lastEpoch = 0
    public let totalIters: Int
    public let startFactor: Double
    public let endFactor: Double
    /// The warm-up's length: `totalIters`.
    public var warmupSteps: Int { totalIters }

    /// - Parameters: PyTorch's, with its defaults (1/3, 1, 5).
    public init(_ optimizer: Optimizer, startFactor: Double = 1.0 / 3, endFactor: Double = 1, totalIters: Int = 5) {
        precondition(startFactor > 0 && startFactor <= 1,
                     "LinearLR: startFactor \(startFactor) must be in (0, 1] (as PyTorch)")
        precondition(endFactor >= 0 && endFactor <= 1, "LinearLR: endFactor \(endFactor) must be in [0, 1]")
        precondition(totalIters > 0, "LinearLR: totalIters must be positive")
        self.optimizer = optimizer
        self.baseLR = optimizer.learningRate
        self.totalIters = totalIters
        self.startFactor = startFactor
        self.endFactor = endFactor
        optimizer.learningRate = learningRate(at: 0, current: baseLR)
    }

    /// A linear warm-up: `LinearLR(optimizer, startFactor: startFactor, totalIters: warmupSteps)`.
    public convenience init(_ optimizer: Optimizer, warmupSteps: Int, startFactor: Double = 1.0 / 3) {
        self.init(optimizer, startFactor: startFactor, endFactor: 1, totalIters: warmupSteps)
    }

    public func learningRate(at epoch: Int, current: Double) -> Double {
        let progress = Double(Swift.min(epoch, totalIters)) / Double(totalIters)
        return baseLR * (startFactor + (endFactor - startFactor) * progress)
    }
}

/// A linear warm-up is a `LinearLR` ending at factor 1: `LinearWarmup(optimizer, warmupSteps: 5)`.
public typealias LinearWarmup = LinearLR
