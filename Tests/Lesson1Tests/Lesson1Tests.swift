import Engine
import Foundation
import LessonKit
import TestSupport
import Testing
@testable import lesson1

// Answer keys for lesson 1. Every headline number the lesson prints comes from the functions
// called here, with the lesson's default seed (42) and knobs unless a test says otherwise.

/// The lesson's defaults: seed 42, 1000 samples, 20 % noisy labels, 5 % missing cells, lr 1e-3, 300 steps.
let defaults = Settings()

/// The seed's data as the lesson makes it (seed 42).
func seedData(_ settings: Settings = defaults) -> SeedData { syntheticData(settings) }

/// The lesson's split of the seed's data.
func seedSplit(_ settings: Settings = defaults) -> SplitResult { syntheticSplit(settings) }

// MARK: - Cell 1 and 2: the data and their statistics

@Test func stepByStepDataMatchTheEnginesSeedDataset() {
    let data = seedData()
    #expect(data.x.shape == [1000, 5, 10] && data.y.shape == [1000, 1])
    var generator = Generator(seed: 42)
    let engine = makeSeedDataset(samples: 1000, generator: &generator)
    let x = seedStandardise(data.x).scalars, y = seedStandardise(data.y).scalars
    #expect(zip(x, engine.inputs.scalars).map { Swift.abs($0 - $1) }.max()! < 5e-5)
    #expect(zip(y, engine.targets.scalars).map { Swift.abs($0 - $1) }.max()! < 5e-5)
    // y[0] is the mean of sample 0's 50 values (the printed check).
    expectClose(data.y.scalars[0], -0.3395, rel: 0, abs: 1e-4)
}

@Test func positionFiveDominatesTheRawData() {
    let r = computeStatistics(seedData())
    // Position t has std ≈ t; position 5 holds t²/Σt² = 25/55 ≈ 45 % of the variance.
    for (t, stat) in r.raw.enumerated() { expectClose(stat.std, Float(t + 1), rel: 0, abs: 0.03) }
    expectClose(r.raw[4].std, 4.9835, rel: 0, abs: 1e-3)
    #expect(Swift.abs(r.raw[4].varianceShare - 25.0 / 55) < 0.005)
    // The seed's global scaling keeps the ratio; per-position scaling removes it.
    expectClose(StatisticsResult.loudness(r.raw), StatisticsResult.loudness(r.global), rel: 0, abs: 1e-4)
    expectClose(r.global[4].std, 1.5058, rel: 0, abs: 1e-3)
    for stat in r.perPosition { expectClose(stat.std, 1, rel: 0, abs: 1e-4) }
    expectClose(r.rawStd, 3.3096, rel: 0, abs: 1e-3)
}

// MARK: - Cell 3: the dirty copy

@Test func dirtIsFoundAndCleaned() {
    let r = computeDirty(seedData(), settings: defaults)
    #expect(r.dirty.missingCells.count == 2500 && r.dirty.outlierCells.count == 500 && r.dirty.noisyRows.count == 200)
    #expect(r.missingPerPosition == [502, 523, 480, 492, 503])
    // z-score: every stuck sensor, one false alarm; IQR: every one, plus 324 genuine tail values.
    #expect(r.zScore.caught == 500 && r.zScore.falseAlarms == 1)
    #expect(r.iqr.caught == 500 && r.iqr.falseAlarms == 324)
    // Symptom and fix: RMSE to the truth over all cells, from no clipping to IQR clipping.
    let overall = r.cleaning.map(\.overall)
    expectClose(overall[0], 3.3860, rel: 0, abs: 1e-3)
    expectClose(overall[3], 1.2083, rel: 0, abs: 1e-3)
    #expect(overall[3] < overall[2] && overall[2] < overall[1] && overall[1] < overall[0])
    // The median beats the mean at the missing cells (the stuck sensors drag the mean).
    #expect(r.cleaning[1].atMissing < r.cleaning[0].atMissing)
    // The label check: 138 rows flagged, 122 of the 200 noisy ones.
    #expect(r.labels.flagged.count == 138 && r.labels.caught == 122)
    expectClose(r.labels.threshold, 0.518, rel: 0, abs: 1e-3)
}

// MARK: - Cell 4: split, batch, scaler

@Test func splitBatchAndScalerFittedOnTrainingDataOnly() {
    let r = seedSplit()
    let sizes: [Int] = [r.splits.train.count, r.splits.validation.count, r.splits.test.count]
    #expect(sizes == [800, 100, 100])
    #expect(r.batchX.shape == [32, 5, 10] && r.batchY.shape == [32, 1])
    // The scaler's numbers are the training split's own column statistics.
    let train = flattened(r.splits.train).inputs
    let mean = train.mean(dim: 0).scalars
    let std = train.variance(dims: [0], unbiased: false).sqrt().scalars
    for f in [0, 10, 40] {
        expectClose(r.xScaler.mean[f], mean[f], rel: 0, abs: 1e-5)
        expectClose(r.xScaler.std[f], std[f], rel: 0, abs: 1e-4)
    }
    expectClose(r.xScaler.std[40], 4.9878, rel: 0, abs: 1e-3)
    // After scaling: the training split exactly 0 / 1, validation and test only close.
    let m = scaledMoments(r)
    #expect(Swift.abs(m[0].mean) < 1e-5 && Swift.abs(m[0].std - 1) < 1e-4)
    #expect(Swift.abs(m[1].mean) > 1e-3 && Swift.abs(m[1].mean) < 0.05 && Swift.abs(m[1].std - 1) > 1e-3)
    // The same seed gives the same split and batch.
    let again = seedSplit()
    #expect(again.batchY.scalars == r.batchY.scalars)
}

// MARK: - Cell 5: saturation and gradients at the first step (the themes)

@Test func rawInputsSaturateTanhAndSigmoid() {
    let split = seedSplit()
    let x = flattened(TensorDataset(inputs: split.batchX, targets: split.batchY)).inputs
    let y = split.yScaler.transform(split.batchY)
    let standardised = firstLook(x: split.xScaler.transform(x), y: y, seed: 42)
    let recorded = firstLook(x: recordedUnits(x), y: y, seed: 42)
    #expect(standardised.saturatedTanh < 0.01 && standardised.saturatedSigmoid < 0.01)
    #expect(recorded.saturatedTanh > 0.9 && recorded.saturatedSigmoid > 0.85)
    #expect(Swift.abs(recorded.saturatedTanh - 0.934) < 0.001)
    // Raw inputs make a larger gradient: 17.2 against 1.56 (the clip threshold is 1).
    expectClose(standardised.gradientNorm, 1.5636, rel: 0, abs: 1e-3)
    expectClose(recorded.gradientNorm, 17.1634, rel: 0, abs: 1e-2)
    // A saturated unit passes (almost) no gradient back: dL/dz = dL/dh · (1 − h²).
    let h = recorded.h.scalars, g = recorded.gradZ.scalars
    let saturatedGrad = zip(h, g).filter { Swift.abs($0.0) > 0.99 }.map { Swift.abs($0.1) }.max()!
    let freeGrad = zip(h, g).filter { Swift.abs($0.0) < 0.5 }.map { Swift.abs($0.1) }.max()!
    #expect(saturatedGrad < freeGrad / 10)
    // Position 5 dominates the first layer's update on the seed's raw data, not when standardised.
    let raw = firstLook(x: x, y: y, seed: 42).weightGradientByGroup
    #expect(raw.count == 5 && raw.max()! / raw.min()! > 6 && raw[4] > 6 * raw[0])
    let even = standardised.weightGradientByGroup
    #expect(even.max()! / even.min()! < 2)
    expectClose(raw[0], 0.2371, rel: 0, abs: 1e-3)
}

// MARK: - Cell 6: leakage

@Test func leakyScalerLetsValidationDataMoveTrainingInputs() {
    let r = computeLeakage(seedSplit(), steps: 300, learningRate: 1e-3, seed: 42)
    #expect(r.changedTrainFit == 0 && r.changedAllFit == 40_000)
    expectClose(r.validationTrainFit, 0.0083, rel: 0, abs: 2e-4)
    expectClose(r.validationAllFit, 0.0081, rel: 0, abs: 2e-4)
    #expect(r.largestMeanGap < 0.05 && r.largestStdRatio < 1.03)
}

// MARK: - Cell 7: problem 1, symptom and fix

@Test func problem1RawInputsAndNoisyLabelsStallTheLoss() {
    let r = computeProblem1(seedSplit(), settings: defaults)
    let standardised = r.inputs[0].run, seedRaw = r.inputs[1].run, recorded = r.inputs[2].run
    // Symptom: in recorded units the loss stalls, 94 % of tanh units saturate, every step is clipped.
    // (This run lives on saturated units, where a last-bit change in the engine's sums moves the
    // final numbers by ~10 %: it is pinned by its symptom, the others to 4 digits.)
    #expect(recorded.finalLoss > 0.4 && recorded.validationLoss > 0.5 && recorded.validationLoss < 0.75)
    #expect(recorded.validationLoss > 50 * standardised.validationLoss)
    #expect(recorded.clippedSteps == 300 && recorded.saturationEnd > 0.9)
    // Fix: standardised inputs learn the rule; far fewer steps clipped, no saturated units.
    expectClose(standardised.validationLoss, 0.0083, rel: 0, abs: 2e-4)
    #expect(standardised.clippedSteps == 60 && standardised.saturationEnd < 0.01)
    // The seed's own raw data sit in between.
    #expect(seedRaw.validationLoss > 5 * standardised.validationLoss)
    #expect(seedRaw.validationLoss < recorded.validationLoss)
    // Noisy labels: a floor under the training loss and a worse model; the label check repairs it.
    let noisy = r.labels[1].run, checked = r.labels[2].run
    #expect(r.noisyRows == 160 && r.droppedRows == 160 && r.droppedNoisy == 160)
    #expect(noisy.finalLoss > 0.5 && noisy.validationLoss > 5 * standardised.validationLoss)
    expectClose(noisy.validationLoss, 0.0563, rel: 0, abs: 1e-3)
    // Sigmoid instead of tanh: the same symptom on raw inputs, the same fix.
    let sigmoidStd = r.sigmoid[0].run, sigmoidRaw = r.sigmoid[1].run
    expectClose(sigmoidStd.validationLoss, 0.0071, rel: 0, abs: 2e-4)
    #expect(sigmoidRaw.validationLoss > 0.3 && sigmoidRaw.saturationEnd > 0.8 && sigmoidRaw.clippedSteps == 300)
    // Wrong answers trip clipping too: 273 of 300 steps against 60.
    #expect(noisy.clippedSteps == 273)
    expectClose(checked.validationLoss, 0.0081, rel: 0, abs: 2e-4)
    expectClose(seedRaw.validationLoss, 0.0637, rel: 0, abs: 5e-4)
    // The seed's own global scaling trains as well as per-column standardisation on this seed.
    expectClose(r.globalScaling?.validationLoss ?? .nan, 0.0083, rel: 0, abs: 2e-4)
    // Clipping off, recorded units: as stalled as with it (0.5583 against 0.5363; pinned by symptom).
    #expect(r.unclipped.clippedSteps == 0 && r.unclipped.validationLoss > 0.45 && r.unclipped.validationLoss < 0.7)
    #expect(r.unclipped.saturationEnd > 0.9)
    // Regularization against the noisy labels: weight decay 1 a little, half the rows much worse.
    expectClose(r.weightDecay.validationLoss, 0.0537, rel: 0, abs: 1e-3)
    expectClose(r.halfData.validationLoss, 0.1935, rel: 0, abs: 2e-3)
    // Predicting the mean: about the labels' variance.
    expectClose(r.baseline, 0.9073, rel: 0, abs: 1e-3)
    #expect(r.allRuns.allSatisfy { $0.diverged == nil })
}

// MARK: - The whole lesson

func runCollecting(_ arguments: [String]) throws -> String {
    let flags = try FlagParser(program: "lesson1", options: lessonOptions).parse(arguments)
    let output = LessonOutput.collecting()
    let lesson = Lesson(flags: flags, title: lesson1Title, output: output)
    try runLesson(lesson, Settings(flags: flags))
    return output.text
}

@Test func wholeLessonPrintsItsHeadlinesTheSameWayTwice() throws {
    let first = try runCollecting([])
    for line in ["data: X [1000, 5, 10], y [1000, 1]; y[0] = -0.3395",
                 "position 5 holds 45.3 % of the variance",
                 "IQR caught 500 (324 false alarms), z-score 500 (1)",
                 "split 800/100/100; one batch: x [32, 5, 10], y [32, 1]",
                 "one validation sample moves 0 vs 40,000 training values",
                 "checked against noisy): standardised 0.007006 ± 0.0014, raw (seed units) 0.05154 ± 0.0084 (higher),",
                 "raw (recorded units), clipping on / off: 0.6503 ± 0.11 / 0.6803 ± 0.1 (no measurable",
                 "first step: saturated tanh 0.1 % / 15.7 % / 93.4 %",
                 "The blog post's script is right to standardise.",
                 "Clipping on against off, inputs raw (recorded units): ",
                 "more rows (all of them against half), AdamW's weight decay, and cleaning the labels.",
                 "Unit 6: standardised h = -0.753, dL/dz = -1.01e-03; raw h = -0.999, dL/dz = -8.83e-06"] {
        #expect(first.contains(line), "missing: \(line)")
    }
    #expect(try runCollecting([]) == first)
}

@Test func quietPrintsOnlyHeadlinesAndChineseWorks() throws {
    let quiet = try runCollecting(["--quiet"]).split(separator: "\n")
    #expect(quiet.count == 9)
    #expect(quiet.first!.hasPrefix("data: X [1000, 5, 10]"))
    let zh = try runCollecting(["--quiet", "--lang", "zh"])
    #expect(zh.contains("第 5 个位置占方差的 45.3 %"))
}

@Test func csvPathRunsOnTheExampleFile() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let path = root.appendingPathComponent("docs/lesson1/houses.csv").path
    let text = try runCollecting(["--data", path, "--quiet", "--target", "price_k"])
    #expect(text.contains("300 rows × 4 features; 12 missing cells"))
    #expect(text.contains("split 240/30/30"))
    #expect(text.contains("standardised 0.05689 ± 0.016, raw (file units) 0.2632"))
    // The default target is the last column, which is price_k here.
    #expect(try runCollecting(["--data", path, "--quiet"]) == text)
    // A wrong target column is explained, not a crash.
    #expect {
        try runCollecting(["--data", path, "--quiet", "--target", "price"])
    } throws: { error in
        guard let e = error as? LessonError else { return false }
        return e.status == 2 && e.message.en.contains("no column named 'price'; the columns are 'area_m2', 'rooms'")
            && e.message.zh.contains("没有名为 “price” 的列")
    }
}

@Test func targetIsATextOption() throws {
    let parser = FlagParser(program: "lesson1", options: lessonOptions)
    let given = try parser.parse(["--quiet", "--target", "price"])
    #expect(Settings(flags: given).target == "price" && given.quiet)
    #expect(Settings(flags: try parser.parse(["--target=y"])).target == "y")
    #expect(Settings(flags: try parser.parse([])).target == nil)
    #expect(parser.usage().contains("  --target NAME       column name, with --data: the column to predict, cells 1–7 "
                                    + "(default: the last column)"))
}

@Test func theSymptomsDoNotDependOnTheSeed() {
    // Another seed, the same story: raw units stall and saturate, standardising fixes it,
    // noisy labels hurt and the label check repairs them.
    var s = Settings()
    s.seed = 7
    let r = computeProblem1(seedSplit(s), settings: s)
    let standardised = r.inputs[0].run, seedRaw = r.inputs[1].run, recorded = r.inputs[2].run
    #expect(standardised.validationLoss < 0.01 && seedRaw.validationLoss > 5 * standardised.validationLoss)
    #expect(recorded.validationLoss > 0.5 && recorded.saturationEnd > 0.9 && recorded.clippedSteps == 300)
    #expect(standardised.clippedSteps < 100)
    #expect(r.labels[1].run.validationLoss > 5 * standardised.validationLoss)
    #expect(r.labels[2].run.validationLoss < 0.01)
}
