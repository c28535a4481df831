import Engine
import Foundation
import Testing
import TestSupport
@testable import LessonKit

/// A lesson writing into a string, no colour, never waiting.
func collectingLesson(_ arguments: [String] = [], options: [Option] = [], stepper: StepThrough? = nil,
                      exitStatus: ((Int32) -> Void)? = nil) throws -> (Lesson, LessonOutput) {
    let flags = try FlagParser(program: "lesson0", options: options).parse(arguments)
    let output = LessonOutput.collecting()
    let lesson = Lesson(flags: flags, title: Localized(en: "Lesson 0", zh: "第零课"), program: "lesson0",
                        output: output, stepper: stepper, exitProcess: exitStatus ?? { _ in })
    return (lesson, output)
}

@Test func lessonPrintsNarrationTensorsAndSteps() throws {
    let (lesson, output) = try collectingLesson()
    #expect(!lesson.colour)
    lesson.banner(.data)
    lesson.say(en: "We split the data.", zh: "我们划分数据。")
    lesson.step(en: "Look at x", zh: "看 x")
    lesson.show(Tensor([1, 2], shape: [2]), name: "x", precision: 1)
    lesson.show(Tensor(rows: [[1, 2], [3, 4]]), name: "w", precision: 0)
    lesson.headline(en: "loss 0.5", zh: "损失 0.5")
    expectGolden(output.text, """
        ════════════════════════════════════════════════════════════
          Lesson 0
        ════════════════════════════════════════════════════════════

        ════════════════════════════════════════════════════════════
          Stage 1 · Data — the textbook and the exercises
        ════════════════════════════════════════════════════════════
        We split the data.

        ▶ Step 1 · Look at x
        x = tensor([1.0, 2.0], shape: [2])
        w = tensor([[1, 2],
                    [3, 4]], shape: [2, 2])
        loss 0.5

        """)
}

@Test func chineseNarrationUnderLangZh() throws {
    let (lesson, output) = try collectingLesson(["--lang", "zh"])
    lesson.say(en: "We split the data.", zh: "我们划分数据。")
    lesson.step(en: "Look at x", zh: "看 x")
    #expect(lesson.tr(en: "loss", zh: "损失") == "损失")
    #expect(output.text.contains("  第零课\n"))
    #expect(output.text.hasSuffix("我们划分数据。\n\n▶ 步骤 1 · 看 x\n"))
}

@Test func quietKeepsOnlyHeadlines() throws {
    let (lesson, output) = try collectingLesson(["--quiet"])
    lesson.banner(.tuning)
    lesson.say("narration")
    lesson.table(Table(["a"], rows: [[1]]))
    lesson.plot(BarChart(title: "b", bars: [("x", 1.0)]))
    lesson.show(Tensor(scalar: 1))
    lesson.step("a step")
    lesson.headline("final loss 0.0123")
    #expect(output.text == "final loss 0.0123\n")
}

@Test func traceShapesOnlyWhenAsked() throws {
    let (plain, plainOutput) = try collectingLesson(["--quiet"])
    plain.traceShape("encoder.0", Tensor([Float](repeating: 0, count: 6), shape: [1, 2, 3]))
    #expect(plainOutput.text.isEmpty)

    let (tracing, output) = try collectingLesson(["--quiet", "--trace-shapes"])
    tracing.traceShape("encoder.0", Tensor([Float](repeating: 0, count: 6), shape: [1, 2, 3]))
    tracing.traceShape("head", shape: [1, 1])
    #expect(output.text == "  ↳ encoder.0: [1, 2, 3]\n  ↳ head: [1, 1]\n")
}

@Test func quittingAtAStepWritesTheReportAndExitsZero() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("lessonkit-quit-\(getpid()).html").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    let input = ScriptedInput(["", "q"])
    var statuses: [Int32] = []
    let (lesson, output) = try collectingLesson(["--step", "--report", path],
                                                stepper: input.stepper(), exitStatus: { statuses.append($0) })
    lesson.step("one")
    lesson.say("between the steps")
    lesson.step("two")
    #expect(statuses == [0])
    #expect(lesson.stepNumber == 2)
    #expect(output.text.contains("Stopped at step 2.\nReport written to \(path)\n"))
    let html = try String(contentsOfFile: path, encoding: .utf8)
    #expect(html.contains("<p>between the steps</p>"))
    #expect(html.contains("<h3>Step 2 · two</h3>"))
}

@Test func finishWithoutReportWritesNothing() throws {
    let (lesson, output) = try collectingLesson()
    #expect(lesson.report == nil)
    #expect(lesson.finish())
    #expect(!output.text.contains("Report"))
}

@Test func finishReportsAFailedWrite() throws {
    // The folder exists when the flags are checked, and is gone by the end of the run.
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lessonkit-gone-\(getpid())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let (lesson, output) = try collectingLesson(["--report", folder.appendingPathComponent("r.html").path])
    try FileManager.default.removeItem(at: folder)
    #expect(lesson.finish() == false)
    #expect(!output.text.contains("Report written"))
}

/// `verbatim` prints lines as they are, stays silent under --quiet, and gives the report one <pre>.
@Test func verbatimLinesPrintAsTheyAreAndMergeInTheReport() throws {
    let (lesson, output) = try collectingLesson()
    lesson.verbatim("Epoch [1/2], Loss: 0.3233, LR: 1.00e-03")
    lesson.verbatim("Epoch [2/2], Loss: 0.1467, LR: 1.00e-03")
    expectGolden(output.text, """
        ════════════════════════════════════════════════════════════
          Lesson 0
        ════════════════════════════════════════════════════════════
        Epoch [1/2], Loss: 0.3233, LR: 1.00e-03
        Epoch [2/2], Loss: 0.1467, LR: 1.00e-03

        """)
    let (quiet, quietOutput) = try collectingLesson(["--quiet"])
    quiet.verbatim("Epoch [1/2], Loss: 0.3233, LR: 1.00e-03")
    #expect(!quietOutput.text.contains("Epoch"))
    var report = HTMLReport(title: "t", language: .en, command: "lesson0")
    report.add(.preformatted("a"))
    report.add(.preformatted("b"))
    #expect(report.html().contains("<pre>a\nb</pre>"))
}
