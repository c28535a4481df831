import Foundation

// A claim is data. Every sentence in a lesson that interprets a measured number is chosen by that
// number: the lesson states the check (a comparison over seeds, or a threshold), the check is
// evaluated to an outcome, and the wording written for *that* outcome is printed. The claim is also
// recorded (`--claims FILE` writes them all as JSON), so an audit can re-evaluate every check from
// the numbers it read and confirm that the words printed are the ones those numbers call for.

/// How a claim is decided from its numbers.
public enum ClaimCheck: Codable, Equatable, Sendable {
    /// Two settings over the same seeds (see `Comparison`): outcome is the `Verdict`'s raw value.
    case comparison(Comparison)
    /// One number against a limit: outcome "true" or "false" for `value relation limit`; "diverged"
    /// when the value is not finite.
    case threshold(value: Double, relation: Relation, limit: Double)

    public enum Relation: String, Codable, Sendable {
        case below = "<", atMost = "<=", above = ">", atLeast = ">="

        func holds(_ value: Double, _ limit: Double) -> Bool {
            switch self {
            case .below: return value < limit
            case .atMost: return value <= limit
            case .above: return value > limit
            case .atLeast: return value >= limit
            }
        }
    }

    /// The outcome these numbers give: a `Verdict` raw value, or "true" / "false" / "diverged".
    public var outcome: String {
        switch self {
        case .comparison(let comparison): return comparison.verdict.rawValue
        case .threshold(let value, let relation, let limit):
            guard value.isFinite else { return "diverged" }
            return relation.holds(value, limit) ? "true" : "false"
        }
    }

    /// The condition in words, for the JSON record: `mean(a − b) vs ±t·s/√n` or `0.31 < 1`.
    public var condition: String {
        switch self {
        case .comparison(let c):
            return "paired over \(c.a.count) seeds: mean(a-b) = \(c.meanDifference) against the 95 % noise band "
                + "±\(c.noiseBand)" + (c.divergenceLimit.map { "; diverged above \($0)" } ?? "")
        case .threshold(let value, let relation, let limit):
            return "\(value) \(relation.rawValue) \(limit)"
        }
    }
}

extension ClaimCheck {
    // Written by hand so the JSON reads `{"comparison": {"a": …, "b": …}}` rather than the
    // synthesised `{"comparison": {"_0": {…}}}` of an unlabelled associated value.
    private enum Kind: String, CodingKey { case comparison, threshold }
    private struct Threshold: Codable { let value: Double, relation: Relation, limit: Double }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: Kind.self)
        if let comparison = try container.decodeIfPresent(Comparison.self, forKey: .comparison) {
            self = .comparison(comparison)
        } else {
            let t = try container.decode(Threshold.self, forKey: .threshold)
            self = .threshold(value: t.value, relation: t.relation, limit: t.limit)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Kind.self)
        switch self {
        case .comparison(let comparison): try container.encode(comparison, forKey: .comparison)
        case .threshold(let value, let relation, let limit):
            try container.encode(Threshold(value: value, relation: relation, limit: limit), forKey: .threshold)
        }
    }
}

/// One interpreted measurement: what was checked, the outcome the wording was chosen for, the words.
public struct Claim: Codable, Equatable, Sendable {
    /// A stable name, `lessonN.topic.detail`, so a claim can be followed across seeds and knobs.
    public let id: String
    public let check: ClaimCheck
    /// The outcome the printed wording was written for.
    public let asserted: String
    /// The words printed, in the lesson's language.
    public let wording: String

    public init(id: String, check: ClaimCheck, asserted: String, wording: String) {
        self.id = id
        self.check = check
        self.asserted = asserted
        self.wording = wording
    }

    /// Re-evaluating the check gives the outcome the wording was chosen for.
    public var holds: Bool { check.outcome == asserted }

    /// An effect ("lower", "higher") asserted although the difference is inside the noise band.
    public var claimsEffectInsideNoise: Bool {
        guard case .comparison(let c) = check, asserted == Verdict.lower.rawValue
                || asserted == Verdict.higher.rawValue else { return false }
        return !(abs(c.meanDifference) > c.noiseBand)
    }
}

/// The claims a lesson has printed, in order; written as JSON by `--claims FILE`.
public final class ClaimLog {
    public private(set) var claims: [Claim] = []

    public init() {}

    public func record(_ claim: Claim) { claims.append(claim) }

    /// Every problem an audit finds: claims that do not hold, effects claimed inside the noise.
    public static func audit(_ claims: [Claim]) -> [String] {
        var problems: [String] = []
        for claim in claims {
            if !claim.holds {
                problems.append("\(claim.id): printed the wording for '\(claim.asserted)' but its numbers give "
                                + "'\(claim.check.outcome)' (\(claim.check.condition))")
            }
            if claim.claimsEffectInsideNoise {
                problems.append("\(claim.id): claims an effect inside the seed noise (\(claim.check.condition))")
            }
        }
        return problems
    }

    /// The JSON record: `{"claims": [{"id", "condition", "check", "outcome", "asserted", "holds", "wording"}]}`.
    public func json() throws -> Data {
        struct Entry: Encodable {
            let id: String, condition: String, check: ClaimCheck, outcome: String, asserted: String
            let holds: Bool, wording: String
        }
        struct Document: Encodable { let claims: [Entry] }
        let entries = claims.map {
            Entry(id: $0.id, condition: $0.check.condition, check: $0.check, outcome: $0.check.outcome,
                  asserted: $0.asserted, holds: $0.holds, wording: $0.wording)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "NaN")
        return try encoder.encode(Document(claims: entries))
    }

    /// Reads a `--claims` file back (for the audit test).
    public static func read(_ data: Data) throws -> [Claim] {
        struct Document: Decodable { let claims: [Claim] }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "NaN")
        return try decoder.decode(Document.self, from: data).claims
    }
}
