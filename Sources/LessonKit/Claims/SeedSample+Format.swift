// A quantity measured over seeds, in words: one formatter for every lesson, so "0.5363 ± 0.1097"
// reads the same everywhere.
//
// The digits rule: the mean with 4 significant digits, the spread with 2 (printf's %g). Why
// significant digits and not a fixed number of decimals: the lessons measure losses near 1,
// validation MSEs near 0.01 and gradients near 1e-9; "0.0000" would hide the last, and %g switches
// to 1.234e-09 by itself outside 1e-4…1e4, so one rule covers all of them. Why 4 for the mean: two
// settings whose means differ in the third digit can still be told apart by eye (whether that is
// an effect is the `Comparison`'s job, not the eye's). Why 2 for the spread: a standard deviation
// from 5 seeds is itself uncertain by about a third (its relative error is about 1/√(2(n−1))), so
// a third digit of it would be noise.

/// `0.5363 ± 0.11`: the mean over seeds ± the sample standard deviation (4 and 2 significant
/// digits). When some seed's run diverged (a non-finite value): "diverged (2 of 5 seeds)".
///
///     meanSpread(SeedSample([0.5, 0.6, 0.7]), .en)     // "0.6 ± 0.1"
///     meanSpread(SeedSample([0.5, .nan, 0.7]), .zh)    // "发散（3 个随机种子中 1 个）"
public func meanSpread(_ sample: SeedSample, _ language: Language) -> String {
    let bad = sample.values.filter { !$0.isFinite }.count
    guard bad == 0 else {
        return Localized(en: "diverged (\(bad) of \(sample.count) seeds)",
                         zh: "发散（\(sample.count) 个随机种子中 \(bad) 个）")(language)
    }
    return "\(significant(sample.mean)) ± \(significant(sample.spread, 2))"
}

/// `-0.0123 (noise ±0.004)`: the paired difference mean(a − b) and its 95 % noise band (4 and 2
/// significant digits, as `meanSpread`); "diverged" when a run of either side diverged.
public func differenceText(_ c: Comparison, _ language: Language) -> String {
    guard !c.diverged else { return Localized(en: "diverged", zh: "发散")(language) }
    let d = c.meanDifference
    let band = c.noiseBand.isFinite ? significant(c.noiseBand, 2) : "∞"
    return (d > 0 ? "+" : "") + significant(d) + Localized(en: " (noise ±\(band))", zh: "（噪声 ±\(band)）")(language)
}

/// The wording for a difference inside the seed noise, the same in every lesson:
/// "what: no measurable difference at this budget (0.5123 ± 0.1 against 0.5301 ± 0.09 over 5 seeds,
/// inside the seed-to-seed noise)."
/// - Parameters:
///   - what: the two settings compared, "Clipping on or off".
///   - comparison: when given, its two samples are shown (a against b).
public func noDifference(_ what: Localized, _ comparison: Comparison? = nil) -> Localized {
    guard let c = comparison else {
        return Localized(en: "\(what.en): no measurable difference at this budget (inside the seed-to-seed noise).",
                         zh: "\(what.zh)：在这个训练量下没有可测量的差异（在随机种子间的噪声之内）。")
    }
    let n = c.a.count
    return Localized(
        en: "\(what.en): no measurable difference at this budget (\(meanSpread(c.a, .en)) against "
            + "\(meanSpread(c.b, .en)) \(overSeedCount(n).en), inside the seed-to-seed noise).",
        zh: "\(what.zh)：在这个训练量下没有可测量的差异（\(overSeedCount(n).zh)：\(meanSpread(c.a, .zh)) 对 "
            + "\(meanSpread(c.b, .zh))，在随机种子间的噪声之内）。")
}

/// The verdict in a word, for `--quiet` lines: "lower", "no measurable difference", "diverged".
public func verdictWord(_ verdict: Verdict, _ language: Language) -> String {
    switch verdict {
    case .lower: return Localized(en: "lower", zh: "更低")(language)
    case .higher: return Localized(en: "higher", zh: "更高")(language)
    case .noMeasurableDifference: return Localized(en: "no measurable difference", zh: "没有可测量的差异")(language)
    case .diverged: return Localized(en: "diverged", zh: "发散")(language)
    case .tooFewSeeds: return Localized(en: "too few seeds", zh: "随机种子太少")(language)
    }
}
