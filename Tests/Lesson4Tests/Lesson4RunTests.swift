import Engine
import Foundation
import LessonKit
import Testing
@testable import lesson4

// The whole lesson: its output, divergence, the claims audit and the exercises.

@Suite struct Lesson4WholeLessonTests {
    static let shortRun = ["--epochs", "2", "--overfit-epochs", "8", "--compare-epochs", "1", "--train-size", "16",
                           "--seeds", "2"]

    /// The whole lesson, shortened by its knobs: key lines present, and the same text twice.
    @Test func wholeLessonRunsAndRepeatsExactly() throws {
        let first = try runCollected(Self.shortRun).text
        #expect(first.contains("Epoch [1/2], Loss: 0.3233, LR: 1.00e-03"))
        #expect(first.contains("Epoch [2/2], Loss: 0.1467, LR: 1.00e-03"))
        #expect(first.contains("parameters: 191,873"))
        #expect(first.contains("final exam: test MSE"))
        #expect(first.contains("reloaded predictions identical bit for bit: true; optimizer restored: true; "
                               + "scheduler restored: true"))
        #expect(first.contains("Test predictions: ["))
        // One numbering: "Cell k · title" for the 8 declared cells, no separate steps.
        for (k, title) in lesson4Cells.enumerated() { #expect(first.contains("Cell \(k + 1) · \(title.en)")) }
        #expect(!first.contains("Step 1"))
        #expect(!first.contains("Training/SeedRun.swift"))
        let second = try runCollected(Self.shortRun).text
        #expect(first == second)
    }

    @Test func quietPrintsOnlyHeadlines() throws {
        let text = try runCollected(Self.shortRun + ["--quiet"]).text
        #expect(!text.contains("Epoch [1/2]"))
        #expect(text.contains("full run: final training loss 0.1467"))
        #expect(text.contains("Test predictions: ["))
        #expect(!text.contains("Cell 1 · "))
    }

    /// The full run's step-through record: one frame per epoch, a gradient norm and a histogram per layer.
    @Test func fullRunIsRecordedForTheReport() throws {
        var s = Settings()
        s.epochs = 2
        let data = makeLessonData(seed: 42)
        var frames: [(EpochRecord, [Double], Int)] = []
        _ = trainWithValidation(train: data.train, validation: data.validation, settings: s,
                                inspect: { e, model, norms in frames.append((e, norms, layerGroups(model).count)) })
        #expect(frames.count == 2)
        #expect(frames[0].2 == 5 && frames[0].1.count == 5)            // input_proj, 3 encoder layers, output_layer
        #expect(frames.allSatisfy { $0.1.allSatisfy { $0 > 0 && $0.isFinite } })
        #expect(layerGroups(makeModel(.seed, dropout: 0, seed: 0)).map(\.name)
                == ["input_proj", "encoder.layers.0", "encoder.layers.1", "encoder.layers.2", "output_layer"])
    }

    /// Issue 14: at 80 and 120 columns, in English and Chinese, no line is wider than the screen.
    @Test(arguments: [(80, "en"), (80, "zh"), (120, "en"), (120, "zh")])
    func outputFitsTheScreen(columns: Int, language: String) throws {
        let text = try runCollected(Self.shortRun + ["--lang", language],
                                    screen: ScreenSize(columns: columns, rows: 40)).text
        let wide = linesWider(than: columns, in: text)
        #expect(wide.isEmpty, "\(wide.count) lines wider than \(columns): \(wide.prefix(3).map(\.text))")
    }

    /// Issue 11: the blog post is 原文, its program 示例脚本; 种子 only as 随机种子.
    @Test func chineseNeverCallsTheBlogPostASeed() throws {
        let text = try runCollected(Self.shortRun + ["--lang", "zh"]).text
        #expect(!text.replacingOccurrences(of: "随机种子", with: "").contains("种子"))
        #expect(text.contains("示例脚本"))
    }
}

@Suite struct Lesson4DivergenceTests {
    static let short = ["--epochs", "3", "--overfit-epochs", "5", "--compare-epochs", "1", "--seeds", "2"]

    /// Issue 12: `--lr 10 --weight-decay 1` trips the NaN guard; the run is called diverged with the
    /// guard's diagnosis, and nothing after reads it as learning (no NaN epoch lines, no predictions).
    @Test func nanIsCaughtAndCalledDiverged() throws {
        let (text, lesson) = try runCollected(Self.short + ["--lr", "10", "--weight-decay", "1"])
        #expect(text.contains("full run: diverged in epoch 1"))
        #expect(text.contains("Likely causes:"))
        #expect(!text.contains("Loss: NaN") && !text.contains("Loss: -nan") && !text.contains("Loss: nan"))
        #expect(!text.contains("Test predictions: ["))
        #expect(!text.contains("memorised its"))
        #expect(text.contains("final exam: not taken"))
        #expect(ClaimLog.audit(lesson.claims.claims).isEmpty)
        let compared = lesson.claims.claims.filter { $0.id.hasPrefix("lesson4.compare.") }
        #expect(!compared.isEmpty && compared.allSatisfy { $0.asserted == "diverged" })
    }

    /// `--lr 10`: a finite loss of about 1e15 is a blow-up, not memorisation.
    @Test func aFiniteBlowUpIsDivergedToo() throws {
        let (text, lesson) = try runCollected(Self.short + ["--lr", "10"])
        #expect(text.contains("more than 10 times where it started"))
        #expect(!text.contains("memorised its"))
        #expect(lesson.claims.claims.first { $0.id == "lesson4.overfit.gap" }?.asserted == "diverged")
        #expect(ClaimLog.audit(lesson.claims.claims).isEmpty)
    }

    /// Exit statuses of the built program, when it has been built: 2 for a bad flag, 1 when the
    /// claims file cannot be written.
    @Test func exitStatuses() throws {
        let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/lesson4")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else { return }
        func status(_ arguments: [String]) throws -> Int32 {
            let process = Process()
            process.executableURL = binary
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus
        }
        #expect(try status(["--lr", "abc"]) == 2)
        #expect(try status(["--train-size", "5"]) == 2)
        #expect(try status(["--epochs", "1", "--overfit-epochs", "2", "--compare-epochs", "1", "--seeds", "1",
                            "--quiet", "--claims", "/proc/lesson4-claims.json"]) == 1)
    }
}

/// Issue 11's audit: run the lesson on seeds no answer key uses and on every knob README's exercises
/// name; every printed claim must hold and no effect may be claimed inside the noise.
@Suite struct Lesson4AuditTests {
    static let fast = ["--epochs", "2", "--seeds", "3"]
    /// Five runs of 3 seeds each (seeds 1000–1002, 1010–1012, …: 15 seeds no answer key uses), and
    /// README's exercise knobs (`--train-size 16`, `--stop-patience 3`) and issue 11's `--lr 10`.
    static let runs: [[String]] = (0..<5).map { fast + ["--seed", "\(1_000 + $0 * 10)"] } + [
        fast + ["--train-size", "16", "--seed", "3"], fast + ["--stop-patience", "3", "--seed", "5"],
        ["--epochs", "2", "--seeds", "2", "--lr", "10"],
    ]

    @Test(arguments: runs)
    func everyClaimHoldsOverFifteenSeedsAndTheExerciseKnobs(arguments: [String]) throws {
        let claims = try runCollected(arguments).lesson.claims.claims
        #expect(claims.count >= 10, "\(arguments): only \(claims.count) claims")
        let problems = ClaimLog.audit(claims)
        #expect(problems.isEmpty, "\(arguments): \(problems)")
    }

    /// The audit can fail: flip one claim's condition and it reports the claim.
    @Test func aFlippedConditionFailsTheAudit() throws {
        let claims = try runCollected(Self.fast).lesson.claims.claims
        #expect(ClaimLog.audit(claims).isEmpty)
        var flipped = claims
        let index = try #require(claims.firstIndex { claim in
            if case .comparison(let c) = claim.check { return c.verdict == .lower || c.verdict == .higher }
            return false
        })
        guard case .comparison(let c) = claims[index].check else { return }
        flipped[index] = Claim(id: claims[index].id, check: .comparison(Comparison(c.b, c.a)),
                               asserted: claims[index].asserted, wording: claims[index].wording)
        #expect(!ClaimLog.audit(flipped).isEmpty)
        // And a threshold with its relation reversed.
        let t = try #require(claims.firstIndex { if case .threshold = $0.check { return true } else { return false } })
        guard case .threshold(let value, let relation, let limit) = claims[t].check else { return }
        let reversed: ClaimCheck.Relation = relation == .below ? .atLeast : relation == .atLeast ? .below
            : relation == .above ? .atMost : .above
        flipped = claims
        flipped[t] = Claim(id: claims[t].id, check: .threshold(value: value, relation: reversed, limit: limit),
                           asserted: claims[t].asserted, wording: claims[t].wording)
        #expect(!ClaimLog.audit(flipped).isEmpty)
    }
}

@Suite struct Lesson4ExerciseTests {
    /// Every exercise printed by cell 8 names a test of this target that holds its answer.
    @Test func everyExerciseNamesAnExistingAnswerKey() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".swift") }
        let source = try files.map { try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8) }
            .joined(separator: "\n")
        #expect(lesson4Exercises.count == 4)
        for exercise in lesson4Exercises {
            #expect(source.contains("func \(exercise.answerKey)()"), "no test named \(exercise.answerKey)")
        }
    }
}
