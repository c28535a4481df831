import Foundation
import Testing
@testable import LessonKit

@Suite struct SeedStatisticsTests {
    @Test func meanAndSpreadOverSeeds() {
        let s = SeedSample([1, 2, 3, 4] as [Double])
        #expect(s.mean == 2.5)
        #expect(abs(s.spread - 1.2909944487358056) < 1e-12)   // sqrt(5/3)
        #expect(SeedSample([7] as [Double]).spread == 0)
    }

    @Test func studentTableMatchesThePrintedValues() {
        #expect(studentT975(degreesOfFreedom: 1) == 12.706)
        #expect(studentT975(degreesOfFreedom: 4) == 2.776)
        #expect(studentT975(degreesOfFreedom: 9) == 2.262)
        #expect(studentT975(degreesOfFreedom: 200) == 1.96)
    }

    @Test func aConsistentDifferenceIsAnEffect() {
        // b is a plus a steady 0.1 with a little noise: every seed agrees.
        let a: [Double] = [0.50, 0.62, 0.55, 0.47, 0.58]
        let b = zip(a, [0.11, 0.09, 0.10, 0.12, 0.08]).map { $0 + $1 }
        let c = Comparison(SeedSample(a), SeedSample(b))
        #expect(abs(c.meanDifference + 0.1) < 1e-12)
        // s = 0.0158, band = 2.776 · 0.0158 / √5 = 0.0196
        #expect(abs(c.noiseBand - 0.019633) < 1e-5)
        #expect(c.verdict == .lower)
        #expect(Comparison(SeedSample(b), SeedSample(a)).verdict == .higher)
    }

    @Test func aDifferenceInsideTheSeedNoiseIsNone() {
        let a: [Double] = [0.50, 0.62, 0.55, 0.47, 0.58]
        let b: [Double] = [0.52, 0.57, 0.58, 0.44, 0.60]   // mean difference 0.002, spread 0.03
        #expect(Comparison(SeedSample(a), SeedSample(b)).verdict == .noMeasurableDifference)
        // Identical runs: no difference at all.
        #expect(Comparison(SeedSample(a), SeedSample(a)).verdict == .noMeasurableDifference)
    }

    @Test func divergedAndTooFewSeeds() {
        let a: [Double] = [0.5, .nan, 0.4]
        let b: [Double] = [0.6, 0.7, 0.5]
        #expect(Comparison(SeedSample(a), SeedSample(b)).verdict == .diverged)
        #expect(Comparison(SeedSample(b), SeedSample([0.6, 0.7, 50]), divergenceLimit: 10).verdict == .diverged)
        #expect(Comparison(SeedSample([0.1] as [Double]), SeedSample([0.9] as [Double])).verdict == .tooFewSeeds)
    }
}

@Suite struct ClaimTests {
    let lower = Localized(en: "lower", zh: "更低")
    let higher = Localized(en: "higher", zh: "更高")
    let same = Localized(en: "same", zh: "一样")
    let diverged = Localized(en: "diverged", zh: "发散")

    @Test func concludePrintsTheWordingForTheOutcomeAndRecordsIt() {
        let lesson = Lesson(flags: .defaults(), title: "t", output: .collecting())
        let c = Comparison(SeedSample([1, 2, 3] as [Double]), SeedSample([2, 3, 4] as [Double]))
        let verdict = lesson.conclude("t.cmp", c, lower: lower, higher: higher, noDifference: same,
                                      diverged: diverged)
        #expect(verdict == .lower)
        #expect(lesson.output.text.contains("lower"))
        #expect(lesson.claims.claims.count == 1)
        #expect(lesson.claims.claims[0].asserted == "lower")
        #expect(ClaimLog.audit(lesson.claims.claims).isEmpty)
    }

    @Test func theAuditCatchesAFlippedCondition() {
        // A lesson that chose its words with the condition the wrong way round.
        let c = Comparison(SeedSample([1, 2, 3] as [Double]), SeedSample([2, 3, 4] as [Double]))
        let flipped = Claim(id: "t.flipped", check: .comparison(c), asserted: "higher", wording: "higher")
        let problems = ClaimLog.audit([flipped])
        #expect(problems.count == 1)
        #expect(problems.first?.contains("t.flipped") == true)
        // An effect claimed inside the noise band is caught even if its sign matches.
        let noisy = Comparison(SeedSample([0.50, 0.62, 0.55] as [Double]), SeedSample([0.52, 0.57, 0.58] as [Double]))
        let overstated = Claim(id: "t.noise", check: .comparison(noisy), asserted: "lower", wording: "lower")
        #expect(ClaimLog.audit([overstated]).count == 2)
        let threshold = Claim(id: "t.th", check: .threshold(value: 3, relation: .below, limit: 1),
                              asserted: "true", wording: "small")
        #expect(ClaimLog.audit([threshold]).count == 1)
    }

    @Test func claimsRoundTripThroughJSONWithNonFiniteNumbers() throws {
        let log = ClaimLog()
        log.record(Claim(id: "a", check: .comparison(Comparison(SeedSample([.nan, 1] as [Double]),
                                                                SeedSample([1, 2] as [Double]))),
                         asserted: "diverged", wording: "w"))
        log.record(Claim(id: "b", check: .threshold(value: 0.5, relation: .atMost, limit: 1),
                         asserted: "true", wording: "v"))
        let data = try log.json()
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"holds\" : true"))
        #expect(text.contains("NaN"))
        // The samples sit directly under "comparison", named a and b (no synthesised "_0" level).
        let document = try JSONSerialization.jsonObject(with: data) as? [String: [[String: Any]]]
        let check = document?["claims"]?[0]["check"] as? [String: Any]
        let pair = check?["comparison"] as? [String: Any]
        #expect(pair?["a"] != nil && pair?["b"] != nil && pair?["_0"] == nil, "\(text)")
        let back = try ClaimLog.read(data)
        #expect(back.count == 2)
        #expect(back[1] == log.claims[1])
        #expect(back[0].check.outcome == "diverged")
    }
}
