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

/// Trains `settings` once per seed (the seed replaces `settings.seed`), the seeds concurrently.
func trainOverSeeds(_ seeds: [UInt64], _ settings: Settings, train: TensorDataset,
                    validation: TensorDataset) -> SeedRuns {
    trainOverSeeds(seeds, [(settings, train)], validation: validation)[0]
}

/// Trains every setting of `groups`, each on its own training set, once per seed: all the runs
/// concurrently, one per core (LessonKit's `runConcurrently`; each run trains from its own seed, so
/// the results are those of one run after another). `progress(done, total)` is told after each run.
func trainOverSeeds(_ seeds: [UInt64], _ groups: [(settings: Settings, train: TensorDataset)],
                    validation: TensorDataset, progress: (Int, Int) -> Void = { _, _ in }) -> [SeedRuns] {
    trainOverSeeds(seeds, groups, validation: validation, progress: progress) { $1.record }.map {
        SeedRuns(seeds: seeds, runs: $0)
    }
}

/// `trainOverSeeds`, keeping `keep(group, run)` of each trained run (its record, or something
/// measured on its model; `group` indexes `groups`): `[group][seed]`.
func trainOverSeeds<T>(_ seeds: [UInt64], _ groups: [(settings: Settings, train: TensorDataset)],
                       validation: TensorDataset, progress: (Int, Int) -> Void = { _, _ in },
                       keep: (Int, TrainedRun) -> T) -> [[T]] {
    let jobs = groups.indices.flatMap { g in seeds.map { seed in (g, seed) } }
    let kept = runConcurrently(jobs, progress: { progress($0, jobs.count) }) { g, seed in
        var s = groups[g].settings
        s.seed = seed
        return keep(g, trainWithValidation(train: groups[g].train, validation: validation, settings: s))
    }
    return groups.indices.map { g in Array(kept[(g * seeds.count)..<((g + 1) * seeds.count)]) }
}

/// Prints the diagnosis of the first diverged run among `groups` once, naming its seed and setting.
func sayFirstDivergence(_ lesson: Lesson, _ groups: [(name: Localized, runs: SeedRuns)]) {
    guard let (name, first) = groups.lazy.compactMap({ g in g.runs.firstDivergence.map { (g.name, $0) } }).first
    else { return }
    lesson.say(en: "At least one run diverged. The first, \(name.en) with random seed \(first.seed):",
               zh: "至少有一次训练发散了。第一个是“\(name.zh)”，随机种子 \(first.seed)：")
    sayDiverged(lesson, first.divergence)
}
