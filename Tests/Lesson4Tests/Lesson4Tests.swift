import Engine
import Foundation
import LessonKit
import Testing
@testable import lesson4

// Answer keys for lesson 4. Every number the lesson prints comes from a function tested here.
// Runs are kept short (a few epochs; the seed's first epochs do not depend on how many follow),
// so the whole target stays within its time budget.

/// The lesson's flags with `arguments` on top of the defaults.
func lessonFlags(_ arguments: [String] = []) throws -> Flags {
    try FlagParser(program: "lesson4", options: lessonOptions).parse(arguments)
}

/// The seed's settings for `epochs` epochs.
func seedSettings(epochs: Int) -> Settings {
    var s = Settings()
    s.epochs = epochs
    return s
}

@Suite struct Lesson4DataTests {
    @Test func splitIs800_100_100AndSeeded() {
        let a = makeLessonData(seed: 42), b = makeLessonData(seed: 42), c = makeLessonData(seed: 43)
        #expect([a.train.count, a.validation.count, a.test.count] == [800, 100, 100] as [Int])
        #expect(a.train.inputs.shape == [800, 5, 10] && a.test.targets.shape == [100, 1])
        #expect(a.validation.targets.scalars == b.validation.targets.scalars)
        #expect(a.validation.targets.scalars != c.validation.targets.scalars)
        // The three sets are disjoint pieces of the same 1000 targets.
        let all = (a.train.targets.scalars + a.validation.targets.scalars + a.test.targets.scalars).sorted()
        #expect(all == a.all.targets.scalars.sorted())
    }
}

@Suite struct Lesson4SeedRunTests {
    /// Cell 2: the first step's loss and gradient norm, before and after the seed's clip at 1.0.
    @Test func firstStepIsClippedFromAbout3_3To1() {
        let step = inspectFirstStep(train: makeLessonData(seed: 42).train, settings: Settings())
        #expect(step.parameterCount == 191_873)
        #expect(step.x.shape == [32, 5, 10] && step.outputs.shape == [32, 1])
        #expect(abs(step.loss - 0.6753) < 5e-4)
        #expect(abs(step.normBefore - 3.2925) < 5e-4)
        #expect(abs(step.normAfter - 1.0) < 1e-5)
        #expect(step.gradNorms.count == 5)
        // --trace-shapes: every module call of the forward pass, the whole model last.
        #expect(step.shapeTrace.first?.path == "input_proj" && step.shapeTrace.first?.outputShape == [32, 5, 64])
        #expect(step.shapeTrace.last?.path == "(root)" && step.shapeTrace.last?.outputShape == [32, 1])
    }

    /// Cell 3: the seed's first epochs, printed character for character, and what the loop records.
    /// (The first epochs of the 50-epoch run are the same whatever the number of epochs.)
    @Test func firstThreeEpochsOfTheSeedRun() {
        let data = makeLessonData(seed: 42)
        var lines: [String] = []
        let run = trainWithValidation(train: data.train, validation: data.validation,
                                      settings: seedSettings(epochs: 3)) { lines.append(seedEpochLine($0, of: 50)) }
        #expect(lines == ["Epoch [1/50], Loss: 0.3233, LR: 1.00e-03",
                          "Epoch [2/50], Loss: 0.1467, LR: 1.00e-03",
                          "Epoch [3/50], Loss: 0.0972, LR: 1.00e-03"])
        let r = run.record
        #expect(r.validationLosses.map { ($0 * 1e4).rounded() / 1e4 } == [0.0943, 0.0884, 0.0743] as [Double])
        // Early on the clip acts at every step: the gradient norm reaches ~7 in epoch 1.
        #expect(r.epochs[0].clippedSteps == 25 && r.epochs[0].steps == 25)
        #expect(abs(r.epochs[0].maxGradNorm - 7.216) < 1e-2)
        #expect(r.bestEpoch == 3 && r.bestValidationLoss == r.epochs[2].validationLoss)
        // The scheduler's trace: three improving epochs, no bad ones.
        #expect(r.epochs.map(\.schedulerBadEpochs) == [0, 0, 0] as [Int])
        #expect(r.epochs.map(\.schedulerBest) == r.trainLosses)
    }
}

@Suite struct Lesson4SchedulerTests {
    /// Exercise 1 (answer key): with patience 5, a training loss that stops improving after epoch
    /// 10 makes ReduceLROnPlateau drop the rate at epoch 16 (the 6th bad epoch), then again at 22.
    @Test func exercise1PatienceFive() {
        let optimizer = AdamW([Tensor.zeros([1], requiresGrad: true)], learningRate: 1e-3)
        let scheduler = ReduceLROnPlateau(optimizer, mode: .min, patience: 5)
        var drops: [Int] = []
        for epoch in 1...25 {
            let previous = optimizer.learningRate
            scheduler.step(epoch <= 10 ? 1.0 / Double(epoch) : 0.1)
            if optimizer.learningRate != previous { drops.append(epoch) }
        }
        #expect(drops == [16, 22] as [Int])
        #expect(abs(optimizer.learningRate - 1e-5) < 1e-12)
    }

    /// `--plateau-on validation`: the learning rates of the run are those a scheduler fed the recorded
    /// validation losses would choose, and not those it would choose from the training losses.
    @Test func plateauOnValidationFeedsTheValidationLoss() {
        let data = makeLessonData(seed: 42)
        var s = Settings()
        s.model = .small
        s.epochs = 12
        s.schedulerPatience = 1
        s.plateauOnValidation = true
        let r = trainWithValidation(train: data.train, validation: data.validation, settings: s).record
        func replay(_ losses: [Double]) -> [Double] {
            let optimizer = AdamW([Tensor.zeros([1], requiresGrad: true)], learningRate: s.learningRate)
            let scheduler = ReduceLROnPlateau(optimizer, mode: .min, patience: s.schedulerPatience)
            return losses.map { scheduler.step($0); return optimizer.learningRate }
        }
        #expect(r.epochs.map(\.learningRate) == replay(r.validationLosses))
        #expect(r.epochs.map(\.learningRate) != replay(r.trainLosses))
        #expect(!learningRateDrops(r).isEmpty)
    }

    @Test func learningRateDropsAreReadFromTheRecord() {
        func epoch(_ k: Int, _ lr: Double) -> EpochRecord {
            EpochRecord(epoch: k, trainLoss: 0, validationLoss: 0, learningRate: lr, schedulerBest: 0,
                        schedulerBadEpochs: 0, maxGradNorm: 0, clippedSteps: 0, steps: 1)
        }
        let run = RunRecord(settings: Settings(),
                            epochs: [epoch(1, 1e-3), epoch(2, 1e-4), epoch(3, 1e-4), epoch(4, 1e-5)],
                            bestEpoch: 1, bestValidationLoss: 0, stopEpoch: nil)
        let drops = learningRateDrops(run)
        #expect(drops.map(\.epoch) == [2, 4] as [Int])
    }
}

@Suite struct Lesson4EarlyStoppingTests {
    /// A made-up record: validation improves at epochs 1, 2 and 6, with patience 3 the stopper fires at 5.
    func record(_ train: [Double], _ valid: [Double], stopEpoch: Int?) -> RunRecord {
        var s = Settings()
        s.stopPatience = 3
        let epochs = zip(train, valid).enumerated().map { i, tv in
            EpochRecord(epoch: i + 1, trainLoss: tv.0, validationLoss: tv.1, learningRate: 1e-3, schedulerBest: 0,
                        schedulerBadEpochs: 0, maxGradNorm: 0, clippedSteps: 0, steps: 1)
        }
        let best = epochs.min { $0.validationLoss < $1.validationLoss }!
        return RunRecord(settings: s, epochs: epochs, bestEpoch: best.epoch, bestValidationLoss: best.validationLoss,
                         stopEpoch: stopEpoch)
    }

    @Test func stoppingEarlyKeepsTheBestSoFarNotTheBestOverall() {
        let r = record([5, 4, 3, 2, 1, 0.5], [0.5, 0.4, 0.45, 0.42, 0.41, 0.3], stopEpoch: 5)
        let model = makeModel(.small, dropout: 0, seed: 1)
        let data = makeLessonData(seed: 42)
        let es = summarizeEarlyStopping(r, model: model, validation: data.validation)
        #expect(es.stopEpoch == 5 && es.keptIfStopped?.epoch == 2 && es.keptIfStopped?.loss == 0.4)
        #expect(es.bestEpoch == 6 && es.bestValidationLoss == 0.3)
        // Epochs 2→3 and 4→5 … : training always improves; validation worsens at 3 only, then improves.
        #expect(disagreeingEpochs(r) == 1)
    }

    /// `--stop-early`: the run ends where patience runs out, with the best weights put back.
    @Test func stopEarlyEndsTheRunAndRestoresTheBest() {
        let data = makeLessonData(seed: 42)
        var s = Settings()
        s.model = .small
        s.epochs = 30
        s.stopPatience = 1
        s.stopEarly = true
        let run = trainWithValidation(train: data.train, validation: data.validation, settings: s)
        let r = run.record
        #expect(r.stopEpoch != nil && r.epochs.count == r.stopEpoch && r.epochs.count < 30)
        #expect(r.bestEpoch == r.epochs.count - 1)                 // patience 1: one bad epoch ends it
        #expect(evaluate(run.model, on: data.validation) == r.bestValidationLoss)
        #expect(r.last.validationLoss > r.bestValidationLoss)
    }

    /// `EarlyStopping` itself on the same sequence: fires after 3 checks without improvement.
    @Test func earlyStoppingFiresAfterPatienceRunsOut() {
        let stopper = EarlyStopping(patience: 3)
        let t = Tensor([1], shape: [1])
        let fired = [0.5, 0.4, 0.45, 0.42, 0.41, 0.3].map { stopper.step($0, tensors: [t]) }
        #expect(fired == [false, false, false, false, true, false])
        #expect(stopper.bestEpoch == 6)
    }
}

/// The seeds every comparison runs over by default (`--seed 42 --seeds 5`).
let defaultSeeds: [UInt64] = [42, 43, 44, 45, 46]

/// The verdict of `a` against `b`, paired over seeds.
func verdict(_ a: SeedSample, _ b: SeedSample) -> Verdict { Comparison(a, b).verdict }
