// Problem 1's training runs and their wording helpers, used by cell 7 (Cell7_Problem1.swift).
import Engine
import LessonKit

/// One labelled training run of problem 1.
struct NamedRun {
    let name: Localized
    let run: TrainingRun
}

/// Problem 1's numbers for one seed: the same model and steps, trained on versions of the data.
struct Problem1Result {
    /// Clean labels; inputs standardised, raw (seed units), raw (recorded units) — or, for a CSV
    /// file, standardised and raw (file units).
    let inputs: [NamedRun]
    /// The seed's own line, one global mean and std for every input (synthetic data only).
    let globalScaling: TrainingRun?
    /// The last (largest) raw version again, with gradient clipping switched off.
    let unclipped: TrainingRun
    /// Standardised inputs; labels clean, noisy, and (with a label check) noisy then cleaned.
    let labels: [NamedRun]
    /// Noisy labels, trained with AdamW's weight decay (`--weight-decay`).
    let weightDecay: TrainingRun
    /// Noisy labels, only the first half of the training rows.
    let halfData: TrainingRun
    /// Clean labels, sigmoid instead of tanh: standardised and the largest raw version.
    let sigmoid: [NamedRun]
    /// The validation MSE of always predicting the training labels' mean: what "learned nothing" scores.
    let baseline: Float
    let noisyRows: Int
    /// Rows the label check dropped (nil without a check), and how many of them were noisy.
    let droppedRows: Int?
    let droppedNoisy: Int?

    /// Every run, for the divergence check.
    var allRuns: [TrainingRun] {
        inputs.map(\.run) + [globalScaling].compactMap { $0 } + [unclipped] + labels.map(\.run)
            + [weightDecay, halfData] + sigmoid.map(\.run)
    }
}

/// The validation MSE of predicting the training labels' mean for every sample (0 after the target
/// scaler, which was fitted on the training labels): about 1, the variance of the labels.
func predictTheMeanMSE(_ split: SplitResult) -> Float {
    let v = split.yScaler.transform(split.splits.validation.targets)     // [n, 1]
    return (v * v).mean().item
}

/// The seed's own standardisation line, with the mean and std taken from the training split:
/// `(x − mean) / std`, one number each for every input.
func globalScaling(_ split: SplitResult) -> (Tensor) -> Tensor {
    let train = flattened(split.splits.train).inputs
    let mean = train.mean(), std = train.variance(unbiased: true).sqrt()
    return { ($0 - mean) / std }
}

/// Trains every variant of problem 1 on the given split (one seed: `settings.seed`).
///
/// - Parameters:
///   - synthetic: the seed's data: add the seed's global scaling, the "recorded units" input
///     version, and the run whose noisy labels were found by `checkLabels` and dropped (possible
///     only where the rule behind the labels is known).
func computeProblem1(_ split: SplitResult, settings: Settings, synthetic: Bool = true) -> Problem1Result {
    func train(_ data: Splits, activation: Activation = .tanh, clip: Float? = 1, weightDecay: Double = 0)
        -> TrainingRun {
        trainSmallModel(train: data.train, validation: data.validation, steps: settings.steps,
                        learningRate: settings.learningRate, clip: clip, weightDecay: weightDecay,
                        activation: activation, seed: settings.seed)
    }
    let versions = inputVersions(split, synthetic: synthetic)
    let inputRuns = versions.map { version in
        NamedRun(name: version.name, run: train(transformed(split.splits, version.transform, yScaler: split.yScaler)))
    }
    let global = synthetic ? train(transformed(split.splits, globalScaling(split), yScaler: split.yScaler)) : nil
    let largest = versions[versions.count - 1]
    let unclipped = train(transformed(split.splits, largest.transform, yScaler: split.yScaler), clip: nil)
    // Noisy labels on the training split only: validation keeps the true labels, so its score
    // says how well the model learned the real rule.
    var generator = Generator(seed: settings.seed &+ 6)
    let clean = split.splits.train
    let labelStd = clean.targets.variance(unbiased: false).sqrt().item
    let (noisyY, noisyRows) = injectLabelNoise(clean.targets, fraction: settings.noise, std: 2 * labelStd,
                                               generator: &generator)
    let noisy = TensorDataset(inputs: clean.inputs, targets: noisyY)
    let standardise: (Tensor) -> Tensor = { split.xScaler.transform($0) }
    func withTrain(_ d: TensorDataset) -> Splits {
        transformed(Splits(train: d, validation: split.splits.validation, test: split.splits.test), standardise,
                    yScaler: split.yScaler)
    }
    var labelRuns = [NamedRun(name: Localized(en: "clean labels", zh: "干净标签"), run: inputRuns[0].run),
                     NamedRun(name: Localized(en: "noisy labels", zh: "噪声标签"), run: train(withTrain(noisy)))]
    var dropped: Int?, droppedNoisy: Int?
    if synthetic {
        let check = checkLabels(table: flattened(noisy).inputs, targets: noisyY, noisyRows: noisyRows)
        let flagged = Set(check.flagged)
        let kept = noisy.subset((0..<noisy.count).filter { !flagged.contains($0) })
        labelRuns.append(NamedRun(name: Localized(en: "noisy, then checked", zh: "噪声标签，经检查清洗"),
                                  run: train(withTrain(kept))))
        dropped = check.flagged.count
        droppedNoisy = check.caught
    }
    let decayed = train(withTrain(noisy), weightDecay: settings.weightDecay)
    // The training split is already shuffled, so its first half is a random half.
    let half = train(withTrain(noisy.subset(Array(0..<Swift.max(2, noisy.count / 2)))))
    let sigmoidRuns = [versions[0], largest].map { version in
        NamedRun(name: version.name,
                 run: train(transformed(split.splits, version.transform, yScaler: split.yScaler), activation: .sigmoid))
    }
    return Problem1Result(inputs: inputRuns, globalScaling: global, unclipped: unclipped, labels: labelRuns,
                          weightDecay: decayed, halfData: half, sigmoid: sigmoidRuns,
                          baseline: predictTheMeanMSE(split), noisyRows: noisyRows.count,
                          droppedRows: dropped, droppedNoisy: droppedNoisy)
}

/// Problem 1 on every seed of the comparison; `runs[0]` is the first seed's (the one drawn).
struct Problem1Seeds {
    let seeds: [UInt64]
    let runs: [Problem1Result]

    /// One measurement per seed.
    func values(_ measure: (Problem1Result) -> Float) -> SeedSample { SeedSample(runs.map(measure)) }

    /// The validation MSE of a run, per seed.
    func validation(_ run: (Problem1Result) -> TrainingRun) -> SeedSample { values { run($0).validationLoss } }

    /// What "learned nothing" scores, averaged over seeds: runs at or above it count as failed.
    var baseline: SeedSample { values(\.baseline) }

    /// `a` against `b` over the seeds; a run no better than predicting the mean counts as diverged.
    func compare(_ a: (Problem1Result) -> TrainingRun, _ b: (Problem1Result) -> TrainingRun) -> Comparison {
        Comparison(validation(a), validation(b), divergenceLimit: baseline.mean)
    }
}

/// Runs problem 1 on each seed, with that seed's split (`splitFor`), the seeds concurrently
/// (LessonKit's `runConcurrently`: one per core, the results in seed order).
func computeProblem1(seeds: [UInt64], settings: Settings, synthetic: Bool = true,
                     splitFor: (UInt64) -> SplitResult, progress: (Int) -> Void = { _ in }) -> Problem1Seeds {
    let runs = runConcurrently(seeds, progress: progress) { seed in
        computeProblem1(splitFor(seed), settings: settings.with(seed: seed), synthetic: synthetic)
    }
    return Problem1Seeds(seeds: seeds, runs: runs)
}

/// The loss curves of some runs (mean of every 10 steps), on a log scale.
func lossChart(_ lesson: Lesson, title: Localized, _ runs: [NamedRun]) -> LineChart {
    LineChart(title: title(lesson.language),
              series: runs.map { named in
                  let curve = named.run.smoothed(10)
                  return .init(named.name(lesson.language), curve, x: curve.indices.map { Float($0 * 10 + 10) })
              },
              xLabel: lesson.tr(en: "step", zh: "步"), yLabel: "MSE", logScale: true)
}

/// The wording for a comparison whose runs did not all learn (`Problem1Seeds.compare` calls it "diverged").
/// Two failures, told apart by the numbers: a run that blew up (a loss that is not finite) diverged; a
/// run that stayed finite but ended no better than predicting the mean learned nothing.
func didNotLearn(_ comparison: Comparison, _ what: Localized) -> Localized {
    if learnedNothing(comparison) {
        return Localized(en: "\(what.en): at least one run stayed finite but ended no better than predicting the "
                             + "mean: it learned nothing, so this comparison says nothing about the data.",
                         zh: "\(what.zh)：至少有一次训练的损失虽是有限数，结果却不比直接预测均值好："
                             + "它什么也没学到，这个对比说明不了数据的任何问题。")
    }
    return Localized(en: "\(what.en): at least one run diverged (its loss is not finite), so this comparison says "
                         + "nothing about the data.",
                     zh: "\(what.zh)：至少有一次训练发散了（损失不是有限数），这个对比说明不了数据的任何问题。")
}

/// A comparison judged "diverged" only because a run ended at or above the mean's score: every
/// value is finite, so nothing blew up; the run learned nothing.
func learnedNothing(_ comparison: Comparison) -> Bool {
    comparison.verdict == .diverged && comparison.a.isFinite && comparison.b.isFinite
}

/// `lesson.meanSpread(_:verdictOf:)` for lesson 1's `--quiet` lines, except that a comparison whose
/// runs stayed finite but learned nothing reads "learned nothing (no better than the mean)", not
/// "diverged": the word a blown-up run gets.
func problem1MeanSpread(_ lesson: Lesson, _ sample: SeedSample, verdictOf id: String?,
                        reversed: Bool = false) -> String {
    guard let id, let claim = lesson.claims.claims.last(where: { $0.id == id }),
          case .comparison(let comparison) = claim.check, claim.asserted == Verdict.diverged.rawValue,
          learnedNothing(comparison) else {
        return lesson.meanSpread(sample, verdictOf: id, reversed: reversed)
    }
    let numbers = meanSpread(sample, lesson.language)
    return lesson.language == .zh ? "\(numbers)（什么也没学到，不比均值好）"
        : "\(numbers) (learned nothing, no better than the mean)"
}
