import Engine
import Foundation
import LessonKit
import Testing
@testable import lesson3

// The audit: every sentence lesson 3 prints about its numbers is a recorded claim; re-evaluated
// from the numbers it read, it must give the outcome its wording was written for, and no effect may
// be claimed inside the seed noise. Run over seeds none of the answer keys use and over every knob
// setting README's exercises name for lesson 3.

/// The runs the audit makes: (arguments) — each with --seeds 3 so the suite stays within a minute.
let auditRuns: [[String]] = [
    ["--seed", "1"], ["--seed", "2"], ["--seed", "7"], ["--seed", "100"], ["--seed", "2024"],
    ["--seed", "31", "--clip", "0.5"], ["--seed", "57", "--clip", "0"], ["--seed", "59", "--clip", "0.25"],
    ["--seed", "63", "--optimizer", "sgd", "--lr", "0.05"], ["--seed", "71", "--lr", "0.1"],
    ["--seed", "83", "--activation", "sigmoid", "--layers", "8"],
    ["--seed", "91", "--weight-decay", "0.1", "--dropout", "0.2"], ["--seed", "97", "--batch-size", "128"], ["--seed",
        "13", "--timing"],
]

func auditProblems(_ arguments: [String]) throws -> (claims: Int, problems: [String]) {
    let lesson = try runLessonCollecting(arguments + ["--seeds", "3", "--quiet"]).lesson
    return (lesson.claims.claims.count, ClaimLog.audit(lesson.claims.claims))
}

@Test(.serialized, arguments: auditRuns)
func everyClaimHoldsAndNoEffectIsClaimedInsideTheNoise(_ arguments: [String]) throws {
    let (count, problems) = try auditProblems(arguments)
    #expect(count >= 25, "\(arguments): only \(count) claims")
    #expect(problems.isEmpty, "\(arguments): \(problems)")
}

@Test func aFlippedConditionMakesTheAuditFail() throws {
    let lesson = try runLessonCollecting(["--seed", "5", "--seeds", "3", "--quiet"]).lesson
    let claims = lesson.claims.claims
    #expect(ClaimLog.audit(claims).isEmpty)
    // Flip one threshold's relation: the wording printed no longer matches what the numbers give.
    let index = try #require(claims.firstIndex { if case .threshold = $0.check { true } else { false } })
    guard case .threshold(let value, let relation, let limit) = claims[index].check else { return }
    let flipped: ClaimCheck.Relation = [.below: .atLeast, .atLeast: .below, .above: .atMost, .atMost: .above][relation]!
    var broken = claims
    broken[index] = Claim(id: claims[index].id, check: .threshold(value: value, relation: flipped, limit: limit),
                          asserted: claims[index].asserted, wording: claims[index].wording)
    #expect(!ClaimLog.audit(broken).isEmpty)
    // And a comparison whose wording claims an effect the numbers do not show.
    let noEffect = try #require(claims.first { $0.asserted == Verdict.noMeasurableDifference.rawValue })
    let claimed = Claim(id: noEffect.id, check: noEffect.check, asserted: Verdict.lower.rawValue, wording: "")
    #expect(!ClaimLog.audit([claimed]).isEmpty)
}
