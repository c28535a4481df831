// The lesson side of claims: say the sentence its numbers call for, and record it.

extension Lesson {
    /// Prints the wording written for the outcome `check` gives, records the claim, and returns the
    /// outcome (a `Verdict` raw value, or "true" / "false" / "diverged" for a threshold).
    ///
    ///     lesson.conclude("lesson4.clip.lr10", .comparison(Comparison(clipped, unclipped)), [
    ///         "lower": Localized(en: "Clipping helped …", zh: "…"),
    ///         "higher": …, "noMeasurableDifference": …, "diverged": …, "tooFewSeeds": …])
    ///
    /// - Parameter wordings: one text per outcome the check can give. An outcome without a text is a
    ///   bug in the lesson, stopped here with its name rather than printed as nothing.
    @discardableResult
    public func conclude(_ id: String, _ check: ClaimCheck, _ wordings: [String: Localized],
                         headline asHeadline: Bool = false) -> String {
        let outcome = check.outcome
        guard let wording = wordings[outcome] else {
            preconditionFailure("\(id): no wording for the outcome '\(outcome)' (\(check.condition))")
        }
        claims.record(Claim(id: id, check: check, asserted: outcome, wording: wording(language)))
        if asHeadline { headline(wording) } else { say(wording) }
        return outcome
    }

    /// `conclude` for a comparison of two settings over the same seeds, one text per verdict.
    @discardableResult
    public func conclude(_ id: String, _ comparison: Comparison, lower: Localized, higher: Localized,
                         noDifference: Localized, diverged: Localized, tooFewSeeds: Localized? = nil,
                         headline asHeadline: Bool = false) -> Verdict {
        let fewSeeds = tooFewSeeds ?? Catalogue.tooFewSeeds
        let outcome = conclude(id, .comparison(comparison), [
            Verdict.lower.rawValue: lower, Verdict.higher.rawValue: higher,
            Verdict.noMeasurableDifference.rawValue: noDifference, Verdict.diverged.rawValue: diverged,
            Verdict.tooFewSeeds.rawValue: fewSeeds,
        ], headline: asHeadline)
        return Verdict(rawValue: outcome) ?? .noMeasurableDifference
    }
}

extension Catalogue {
    /// Said when a comparison ran on one seed only (`--seeds 1`).
    static let tooFewSeeds = Localized(
        en: "With one seed there is no seed-to-seed spread to judge this difference by: "
            + "run with --seeds 3 or more.",
        zh: "只有一个随机种子，无法用种子间的波动来判断这个差异：请用 --seeds 3 或更多。")
}

extension Lesson {
    /// The verdict of the comparison claim `id` in a word ("lower", "no measurable difference",
    /// "diverged"), for a `--quiet` headline. It is read from the recorded claim itself, so the
    /// headline says exactly what the narration concluded; `nil` when no comparison claim `id` was
    /// concluded (yet).
    /// - Parameter reversed: the headline names the claim's second setting, so "lower" reads "higher".
    public func verdictWord(of id: String, reversed: Bool = false) -> String? {
        guard let claim = claims.claims.last(where: { $0.id == id }), case .comparison = claim.check,
              var verdict = Verdict(rawValue: claim.asserted) else { return nil }
        if reversed { verdict = verdict == .lower ? .higher : verdict == .higher ? .lower : verdict }
        return LessonKit.verdictWord(verdict, language)
    }

    /// "0.5917 ± 0.13 (lower)", or with `against` "0.01526 ± 0.0011 (vs lr 0.0005: lower)": a sample
    /// as `meanSpread` prints it, followed by the verdict of the comparison claim `id` when there is
    /// one; the form every `--quiet` comparison line uses.
    public func meanSpread(_ sample: SeedSample, verdictOf id: String?, against: Localized? = nil,
                           reversed: Bool = false) -> String {
        let numbers = LessonKit.meanSpread(sample, language)
        guard let id, let word = verdictWord(of: id, reversed: reversed) else { return numbers }
        // "diverged (5 of 5 seeds)" already says it; no second "(diverged)".
        if !sample.isFinite && word == LessonKit.verdictWord(.diverged, language) { return numbers }
        let vs = against.map { language == .zh ? "对 \($0.zh)：" : "vs \($0.en): " } ?? ""
        return language == .zh ? "\(numbers)（\(vs)\(word)）" : "\(numbers) (\(vs)\(word))"
    }
}
