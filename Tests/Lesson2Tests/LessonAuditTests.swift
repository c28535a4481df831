import Foundation
import LessonKit
import Testing
import TestSupport
@testable import lesson2

// The lesson as a whole: its claims audited over seeds and knobs, its output fitting the screen,
// its bad input refused.

// MARK: - Claims (issue 11)

/// Seeds none of the answer keys use (they use 42 … 46), one run per knob setting README's
/// exercises name, three seeds per comparison: 12 runs, 36 seeds.
let auditRuns: [[String]] = [
    [], ["--d-model", "32", "--heads", "2"], ["--layers", "4"], ["--layers", "6"], ["--layers", "8"],
    ["--activation", "sigmoid"], ["--init", "small"], ["--init", "kaiming"], ["--init", "large"],
    ["--layers", "40"], ["--activation", "sigmoid", "--init", "large"], ["--lang", "zh", "--layers", "3"],
]

@Test(arguments: auditRuns.indices)
func everyPrintedClaimHolds(run: Int) throws {
    let arguments = ["--seed", String(1001 + 3 * run), "--seeds", "3", "--quiet"] + auditRuns[run]
    let claims = try runLessonCollected(arguments).claims
    #expect(claims.count >= 25, "\(arguments): only \(claims.count) claims")
    let problems = ClaimLog.audit(claims)
    #expect(problems.isEmpty, "\(arguments): \(problems)")
}

/// The audit can fail: the same claims with one condition flipped, or an effect asserted inside the
/// noise, are reported.
@Test func aFlippedClaimFailsTheAudit() throws {
    let claims = try runLessonCollected(["--quiet"]).claims
    #expect(ClaimLog.audit(claims).isEmpty)
    let index = try #require(claims.firstIndex { $0.id == "lesson2.vanish.sigmoid" })
    guard case .threshold(let value, _, let limit) = claims[index].check else {
        Issue.record("lesson2.vanish.sigmoid is a threshold")
        return
    }
    var flipped = claims
    flipped[index] = Claim(id: claims[index].id, check: .threshold(value: value, relation: .atLeast, limit: limit),
                           asserted: claims[index].asserted, wording: claims[index].wording)
    #expect(ClaimLog.audit(flipped).count == 1)

    let noise = Comparison(SeedSample([1.0, 2.0, 3.0]), SeedSample([1.1, 1.9, 3.2]))
    var inside = claims
    inside.append(Claim(id: "lesson2.test.insideNoise", check: .comparison(noise), asserted: "lower", wording: "…"))
    #expect(ClaimLog.audit(inside).count == 2)     // does not hold, and claims an effect inside the noise
}

@Test func claimsAreWrittenWithTheirNumbers() throws {
    let claims = try runLessonCollected(["--quiet"]).claims
    let ids = Set(claims.map(\.id))
    for id in ["lesson2.init.kaimingVsPytorch", "lesson2.fix.residualVsPlain",
               "lesson2.fix.residual.allInitialisations", "lesson2.fix.preNormEven", "lesson2.init.layerFactor.kaiming",
               "lesson2.dropout.trainNoisierThanEval"] {
        #expect(ids.contains(id), "\(id)")
    }
    #expect(ids.count == claims.count)            // every id once
    let residual = try #require(claims.first { $0.id == "lesson2.fix.residual.allInitialisations" })
    #expect(residual.asserted == "false")         // not whatever the initialisation
    let json = try String(decoding: ClaimLogJSON(claims), as: UTF8.self)
    #expect(json.contains("\"id\" : \"lesson2.fix.preNormEven\""))
}

/// The JSON `--claims` writes, for these claims.
func ClaimLogJSON(_ claims: [Claim]) throws -> Data {
    let log = ClaimLog()
    for c in claims { log.record(c) }
    return try log.json()
}

// MARK: - Output that fits (issue 14)

@Test(arguments: [80, 120], ["en", "zh"])
func noLineWiderThanTheScreen(columns: Int, language: String) throws {
    let text = try runLessonCollected(["--lang", language], screen: ScreenSize(columns: columns, rows: 40)).text
    let wide = linesWider(than: columns, in: text)
    #expect(wide.isEmpty, "\(wide.prefix(5))")
}

@Test func chineseSaysSeedOnlyForTheRandomSeed() throws {
    let text = try runCollected(["--lang", "zh"])
    let lines = text.split(separator: "\n")
    let wrong = lines.filter { $0.replacingOccurrences(of: "随机种子", with: "").contains("种子") }
    #expect(wrong.isEmpty, "\(wrong)")
    #expect(text.contains("原文"))
    #expect(!text.contains("\"白纸\""))
}

@Test func helpSaysTypeRangeDefaultAndCell() throws {
    let usage = FlagParser(program: "lesson2", options: lessonOptions).usage(.en)
    #expect(usage.contains("--d-model N"))
    #expect(usage.contains("--heads N"))
    #expect(usage.contains("default 64, 4…256"))
    #expect(usage.contains("default 4, 1…16"))
    #expect(usage.contains("(default pytorch;"))
    #expect(!usage.contains("default default"))
    #expect(usage.contains("cells 6 and 9"))
}

// MARK: - Bad input (issue 12)

@Test func widthsTheHeadsDoNotDivideAreRefused() throws {
    for arguments in [["--d-model", "30", "--heads", "4"], ["--d-model", "9", "--heads", "1"]] {
        let flags = try FlagParser(program: "lesson2", options: lessonOptions).parse(arguments)
        #expect(throws: LessonError.self, "\(arguments)") { try Settings(flags: flags, seeds: [42]) }
        do {
            _ = try Settings(flags: flags, seeds: [42])
        } catch let error as LessonError {
            #expect(error.status == 2)
            #expect(error.message.en.contains("--d-model"))
            #expect(error.message.zh.contains("--d-model"))
        }
    }
    let parser = FlagParser(program: "lesson2", options: lessonOptions)
    #expect(throws: FlagExit.self) { try parser.parse(["--d-model", "512"]) }
    #expect(throws: FlagExit.self) { try parser.parse(["--heads", "x"]) }
}

/// The built program exits 2 on bad input, with the message on standard error (when it is built).
@Test func badInputExitsWithStatusTwo() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let binary = root.appendingPathComponent(".build/debug/lesson2")
    guard FileManager.default.isExecutableFile(atPath: binary.path) else { return }
    for (arguments, status) in [(["--d-model", "30", "--heads", "4"], Int32(2)), (["--heads", "0"], 2),
                                (["--quiet", "--cell", "1", "--seeds", "2"], 0)] {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = Pipe()
        try process.run()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == status, "\(arguments): \(stderr)")
        if status == 2 { #expect(stderr.contains("lesson2"), "\(arguments): \(stderr)") }
    }
}

// MARK: - README (issue 14)

/// README's lesson 2 block is the real output of `swift run lesson2 --quiet`, piped (100 columns).
@Test func readmeShowsTheRealQuietOutput() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
    let marker = "$ swift run lesson2 --quiet\n"
    let start = try #require(readme.range(of: marker)).upperBound
    let end = try #require(readme.range(of: "\n```", range: start..<readme.endIndex)).lowerBound
    let shown = String(readme[start..<end])
    let real = try runLessonCollected(["--quiet"], screen: ScreenSize(columns: 100, rows: 40)).text
    #expect(shown == real.trimmingCharacters(in: .newlines))
}
