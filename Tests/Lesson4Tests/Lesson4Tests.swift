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
        let run = RunRecord(settings: Settings(), epochs: [epoch(1, 1e-3), epoch(2, 1e-4), epoch(3, 1e-4), epoch(4, 1e-5)],
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

@Suite struct Lesson4OverfittingTests {
    /// Cell 5: the symptom (training loss near zero, validation loss climbing) and each fix.
    @Test func overfittingShownThenFixed() {
        let data = makeLessonData(seed: 42)
        let ex = runOverfitExperiment(data: data, trainSize: 32, epochs: 40, base: Settings())
        let o = ex.overfit
        // Symptom: memorised (train < 0.005) yet failing the exam (validation > 0.35), gap > 0.3,
        // and the validation loss climbed back from its best.
        #expect(o.last.trainLoss < 0.005)
        #expect(o.last.validationLoss > 0.35)
        #expect(o.finalGap > 0.3)
        #expect(o.bestEpoch == 6 && abs(o.bestValidationLoss - 0.2851) < 5e-4)
        #expect(o.last.validationLoss > o.bestValidationLoss + 0.1)
        // Fixes, each on the same validation set.
        #expect(ex.weightDecayed.last.validationLoss < o.last.validationLoss - 0.1)
        #expect(ex.weightDecayed.last.trainLoss < 0.005)           // still fits every exercise, with smaller weights
        #expect(ex.droppedOut.last.validationLoss < o.last.validationLoss - 0.1)
        #expect(ex.droppedOut.last.trainLoss > 0.05)               // no longer memorised
        #expect(ex.moreData.last.validationLoss < 0.1)             // the real cure
        #expect(ex.moreData.settings.epochs == 2)
        #expect(ex.earlyStopped.restoredValidationLoss == o.bestValidationLoss)   // best weights, exactly
        #expect(ex.earlyStopped.stopEpoch == 16)                   // patience 10 after epoch 6
        #expect(ex.earlyStopped.restoredValidationLoss < o.last.validationLoss - 0.1)
        // Exercise 4 (answer key): with `--stop-patience 3` early stopping halts the overfitting run at
        // epoch 9 and keeps epoch 6 (replaying the same validation losses through `EarlyStopping`).
        let stopper = EarlyStopping(patience: 3)
        let stop = o.validationLosses.firstIndex { stopper.step($0, tensors: []) }.map { $0 + 1 }
        #expect(stop == 9 && stopper.bestEpoch == 6)
        // A smaller network alone does not cure it: it still has far more weights than samples.
        #expect(ex.smaller.last.validationLoss > 0.3)
    }

    /// Exercise 2 (answer key): `--train-size 16` overfits even harder than 32 samples.
    @Test func exercise2SixteenSamples() {
        let data = makeLessonData(seed: 42)
        let few = data.train.subset(Array(0..<16))
        let run = trainWithValidation(train: few, validation: data.validation,
                                      settings: overfitSettings(Settings(), epochs: 40)).record
        #expect(run.last.trainLoss < 0.005)
        #expect(run.last.validationLoss > 0.5)
    }
}

@Suite struct Lesson4ComparisonTests {
    /// Cell 6: clipping, weight decay and dropout on and off (small model, 8 epochs).
    @Test func clippingWeightDecayAndDropoutComparedSideBySide() {
        let results = runComparisons(data: makeLessonData(seed: 42), epochs: 8, base: Settings())
        #expect(results.count == 7)
        let byName = Dictionary(uniqueKeysWithValues: results.map { ($0.variant.name.en, $0.run) })
        let seed = byName["seed (clip, wd, dropout)"]!, noClip = byName["no clipping"]!
        let noDecay = byName["no weight decay"]!, noDropout = byName["no dropout"]!
        let clipHigh = byName["lr ×10, clipping"]!, noClipHigh = byName["lr ×10, no clipping"]!
        func clipped(_ r: RunRecord) -> Int { r.epochs.reduce(0) { $0 + $1.clippedSteps } }
        // The seed's clip at 1.0 acts on most steps; off, it never does.
        #expect(clipped(seed) == 144 && clipped(noClip) == 0)
        #expect(noClip.last.validationLoss > seed.last.validationLoss)
        // The seed's weight decay (1e-4 × lr 1e-3 per step) is too weak to see in 8 epochs.
        #expect(abs(noDecay.last.validationLoss - seed.last.validationLoss) < 1e-3)
        // With enough data, dropout only slows this small model down.
        #expect(noDropout.last.validationLoss < seed.last.validationLoss)
        // Exercise 3 (answer key): at ten times the learning rate, clipping gives the better model.
        #expect(clipHigh.last.validationLoss < noClipHigh.last.validationLoss)
    }
}

@Suite struct Lesson4FinalExamTests {
    /// Cell 7: a checkpoint reloads into a fresh model with bit-identical predictions, and the
    /// optimizer and scheduler come back too.
    @Test func checkpointRoundTripIsBitIdentical() throws {
        let data = makeLessonData(seed: 42)
        var s = Settings()
        s.epochs = 2
        s.model = .small
        let run = trainWithValidation(train: data.train, validation: data.validation, settings: s)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lesson4-test-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let check = try checkpointRoundTrip(run, inputs: data.test.inputs, url: url)
        #expect(check.identical && check.maxDifference == 0)
        #expect(check.optimizerRestored && check.schedulerRestored)
        #expect(check.epoch == 2)
        // A model that did not load the file predicts differently (the check can fail).
        let other = makeModel(s.model, dropout: s.dropout, seed: 7)
        other.eval()
        run.model.eval()
        #expect(withNoGrad { other(data.test.inputs) }.scalars != withNoGrad { run.model(data.test.inputs) }.scalars)
    }

    @Test func predictionLineIsPythonsListRepr() {
        #expect(seedPredictionLine([0.5, -0.25, 1]) == "Test predictions: [0.5, -0.25, 1.0]")
        #expect(seedPredictionLine([0.1]) == "Test predictions: [0.10000000149011612]")   // float32 0.1 widened
    }
}

@Suite struct Lesson4WholeLessonTests {
    static let shortRun = ["--epochs", "2", "--overfit-epochs", "8", "--compare-epochs", "1", "--train-size", "16"]

    func collect(_ arguments: [String]) throws -> String {
        let output = LessonOutput.collecting()
        let lesson = Lesson(flags: try lessonFlags(arguments), title: "Lesson 4", output: output)
        runLesson(lesson, Settings(flags: lesson.flags))
        return output.text
    }

    /// The whole lesson, shortened by its knobs: key lines present, and the same text twice.
    @Test func wholeLessonRunsAndRepeatsExactly() throws {
        let first = try collect(Self.shortRun)
        #expect(first.contains("Epoch [1/2], Loss: 0.3233, LR: 1.00e-03"))
        #expect(first.contains("Epoch [2/2], Loss: 0.1467, LR: 1.00e-03"))
        #expect(first.contains("parameters: 191873"))
        #expect(first.contains("final exam: test MSE"))
        #expect(first.contains("reloaded predictions identical bit for bit: true; optimizer restored: true; scheduler restored: true"))
        #expect(first.contains("Test predictions: ["))
        for cell in 1...8 { #expect(first.contains("Cell \(cell) · ")) }
        let second = try collect(Self.shortRun)
        #expect(first == second)
    }

    @Test func quietPrintsOnlyHeadlines() throws {
        let text = try collect(Self.shortRun + ["--quiet", "--compare-epochs", "1"])
        #expect(!text.contains("Epoch [1/2]"))
        #expect(text.contains("full run: final training loss 0.1467"))
        #expect(text.contains("Test predictions: ["))
        #expect(!text.contains("Cell 1 · "))
    }
}

@Suite struct Lesson4ExerciseTests {
    /// Every exercise printed by cell 8 names a test in this file that holds its answer.
    @Test func everyExerciseNamesAnExistingAnswerKey() throws {
        let source = try String(contentsOfFile: #filePath, encoding: .utf8)
        #expect(lesson4Exercises.count == 4)
        for exercise in lesson4Exercises {
            #expect(source.contains("func \(exercise.answerKey)()"), "no test named \(exercise.answerKey)")
        }
    }
}
