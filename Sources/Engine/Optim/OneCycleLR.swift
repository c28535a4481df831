import Foundation

/// The 1cycle policy (Smith & Topin, 2018; `torch.optim.lr_scheduler.OneCycleLR`): the rate climbs
/// from `maxLR / divFactor` to `maxLR` over the first `pctStart` of the run, then anneals down to
/// `maxLR / (divFactor · finalDivFactor)`; the momentum (SGD's μ, Adam's β₁) moves the other way,
/// from `maxMomentum` down to `baseMomentum` and back. Step it after every batch, `totalSteps`
/// times in all (one more is an error, as in PyTorch).
///
///     phase 1, steps 0 … pctStart·N - 1:     lr  initial -> max,   momentum  max -> base
///     phase 2, … N - 1:                      lr  max -> min,       momentum  base -> max
///     (threePhase: max -> initial by 2·pctStart·N - 2, then initial -> min, momentum staying at max)
///
///     cos:     anneal(a, b, x) = b + (a - b)/2 · (1 + cos(π·x))      x the fraction of the phase done
///     linear:  anneal(a, b, x) = (b - a)·x + a
///
/// A high rate in the middle of training acts as a regulariser; the long tail at a tiny rate settles
/// the weights. PyTorch's defaults throughout, including momentum cycling (`cycleMomentum`).
public final class OneCycleLR: LRScheduler {
    public enum AnnealStrategy: String, Sendable { case cos, linear }

    public let optimizer: Optimizer
    /// `initial_lr`, maxLR / divFactor.
    public var baseLR: Double
    public var lastEpoch = 0
    public let maxLR: Double
    /// `min_lr`, the final rate: baseLR / finalDivFactor.
    public let minLR: Double
    public let totalSteps: Int
    public let annealStrategy: AnnealStrategy
    public let cycleMomentum: Bool
    public let baseMomentum: Double
    public let maxMomentum: Double
    /// The phases' last steps (as Double: PyTorch computes them from `pctStart` in floating point).
    public let phaseEnds: [Double]
    private let phaseRates: [(start: Double, end: Double)]
    private let phaseMomenta: [(start: Double, end: Double)]

    /// - Parameters: PyTorch's, with its defaults; `totalSteps` is required (PyTorch's
    ///   `epochs · steps_per_epoch` is the same number).
    public init(_ optimizer: Optimizer, maxLR: Double, totalSteps: Int, pctStart: Double = 0.3,
                annealStrategy: AnnealStrategy = .cos, cycleMomentum: Bool = true,
                baseMomentum: Double = 0.85, maxMomentum: Double = 0.95, divFactor: Double = 25,
                finalDivFactor: Double = 1e4, threePhase: Bool = false) {
        precondition(totalSteps > 0, "OneCycleLR: totalSteps must be a positive integer, got \(totalSteps)")
        precondition(pctStart >= 0 && pctStart <= 1, "OneCycleLR: pctStart must be in [0, 1], got \(pctStart)")
        self.optimizer = optimizer
        self.maxLR = maxLR
        self.baseLR = maxLR / divFactor
        self.minLR = baseLR / finalDivFactor
        self.totalSteps = totalSteps
        self.annealStrategy = annealStrategy
        self.cycleMomentum = cycleMomentum
        self.baseMomentum = baseMomentum
        self.maxMomentum = maxMomentum
        let n = Double(totalSteps)
        if threePhase {
            phaseEnds = [pctStart * n - 1, 2 * pctStart * n - 2, n - 1]
            phaseRates = [(baseLR, maxLR), (maxLR, baseLR), (baseLR, minLR)]
            phaseMomenta = [(maxMomentum, baseMomentum), (baseMomentum, maxMomentum), (maxMomentum, maxMomentum)]
        } else {
            phaseEnds = [pctStart * n - 1, n - 1]
            phaseRates = [(baseLR, maxLR), (maxLR, minLR)]
            phaseMomenta = [(maxMomentum, baseMomentum), (baseMomentum, maxMomentum)]
        }
        if cycleMomentum { optimizer.schedulableMomentum = maxMomentum }
        optimizer.learningRate = learningRate(at: 0, current: baseLR)
    }

    func anneal(_ start: Double, _ end: Double, _ fraction: Double) -> Double {
        switch annealStrategy {
        case .cos: return end + (start - end) / 2.0 * (cos(Double.pi * fraction) + 1)
        case .linear: return (end - start) * fraction + start
        }
    }

    /// The phase that `step` falls in and how far through it `step` is.
    func phase(at step: Int) -> (index: Int, fraction: Double) {
        var start = 0.0
        for (i, end) in phaseEnds.enumerated() {
            if Double(step) <= end || i == phaseEnds.count - 1 {
                return (i, (Double(step) - start) / (end - start))
            }
            start = end
        }
        preconditionFailure("OneCycleLR: no phase")
    }

    /// The rate at `epoch` (the step count). Also sets the momentum, as PyTorch's `get_lr` does.
    public func learningRate(at epoch: Int, current: Double) -> Double {
        precondition(epoch <= totalSteps,
                     "OneCycleLR: tried to step \(epoch) times; the specified number of total steps is \(totalSteps)")
        let (i, fraction) = phase(at: epoch)
        if cycleMomentum {
            optimizer.schedulableMomentum = anneal(phaseMomenta[i].start, phaseMomenta[i].end, fraction)
        }
        return anneal(phaseRates[i].start, phaseRates[i].end, fraction)
    }
}

/// Runs schedulers one after another (`lr_scheduler.SequentialLR`): `schedulers[0]` until
/// `milestones[0]`, then `schedulers[1]` restarted from its epoch 0, and so on; e.g. a warm-up
/// then a decay:
///
///     let warmup = LinearLR(adam, startFactor: 0.1, totalIters: 5)
///     let decay = CosineAnnealingLR(adam, tMax: 45)
///     let schedule = SequentialLR(adam, schedulers: [warmup, decay], milestones: [5])
///
/// As PyTorch, every scheduler's base rate is the optimizer's rate before the first was made
/// (`initial_lr`; made one after another, a later one would otherwise see the warm-up's rate).
public final class SequentialLR: LRScheduler {
    public let optimizer: Optimizer
    public var baseLR: Double
    public var lastEpoch = 0
    public let schedulers: [any LRScheduler]
    public let milestones: [Int]

    public init(_ optimizer: Optimizer, schedulers: [any LRScheduler], milestones: [Int]) {
        precondition(!schedulers.isEmpty, "SequentialLR: expects at least one scheduler")
        precondition(milestones.count == schedulers.count - 1,
                     "SequentialLR: expects one milestone fewer than schedulers, got \(schedulers.count) "
                     + "schedulers and \(milestones.count) milestones")
        precondition(schedulers.allSatisfy { $0.optimizer === optimizer },
                     "SequentialLR: expects all schedulers to belong to the same optimizer")
        self.optimizer = optimizer
        self.schedulers = schedulers
        self.milestones = milestones
        self.baseLR = schedulers[0].baseLR
        for s in schedulers {
            s.baseLR = baseLR
            s.lastEpoch = 0
        }
        optimizer.learningRate = schedulers[0].learningRate(at: 0, current: baseLR)
    }

    public func learningRate(at epoch: Int, current: Double) -> Double {
        let index = milestones.filter { $0 <= epoch }.count          // bisect_right
        let scheduler = schedulers[index]
        if index > 0 && milestones[index - 1] == epoch {
            scheduler.lastEpoch = 0
            return scheduler.learningRate(at: 0, current: scheduler.baseLR)
        }
        scheduler.lastEpoch += 1
        return scheduler.learningRate(at: scheduler.lastEpoch, current: current)
    }
}

extension OneCycleLR: CheckpointableScheduler {}
extension SequentialLR: CheckpointableScheduler {}
