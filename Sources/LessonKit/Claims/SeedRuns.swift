// Running one measurement over the lesson's seeds, and the one rule that calls a measured loss
// diverged. Every lesson's comparisons are built from these, so "over 5 seeds", "seeds 42–46" and
// "diverged" mean the same thing in all four.

/// Runs `body` once per seed of the lesson (`lesson.seeds`: --seed, --seed+1, …), showing
/// "what 3/5" on a terminal while it works. The results come back in seed order, so result k of one
/// setting pairs with result k of another (same seed) in a `Comparison`.
///
/// The seeds run concurrently, one per core (`runConcurrently`, ConcurrentRuns.swift): `body` must
/// train from its seed alone and return what it measured, without printing. `concurrently: false`
/// runs them one at a time, for a body that measures its own wall time.
///
///     let losses = overSeeds(lesson, "cell 3: optimizers") { seed in train(seed: seed).finalLoss }
public func overSeeds<T>(_ lesson: Lesson, _ what: Localized, concurrently: Bool = true,
                         _ body: (UInt64) -> T) -> [T] {
    let seeds = lesson.seeds
    lesson.progress(what, 0, of: seeds.count)
    let results = runConcurrently(seeds, maxWorkers: concurrently ? .max : 1,
                                  progress: { lesson.progress(what, $0, of: seeds.count) }, body)
    lesson.endProgress()
    return results
}

/// One measurement per seed, in seed order, as a `SeedSample`.
public func sample(over seeds: [UInt64], _ measure: (UInt64) throws -> Double) rethrows -> SeedSample {
    SeedSample(try seeds.map(measure))
}

// MARK: - The divergence rule

/// A run whose loss ends more than this many times above where it started has diverged, even if the
/// loss is still a finite number (`--lr 10` reaches 1e15 without ever overflowing). Ten times is far
/// beyond anything seed noise does to a run that learns: a learning run ends *below* its start.
public let divergenceFactor = 10.0

/// Whether a loss counts as diverged: not finite, or above `divergenceFactor` × its start. A start
/// below 0.001 counts as 0.001, so a run that began almost perfect is not called diverged for
/// drifting from 1e-6 to 1e-5.
public func isDiverged(loss: Double, start: Double?) -> Bool {
    guard loss.isFinite else { return true }
    guard let start, start.isFinite else { return false }
    return loss > divergenceFactor * Swift.max(start, 1e-3)
}

/// The loss a comparison reads from a run: NaN when the run diverged (stopped by the NaN guard, or
/// `isDiverged`), so its `SeedSample` prints "diverged (k of n seeds)" and any `Comparison` with
/// it gives the verdict `.diverged`.
public func measuredLoss(_ loss: Double, start: Double?, stopped: Bool = false) -> Double {
    stopped || isDiverged(loss: loss, start: start) ? .nan : loss
}

// MARK: - Seeds in words

/// "seeds 42–46" / "随机种子 42–46" (one seed: "seed 42"), for titles and sentences.
public func seedRange(_ lesson: Lesson) -> Localized {
    let s = lesson.seeds
    guard let first = s.first, let last = s.last else { return Localized(en: "no seeds", zh: "没有随机种子") }
    let range = s.count == 1 ? "\(first)" : "\(first)–\(last)"
    return Localized(en: (s.count == 1 ? "seed " : "seeds ") + range, zh: "随机种子 " + range)
}

/// "over 5 seeds" / "5 个随机种子".
public func overSeedCount(_ n: Int) -> Localized {
    Localized(en: "over \(n) seed\(n == 1 ? "" : "s")", zh: "\(n) 个随机种子")
}

/// The short lesson on seed noise (`Catalogue.seedNoise`), said once per lesson, before its first
/// comparison.
public func teachSeedNoise(_ lesson: Lesson) {
    lesson.say(Catalogue.seedNoise(seeds: lesson.seeds.count))
}
