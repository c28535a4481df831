import Engine
import LessonKit

// One run proves little: the same settings trained with another random seed (other initial weights,
// another batch order, other dropout masks) end at another loss. So every side-by-side comparison in
// this lesson trains each setting on the same several seeds (`--seeds`, default 5), prints the mean
// ± spread, and lets LessonKit's `Comparison` (a paired t-test over the seeds) decide whether a
// difference is an effect or noise.

/// One setting trained once per seed, on the same data.
struct SeedRuns {
    let seeds: [UInt64]
    let runs: [RunRecord]

    /// The final validation loss per seed (NaN for a diverged run).
    var validation: SeedSample { SeedSample(runs.map(\.finalValidationLoss)) }
    /// The final training loss per seed (NaN for a diverged run).
    var training: SeedSample { SeedSample(runs.map(\.finalTrainLoss)) }
    /// The best validation loss per seed (NaN for a diverged run).
    var bestValidation: SeedSample { SeedSample(runs.map { $0.diverged ? .nan : $0.bestValidationLoss }) }
    /// The first diverged run, with its seed.
    var firstDivergence: (seed: UInt64, divergence: Divergence)? {
        zip(seeds, runs).first { $0.1.divergence != nil }.map { ($0.0, $0.1.divergence!) }
    }
    /// The mean over seeds of each epoch's validation loss (epochs every run finished), for a chart.
    var meanValidationCurve: [Double] {
        let n = runs.map(\.epochs.count).min() ?? 0
        return (0..<n).map { e in runs.reduce(0) { $0 + $1.epochs[e].validationLoss } / Double(runs.count) }
    }
}

/// Trains `settings` once per seed (the seed replaces `settings.seed`); `onEpoch` is called after
/// every epoch of every run (for a progress line).
func trainOverSeeds(_ seeds: [UInt64], _ settings: Settings, train: TensorDataset,
                    validation: TensorDataset, onEpoch: () -> Void = {}) -> SeedRuns {
    SeedRuns(seeds: seeds, runs: seeds.map { seed in
        var s = settings
        s.seed = seed
        return trainWithValidation(train: train, validation: validation, settings: s, onEpoch: { _ in onEpoch() })
            .record
    })
}

/// Prints the diagnosis of the first diverged run among `groups` once, naming its seed and setting.
func sayFirstDivergence(_ lesson: Lesson, _ groups: [(name: Localized, runs: SeedRuns)]) {
    guard let (name, first) = groups.lazy.compactMap({ g in g.runs.firstDivergence.map { (g.name, $0) } }).first
    else { return }
    lesson.say(en: "At least one run diverged. The first, \(name.en) with random seed \(first.seed):",
               zh: "至少有一次训练发散了。第一个是“\(name.zh)”，随机种子 \(first.seed)：")
    sayDiverged(lesson, first.divergence)
}
