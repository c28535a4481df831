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

@Suite struct Lesson4OverfittingTests {
    /// Cell 5 over the default seeds: the symptom (training loss near zero, validation loss far above
    /// it) and each fix, judged against the seed noise.
    @Test func overfittingShownThenFixed() {
        let data = makeLessonData(seed: 42)
        let ex = runOverfitExperiment(data: data, trainSize: 32, epochs: 60, base: Settings(), seeds: defaultSeeds)
        let o = ex.overfit
        #expect(o.runs.count == 5 && o.runs.allSatisfy { !$0.diverged && $0.settings.model == .small })
        // Symptom: memorised (mean training loss < 0.01) yet failing the exam.
        #expect(abs(o.training.mean - 0.0031) < 5e-4)
        #expect(abs(o.validation.mean - 0.5917) < 5e-4 && abs(o.validation.spread - 0.1256) < 5e-4)
        #expect(verdict(o.training, o.validation) == .lower)
        // It does not measurably climb back from its best within 60 epochs.
        #expect(abs(o.bestValidation.mean - 0.5741) < 5e-4)
        #expect(verdict(o.validation, o.bestValidation) == .noMeasurableDifference)
        // The fixes against "none", seed by seed.
        #expect(abs(ex.weightDecayed.validation.mean - 0.4765) < 5e-4)
        #expect(verdict(ex.weightDecayed.validation, o.validation) == .noMeasurableDifference)
        #expect(abs(ex.droppedOut.validation.mean - 0.7686) < 5e-4)
        #expect(verdict(ex.droppedOut.validation, o.validation) == .noMeasurableDifference)
        #expect(abs(ex.smaller.validation.mean - 0.9744) < 5e-4)
        #expect(verdict(ex.smaller.validation, o.validation) == .higher)          // too small: it underfits
        #expect(ex.smaller.training.mean > 0.5)
        #expect(abs(ex.moreData.validation.mean - 0.1061) < 5e-4)
        #expect(verdict(ex.moreData.validation, o.validation) == .lower)          // the real cure
        #expect(ex.moreData.runs[0].settings.epochs == 3)                        // 75 steps against 60
        #expect(verdict(ex.moreData.validation, ex.weightDecayed.validation) == .lower)
        // Early stopping: each seed's best weights, exactly.
        for (run, es) in zip(o.runs, ex.earlyStopped) { #expect(es.restoredValidationLoss == run.bestValidationLoss) }
        #expect(verdict(ex.earlyStoppedValidation, o.validation) == .noMeasurableDifference)
        // Exercise 4 (answer key): with `--stop-patience 3` early stopping halts the drawn run (seed 42)
        // at epoch 43 and keeps epoch 40 (replaying its validation losses through `EarlyStopping`).
        let stopper = EarlyStopping(patience: 3)
        let stop = o.runs[0].validationLosses.firstIndex { stopper.step($0, tensors: []) }.map { $0 + 1 }
        #expect(stop == 43 && stopper.bestEpoch == 40)
    }

    /// Exercise 2 (answer key): `--train-size 16` overfits harder than 32 samples: a higher
    /// validation loss over the same seeds, beyond the noise.
    @Test func exercise2SixteenSamples() {
        let data = makeLessonData(seed: 42)
        func runs(_ n: Int) -> SeedRuns {
            trainOverSeeds(defaultSeeds, overfitSettings(Settings(), epochs: 60),
                           train: data.train.subset(Array(0..<n)), validation: data.validation)
        }
        let sixteen = runs(16), thirtyTwo = runs(32)
        #expect(sixteen.training.mean < 0.005)
        #expect(abs(sixteen.validation.mean - 0.8242) < 5e-4)
        #expect(verdict(sixteen.validation, thirtyTwo.validation) == .higher)
    }
}

@Suite struct Lesson4ComparisonTests {
    /// Cell 6: clipping, weight decay and dropout on and off (small model, 8 epochs, 5 seeds).
    @Test func clippingWeightDecayAndDropoutComparedSideBySide() {
        let results = runComparisons(data: makeLessonData(seed: 42), epochs: 8, base: Settings(), seeds: defaultSeeds)
        #expect(results.count == 6)
        let byName = Dictionary(uniqueKeysWithValues: results.map { ($0.variant.name.en, $0.runs) })
        let seed = byName["seed (clip, wd, dropout)"]!, noClip = byName["no clipping"]!
        let noDecay = byName["no weight decay"]!, noDropout = byName["no dropout"]!
        let clipHigh = byName["lr ×10, clipping"]!, noClipHigh = byName["lr ×10, no clipping"]!
        // The seed's clip at 1.0 acts on most steps; off, it never does.
        #expect(clippedSteps(seed) == (739, 1_000) && clippedSteps(noClip).clipped == 0)
        #expect(abs(seed.validation.mean - 0.0531) < 5e-4)
        #expect(verdict(noClip.validation, seed.validation) == .higher)
        // The seed's weight decay (1e-4 × lr 1e-3 per step) is too weak to see in 8 epochs.
        #expect(verdict(noDecay.validation, seed.validation) == .noMeasurableDifference)
        // With enough data, dropout only slows this small model down.
        #expect(verdict(noDropout.validation, seed.validation) == .lower)
        // Exercise 3 (answer key): at ten times the learning rate, clipping gives no measurable
        // difference over 5 seeds (0.0341 with, 0.0399 without: inside the seed noise).
        #expect(abs(clipHigh.validation.mean - 0.0341) < 5e-4 && abs(noClipHigh.validation.mean - 0.0399) < 5e-4)
        #expect(verdict(noClipHigh.validation, clipHigh.validation) == .noMeasurableDifference)
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
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("lesson4-test-\(UUID().uuidString).safetensors")
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

/// Runs the whole lesson in-process on `arguments`, collecting its text; returns the lesson too (its claims).
func runCollected(_ arguments: [String], screen: ScreenSize? = nil) throws -> (text: String, lesson: Lesson) {
    let output = LessonOutput.collecting()
    let lesson = Lesson(flags: try lessonFlags(arguments), title: "Lesson 4", output: output, screen: screen)
    try runLesson(lesson, Settings(flags: lesson.flags))
    return (output.text, lesson)
}

@Suite struct Lesson4WholeLessonTests {
    static let shortRun = ["--epochs", "2", "--overfit-epochs", "8", "--compare-epochs", "1", "--train-size", "16",
                           "--seeds", "2"]

    /// The whole lesson, shortened by its knobs: key lines present, and the same text twice.
    @Test func wholeLessonRunsAndRepeatsExactly() throws {
        let first = try runCollected(Self.shortRun).text
        #expect(first.contains("Epoch [1/2], Loss: 0.3233, LR: 1.00e-03"))
        #expect(first.contains("Epoch [2/2], Loss: 0.1467, LR: 1.00e-03"))
        #expect(first.contains("parameters: 191,873"))
        #expect(first.contains("final exam: test MSE"))
        #expect(first.contains("reloaded predictions identical bit for bit: true; optimizer restored: true; "
                               + "scheduler restored: true"))
        #expect(first.contains("Test predictions: ["))
        // One numbering: "Cell k · title" for the 8 declared cells, no separate steps.
        for (k, title) in lesson4Cells.enumerated() { #expect(first.contains("Cell \(k + 1) · \(title.en)")) }
        #expect(!first.contains("Step 1"))
        #expect(!first.contains("Training/SeedRun.swift"))
        let second = try runCollected(Self.shortRun).text
        #expect(first == second)
    }

    @Test func quietPrintsOnlyHeadlines() throws {
        let text = try runCollected(Self.shortRun + ["--quiet"]).text
        #expect(!text.contains("Epoch [1/2]"))
        #expect(text.contains("full run: final training loss 0.1467"))
        #expect(text.contains("Test predictions: ["))
        #expect(!text.contains("Cell 1 · "))
    }

    /// The full run's step-through record: one frame per epoch, a gradient norm and a histogram per layer.
    @Test func fullRunIsRecordedForTheReport() throws {
        var s = Settings()
        s.epochs = 2
        let data = makeLessonData(seed: 42)
        var frames: [(EpochRecord, [Double], Int)] = []
        _ = trainWithValidation(train: data.train, validation: data.validation, settings: s,
                                inspect: { e, model, norms in frames.append((e, norms, layerGroups(model).count)) })
        #expect(frames.count == 2)
        #expect(frames[0].2 == 5 && frames[0].1.count == 5)            // input_proj, 3 encoder layers, output_layer
        #expect(frames.allSatisfy { $0.1.allSatisfy { $0 > 0 && $0.isFinite } })
        #expect(layerGroups(makeModel(.seed, dropout: 0, seed: 0)).map(\.name)
                == ["input_proj", "encoder.layers.0", "encoder.layers.1", "encoder.layers.2", "output_layer"])
    }

    /// Issue 14: at 80 and 120 columns, in English and Chinese, no line is wider than the screen.
    @Test(arguments: [(80, "en"), (80, "zh"), (120, "en"), (120, "zh")])
    func outputFitsTheScreen(columns: Int, language: String) throws {
        let text = try runCollected(Self.shortRun + ["--lang", language],
                                    screen: ScreenSize(columns: columns, rows: 40)).text
        let wide = linesWider(than: columns, in: text)
        #expect(wide.isEmpty, "\(wide.count) lines wider than \(columns): \(wide.prefix(3).map(\.text))")
    }

    /// Issue 11: the blog post is 原文, its program 示例脚本; 种子 only as 随机种子.
    @Test func chineseNeverCallsTheBlogPostASeed() throws {
        let text = try runCollected(Self.shortRun + ["--lang", "zh"]).text
        #expect(!text.replacingOccurrences(of: "随机种子", with: "").contains("种子"))
        #expect(text.contains("示例脚本"))
    }
}

@Suite struct Lesson4DivergenceTests {
    static let short = ["--epochs", "3", "--overfit-epochs", "5", "--compare-epochs", "1", "--seeds", "2"]

    /// Issue 12: `--lr 10 --weight-decay 1` trips the NaN guard; the run is called diverged with the
    /// guard's diagnosis, and nothing after reads it as learning (no NaN epoch lines, no predictions).
    @Test func nanIsCaughtAndCalledDiverged() throws {
        let (text, lesson) = try runCollected(Self.short + ["--lr", "10", "--weight-decay", "1"])
        #expect(text.contains("full run: diverged in epoch 1"))
        #expect(text.contains("Likely causes:"))
        #expect(!text.contains("Loss: NaN") && !text.contains("Loss: -nan") && !text.contains("Loss: nan"))
        #expect(!text.contains("Test predictions: ["))
        #expect(!text.contains("memorised its"))
        #expect(text.contains("final exam: not taken"))
        #expect(ClaimLog.audit(lesson.claims.claims).isEmpty)
        let compared = lesson.claims.claims.filter { $0.id.hasPrefix("lesson4.compare.") }
        #expect(!compared.isEmpty && compared.allSatisfy { $0.asserted == "diverged" })
    }

    /// `--lr 10`: a finite loss of about 1e15 is a blow-up, not memorisation.
    @Test func aFiniteBlowUpIsDivergedToo() throws {
        let (text, lesson) = try runCollected(Self.short + ["--lr", "10"])
        #expect(text.contains("more than 10 times where it started"))
        #expect(!text.contains("memorised its"))
        #expect(lesson.claims.claims.first { $0.id == "lesson4.overfit.gap" }?.asserted == "diverged")
        #expect(ClaimLog.audit(lesson.claims.claims).isEmpty)
    }

    /// Exit statuses of the built program, when it has been built: 2 for a bad flag, 1 when the
    /// claims file cannot be written.
    @Test func exitStatuses() throws {
        let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/lesson4")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else { return }
        func status(_ arguments: [String]) throws -> Int32 {
            let process = Process()
            process.executableURL = binary
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus
        }
        #expect(try status(["--lr", "abc"]) == 2)
        #expect(try status(["--train-size", "5"]) == 2)
        #expect(try status(["--epochs", "1", "--overfit-epochs", "2", "--compare-epochs", "1", "--seeds", "1",
                            "--quiet", "--claims", "/proc/lesson4-claims.json"]) == 1)
    }
}

/// Issue 11's audit: run the lesson on seeds no answer key uses and on every knob README's exercises
/// name; every printed claim must hold and no effect may be claimed inside the noise.
@Suite struct Lesson4AuditTests {
    static let fast = ["--epochs", "2", "--seeds", "3"]
    /// Five runs of 3 seeds each (seeds 1000–1002, 1010–1012, …: 15 seeds no answer key uses), and
    /// README's exercise knobs (`--train-size 16`, `--stop-patience 3`) and issue 11's `--lr 10`.
    static let runs: [[String]] = (0..<5).map { fast + ["--seed", "\(1_000 + $0 * 10)"] } + [
        fast + ["--train-size", "16", "--seed", "3"], fast + ["--stop-patience", "3", "--seed", "5"],
        ["--epochs", "2", "--seeds", "2", "--lr", "10"],
    ]

    @Test(arguments: runs)
    func everyClaimHoldsOverFifteenSeedsAndTheExerciseKnobs(arguments: [String]) throws {
        let claims = try runCollected(arguments).lesson.claims.claims
        #expect(claims.count >= 10, "\(arguments): only \(claims.count) claims")
        let problems = ClaimLog.audit(claims)
        #expect(problems.isEmpty, "\(arguments): \(problems)")
    }

    /// The audit can fail: flip one claim's condition and it reports the claim.
    @Test func aFlippedConditionFailsTheAudit() throws {
        let claims = try runCollected(Self.fast).lesson.claims.claims
        #expect(ClaimLog.audit(claims).isEmpty)
        var flipped = claims
        let index = try #require(claims.firstIndex { claim in
            if case .comparison(let c) = claim.check { return c.verdict == .lower || c.verdict == .higher }
            return false
        })
        guard case .comparison(let c) = claims[index].check else { return }
        flipped[index] = Claim(id: claims[index].id, check: .comparison(Comparison(c.b, c.a)),
                               asserted: claims[index].asserted, wording: claims[index].wording)
        #expect(!ClaimLog.audit(flipped).isEmpty)
        // And a threshold with its relation reversed.
        let t = try #require(claims.firstIndex { if case .threshold = $0.check { return true } else { return false } })
        guard case .threshold(let value, let relation, let limit) = claims[t].check else { return }
        let reversed: ClaimCheck.Relation = relation == .below ? .atLeast : relation == .atLeast ? .below
            : relation == .above ? .atMost : .above
        flipped = claims
        flipped[t] = Claim(id: claims[t].id, check: .threshold(value: value, relation: reversed, limit: limit),
                           asserted: claims[t].asserted, wording: claims[t].wording)
        #expect(!ClaimLog.audit(flipped).isEmpty)
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
