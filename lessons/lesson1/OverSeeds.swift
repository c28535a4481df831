import Engine
import LessonKit

// One run proves little: train the same model on the same data twice with another seed (another
// split, another initialisation, another shuffle) and the validation MSE moves. So every
// side-by-side comparison of this lesson runs each setting on `lesson.seeds` (the same seeds for
// both settings) and prints the mean ± the spread over seeds; LessonKit's `Comparison` calls a
// difference an effect only when it clearly exceeds what the seeds alone produce.
// (What could move to LessonKit: `meanSpread` and `sample(over:)` are not lesson-1 specific.)

/// `0.0083 ± 0.0012`: the mean over seeds and the sample standard deviation; "NaN" when a run
/// diverged, scientific notation for a loss that blew up (≥ 10,000).
func meanSpread(_ s: SeedSample, _ decimals: Int = 4) -> String {
    guard s.isFinite else { return "NaN" }
    if Swift.abs(s.mean) >= 1e4 { return "\(sci(s.mean)) ± \(sci(s.spread))" }
    return "\(fixed(s.mean, decimals)) ± \(fixed(s.spread, decimals))"
}

/// One measurement per seed, in seed order.
func sample(over seeds: [UInt64], _ measure: (UInt64) -> Float) -> SeedSample {
    SeedSample(seeds.map { Double(measure($0)) })
}

extension Settings {
    /// The same knobs with another seed: what each seed of a comparison runs with.
    func with(seed: UInt64) -> Settings {
        var s = self
        s.seed = seed
        return s
    }
}

/// "over 5 seeds" in the lesson's language.
func overSeeds(_ n: Int) -> Localized {
    Localized(en: "over \(n) seed\(n == 1 ? "" : "s")", zh: "\(n) 个随机种子")
}
