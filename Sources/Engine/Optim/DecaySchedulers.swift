import Foundation

// More counter-driven schedules, with PyTorch's names and defaults: decay at chosen epochs, decay
// every epoch, and cosine annealing that restarts. Step them as `StepLR` (after `optimizer.step()`).

/// Multiplies the rate by `gamma` at each milestone epoch (`lr_scheduler.MultiStepLR`):
///
///     lr(t) = lr(t-1) · γ^(number of milestones equal to t)
///     (so lr(t) = lr₀ · γ^(milestones ≤ t) if nothing else changes the rate)
public final class MultiStepLR: LRScheduler {
    public let optimizer: Optimizer
    public var baseLR: Double
    public var lastEpoch = 0
    /// Epochs at which to decay; a milestone listed twice decays twice, as PyTorch's `Counter`.
    public let milestones: [Int]
    public let gamma: Double

    public init(_ optimizer: Optimizer, milestones: [Int], gamma: Double = 0.1) {
        self.optimizer = optimizer
        self.baseLR = optimizer.learningRate
        self.milestones = milestones.sorted()
        self.gamma = gamma
    }

    public func learningRate(at epoch: Int, current: Double) -> Double {
        let hits = milestones.filter { $0 == epoch }.count
        return hits == 0 ? current : current * pow(gamma, Double(hits))
    }
}

/// Multiplies the rate by `gamma` every epoch (`lr_scheduler.ExponentialLR`):
///
///     lr(t) = lr(t-1) · γ        (lr₀ · γᵗ if nothing else changes the rate)
public final class ExponentialLR: LRScheduler {
    public let optimizer: Optimizer
    public var baseLR: Double
    public var lastEpoch = 0
    public let gamma: Double

    public init(_ optimizer: Optimizer, gamma: Double) {
        self.optimizer = optimizer
        self.baseLR = optimizer.learningRate
        self.gamma = gamma
    }

    public func learningRate(at epoch: Int, current: Double) -> Double {
        epoch == 0 ? current : current * gamma
    }
}

/// Cosine annealing with warm restarts (SGDR, Loshchilov & Hutter 2017;
/// `lr_scheduler.CosineAnnealingWarmRestarts`): a cosine from lr₀ down to `minLR` over `t0`
/// epochs, then a jump back to lr₀ and a cosine `tMult` times longer, and so on.
///
///     Tᵢ = t0 · tMultⁱ (the current cycle's length),  T_cur = epochs since the last restart
///     lr = minLR + (lr₀ - minLR) · (1 + cos(π · T_cur / Tᵢ)) / 2
///
/// Each restart is a large step that can shake the model out of a sharp minimum.
public final class CosineAnnealingWarmRestarts: LRScheduler {
    public let optimizer: Optimizer
    public var baseLR: Double
    public var lastEpoch = 0
    public let t0: Int
    public let tMult: Int
    public let minLR: Double

    /// - Parameters: PyTorch's `T_0`, `T_mult` (an integer ≥ 1) and `eta_min`.
    public init(_ optimizer: Optimizer, t0: Int, tMult: Int = 1, minLR: Double = 0) {
        precondition(t0 > 0, "CosineAnnealingWarmRestarts: t0 must be a positive integer, got \(t0)")
        precondition(tMult >= 1, "CosineAnnealingWarmRestarts: tMult must be an integer ≥ 1, got \(tMult)")
        self.optimizer = optimizer
        self.baseLR = optimizer.learningRate
        self.t0 = t0
        self.tMult = tMult
        self.minLR = minLR
    }

    /// (T_cur, Tᵢ) at `epoch`: whole cycles are taken off one by one, as PyTorch's `step()` does.
    public func cyclePosition(at epoch: Int) -> (tCur: Int, tI: Int) {
        var tCur = epoch, tI = t0
        while tCur >= tI {
            tCur -= tI
            tI *= tMult
        }
        return (tCur, tI)
    }

    public func learningRate(at epoch: Int, current: Double) -> Double {
        let (tCur, tI) = cyclePosition(at: epoch)
        return minLR + (baseLR - minLR) * (1 + cos(Double.pi * Double(tCur) / Double(tI))) / 2
    }
}

extension MultiStepLR: CheckpointableScheduler {}
extension ExponentialLR: CheckpointableScheduler {}
extension CosineAnnealingWarmRestarts: CheckpointableScheduler {}
