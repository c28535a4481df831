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
