import Engine
import LessonKit
import Testing
@testable import lesson3

// Problem 3, slow training (cells 8 and 9), over seeds none of the answer keys use (300–309): what
// the cells claim holds on every one, with small budgets so the suite stays short. No assertion
// reads a clock: a speed-up is measured by the lesson (`--timing`), never by a test.

let slowTrainingSeeds: [UInt64] = Array(300..<310)

/// Runs only cells 8 and 9 with `arguments`, returning the lesson (its claims) and what it printed.
func runCells8And9(_ arguments: [String], screen: ScreenSize? = nil) throws -> (lesson: Lesson, text: String) {
    let output = LessonOutput.collecting()
    let flags = try FlagParser(program: "lesson3", options: lessonOptions).parse(arguments)
    let lesson = Lesson(flags: flags, title: "Lesson 3", output: output, screen: screen)
    lesson.cells(lessonCells)
    let settings = Settings(flags: flags)
    cell8BatchSize(lesson, settings)
    cell9DataParallel(lesson, settings)
    return (lesson, output.text)
}

@Test func wideRunsOnOneAndTwoThreadsAreIdenticalOnEverySeed() {
    for seed in slowTrainingSeeds {
        // 12 steps of the wide network: enough to compare every parameter, bit for bit.
        let race = raceWorkers(seed: seed, repetitions: 1, budget: 12)
        #expect(race.one[0].steps == 12 && race.one[0].diverged == nil, "seed \(seed)")
        #expect(race.one[0].parameters == race.two[0].parameters, "seed \(seed)")
        // The cell-1 MLP all the way to the target.
        let narrow = raceWorkers(seed: seed, repetitions: 1, sizes: racedNetworks[0].sizes)
        #expect(narrow.one[0].stepsToTarget != nil, "seed \(seed)")
        #expect(narrow.one[0].stepsToTarget == narrow.two[0].stepsToTarget, "seed \(seed)")
        #expect(narrow.one[0].parameters == narrow.two[0].parameters, "seed \(seed)")
        // The simulated all-reduce: the averaged gradient is the big batch's, up to rounding.
        #expect(simulateDataParallel(seed: seed, perWorkerBatch: 32).maxGradDifference < 1e-5, "seed \(seed)")
    }
}

@Test func theWideNetworkReachesTheTargetWithinTheBudget() {
    // Three of the ten seeds all the way (each run is ~50–100 steps): the budget leaves room.
    for seed in slowTrainingSeeds.prefix(3) {
        let run = trainDataParallel(seed: seed, workers: 1)
        #expect(run.diverged == nil && run.stepsToTarget.map { $0 < parallelBudget / 2 } == true,
                "seed \(seed): \(run.steps) steps")
    }
}

@Test func cells8And9ClaimsHoldOverTenSeeds() throws {
    let (lesson, text) = try runCells8And9(["--seed", "300", "--seeds", "10"])
    let claims = lesson.claims.claims
    #expect(ClaimLog.audit(claims).isEmpty, "\(ClaimLog.audit(claims))")
    func outcome(_ id: String) -> String? { claims.first { $0.id == id }?.asserted }
    // What the cells teach, on these ten seeds: a large batch processes far more samples for the
    // same target, the averaged gradient is the big batch's, and threads change no bit.
    #expect(outcome("lesson3.batch.samplesLargeVsMid") == Verdict.higher.rawValue)
    #expect(outcome("lesson3.batch.stepsLargeVsMid") != Verdict.lower.rawValue)
    #expect(outcome("lesson3.parallel.sameGradient") == "true")
    #expect(outcome("lesson3.parallel.identical") == "true")
    #expect(!text.contains("Measured"))                       // no seconds without --timing
    #expect(text.contains("Run with --timing"))
}

@Test func timingAddsSecondsAndAVerdictChosenByThem() throws {
    for language in ["en", "zh"] {
        let (lesson, text) = try runCells8And9(["--timing", "--seeds", "3", "--lang", language],
                                               screen: ScreenSize(columns: 80, rows: 40))
        let claims = lesson.claims.claims
        #expect(ClaimLog.audit(claims).isEmpty, "\(ClaimLog.audit(claims))")
        // Whatever the machine measured, each speed-up claim is one of its comparison's outcomes,
        // judged over the three alternating repetitions (never "too few").
        for key in racedNetworks.map(\.key) {
            let claim = try #require(claims.first { $0.id == "lesson3.parallel.speedUp.\(key)" })
            #expect(claim.asserted != Verdict.tooFewSeeds.rawValue)
            guard case .comparison(let c) = claim.check else { Issue.record("not a comparison"); continue }
            #expect(c.a.count == timedRepetitions && c.b.count == timedRepetitions)
        }
        #expect(claims.contains { $0.id == "lesson3.batch.secondsLargeVsMid" })
        let wide = linesWider(than: 80, in: text)
        #expect(wide.isEmpty, "\(language): \(wide.prefix(3).map(\.text))")
        #expect(text.contains(language == "en" ? "median seconds" : "秒（中位数）"))
    }
}
