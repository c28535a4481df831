import Foundation
import Testing
@testable import LessonKit

// The over-seeds vocabulary every lesson uses: one runner, one divergence rule, one formatter.

@Suite struct SeedRunsTests {
    // Five validation losses, one per seed, and a second setting on the same seeds.
    let a = SeedSample([0.5363, 0.6503, 0.7012, 0.4401, 0.5977])
    let b = SeedSample([0.5123, 0.6001, 0.7111, 0.4502, 0.5833])

    @Test func meanSpreadShowsFourSignificantDigitsAndTwoOfSpread() {
        #expect(meanSpread(a, .en) == "0.5851 ± 0.1")
        #expect(meanSpread(b, .zh) == "0.5714 ± 0.098")
        // %g moves to exponent form by itself for gradients and blown-up losses.
        #expect(meanSpread(SeedSample([1.234e-9, 1.334e-9]), .en) == "1.284e-09 ± 7.1e-11")
        #expect(meanSpread(SeedSample([3.0e15, 1.0e15]), .en) == "2e+15 ± 1.4e+15")
        // Identical runs: no spread at all.
        #expect(meanSpread(SeedSample([0.25, 0.25, 0.25]), .en) == "0.25 ± 0")
    }

    @Test func aDivergedSeedIsNamedNotAveraged() {
        let bad = SeedSample([0.5, Double.nan, 0.7, Double.infinity, 0.6])
        #expect(meanSpread(bad, .en) == "diverged (2 of 5 seeds)")
        #expect(meanSpread(bad, .zh) == "发散（5 个随机种子中 2 个）")
    }

    @Test func thePairedDifferenceAndItsNoiseBand() {
        let c = Comparison(a, b)
        #expect(differenceText(c, .en) == "+0.01372 (noise ±0.031)")
        #expect(differenceText(c, .zh) == "+0.01372（噪声 ±0.031）")
        #expect(differenceText(Comparison(b, a), .en) == "-0.01372 (noise ±0.031)")
        #expect(differenceText(Comparison(SeedSample([1.0, Double.nan]), SeedSample([1.0, 2.0])), .en) == "diverged")
        #expect(c.verdict == .noMeasurableDifference)
    }

    @Test func noMeasurableDifferenceReadsTheSameEverywhere() {
        let what = Localized(en: "Clipping on or off", zh: "裁剪开或关")
        #expect(noDifference(what, Comparison(a, b)).en == "Clipping on or off: no measurable difference at this "
                + "budget (0.5851 ± 0.1 against 0.5714 ± 0.098 over 5 seeds, inside the seed-to-seed noise).")
        #expect(noDifference(what, Comparison(a, b)).zh == "裁剪开或关：在这个训练量下没有可测量的差异（5 个随机种子："
                + "0.5851 ± 0.1 对 0.5714 ± 0.098，在随机种子间的噪声之内）。")
        #expect(noDifference(what).en
                == "Clipping on or off: no measurable difference at this budget (inside the seed-to-seed noise).")
        #expect(verdictWord(.noMeasurableDifference, .en) == "no measurable difference")
        #expect(verdictWord(.lower, .zh) == "更低")
    }

    @Test func theDivergenceRule() {
        #expect(!isDiverged(loss: 0.9, start: 1.0))
        #expect(!isDiverged(loss: 10.0, start: 1.0))          // exactly 10× is still a (bad) run
        #expect(isDiverged(loss: 10.01, start: 1.0))
        #expect(isDiverged(loss: .nan, start: 1.0))
        #expect(isDiverged(loss: .infinity, start: nil))
        #expect(!isDiverged(loss: 1e-5, start: 1e-6))         // a start below 0.001 counts as 0.001
        #expect(isDiverged(loss: 0.0101, start: 1e-6))
        #expect(measuredLoss(0.5, start: 1.0) == 0.5)
        #expect(measuredLoss(0.5, start: 1.0, stopped: true).isNaN)
        #expect(measuredLoss(1.7e15, start: 1.0).isNaN)
    }

    @Test func overSeedsRunsEverySeedInOrder() {
        let lesson = Lesson(flags: .defaults(), title: "t", output: .collecting())
        #expect(lesson.seeds == [42, 43, 44, 45, 46])
        #expect(overSeeds(lesson, "work") { Int($0) * 2 } == [84, 86, 88, 90, 92])
        #expect(sample(over: [1, 2, 3]) { Double($0) / 2 }.values == [0.5, 1.0, 1.5])
        #expect(seedRange(lesson).en == "seeds 42–46")
        #expect(seedRange(lesson).zh == "随机种子 42–46")
        #expect(overSeedCount(1).en == "over 1 seed")
        #expect(overSeedCount(5).zh == "5 个随机种子")
    }

    @Test func theSeedNoiseLessonIsSaidOnce() {
        let lesson = Lesson(flags: .defaults(), title: "t", output: .collecting())
        teachSeedNoise(lesson)
        let text = lesson.output.text.replacingOccurrences(of: "\n", with: " ")
        #expect(text.contains("So one run proves little"))
        #expect(text.contains("on the same 5 seeds"))
    }

    @Test func quietLinesCarryTheVerdictOfTheSameClaim() {
        let lesson = Lesson(flags: .defaults(), title: "t", output: .collecting())
        let low = SeedSample([0.1, 0.11, 0.12, 0.1, 0.11]), high = SeedSample([0.5, 0.52, 0.49, 0.51, 0.5])
        lesson.conclude("t.fix", Comparison(low, high), lower: "l", higher: "h", noDifference: "n", diverged: "d")
        #expect(lesson.meanSpread(low, verdictOf: "t.fix") == "0.108 ± 0.0084 (lower)")
        #expect(lesson.meanSpread(high, verdictOf: "t.fix", reversed: true) == "0.504 ± 0.011 (higher)")
        #expect(lesson.meanSpread(low, verdictOf: "t.fix", against: "none") == "0.108 ± 0.0084 (vs none: lower)")
        #expect(lesson.meanSpread(low, verdictOf: "never concluded") == "0.108 ± 0.0084")
        // A diverged sample already says so: no second "(diverged)".
        let bad = SeedSample([0.1, Double.nan, 0.12, 0.1, 0.11])
        lesson.conclude("t.bad", Comparison(bad, high), lower: "l", higher: "h", noDifference: "n", diverged: "d")
        #expect(lesson.meanSpread(bad, verdictOf: "t.bad") == "diverged (1 of 5 seeds)")
        #expect(lesson.meanSpread(high, verdictOf: "t.bad") == "0.504 ± 0.011 (diverged)")
    }
}
