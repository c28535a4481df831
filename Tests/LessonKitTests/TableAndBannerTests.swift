import Testing
import TestSupport
@testable import LessonKit

@Test func tableRightAlignsNumbersAndDrawsAHeaderRule() {
    var table = Table(["epoch", "train loss", "lr", "note"])
    table.append([1, 2.30261, .number(0.001, format: "%.0e"), "warm-up"])
    table.append([10, 0.5, .number(0.0001, format: "%.0e"), "损失下降"])
    expectGolden(table.text(), """
        epoch  train loss     lr  note
        ─────  ──────────  ─────  ────────
            1      2.3026  1e-03  warm-up
           10      0.5000  1e-04  损失下降
        """)
}

@Test func tableCountsChineseCharactersAsTwoColumns() {
    let table = Table(["名称", "值"], title: "参数", rows: [["学习率", .number(0.01, format: "%.2f")], ["lr", 1]])
    expectGolden(table.text(), """
        参数
        名称      值
        ──────  ────
        学习率  0.01
        lr         1
        """)
}

@Test func tableHeaderIsBoldOnlyWithColour() {
    let table = Table(["a"], rows: [["x"]])
    #expect(table.text(colour: true).hasPrefix("\u{1B}[1ma\u{1B}[0m\n"))
    #expect(!table.text(colour: false).contains("\u{1B}"))
}

@Test func displayWidthCountsWideCharacters() {
    #expect(displayWidth("loss") == 4)
    #expect(displayWidth("损失") == 4)
    #expect(displayWidth("e\u{301}") == 1)        // e + combining acute accent
    #expect(displayWidth("ＡＢ") == 4)              // full-width Latin
}

@Test func stageTitlesNameTheSeedsStagesAndAnalogies() {
    #expect(Stage.data.title(.en) == "Stage 1 · Data — the textbook and the exercises")
    #expect(Stage.architecture.title(.en) == "Stage 2 · Architecture — wiring the brain")
    #expect(Stage.tuning.title(.en) == "Stage 3 · Tuning — exercises and corrections")
    #expect(Stage.validation.title(.en) == "Stage 4 · Validation — weekly and monthly exams")
    #expect(Stage.data.title(.zh) == "第一阶段 · 数据预处理 —— 课本+练习题")
    #expect(Stage.tuning.title(.zh) == "第三阶段 · 参数调优 —— 刷题+改错")
}

@Test func bannerFramesTheTitleWithRules() {
    expectGolden(banner(Stage.data.title(.en)), """
        ════════════════════════════════════════════════════════════
          Stage 1 · Data — the textbook and the exercises
        ════════════════════════════════════════════════════════════
        """)
    // A Chinese title is measured in columns; the rule grows for a long title.
    expectGolden(banner("第四阶段 · 迭代验证", width: 10), """
        ═══════════════════════
          第四阶段 · 迭代验证
        ═══════════════════════
        """)
}

@Test func localizedPicksTheLanguage() {
    let text = Localized(en: "loss", zh: "损失")
    #expect(text(.en) == "loss")
    #expect(text(.zh) == "损失")
    let literal: Localized = "AdamW"
    #expect(literal.en == "AdamW" && literal.zh == "AdamW")
}

/// The title banner waits for the lesson's first output: bad input found before anything is
/// printed leaves standard output empty (the error goes to standard error, exit status 2).
@Test func theTitleBannerWaitsForTheFirstOutput() throws {
    var statuses: [Int32] = []
    let (lesson, output) = try collectingLesson(exitStatus: { statuses.append($0) })
    #expect(output.text.isEmpty)
    lesson.run { throw LessonError.badInput("no such column 'price'") }
    #expect(statuses == [2])
    #expect(output.text.isEmpty, "\(output.text)")

    // The first thing printed brings the banner with it, once: a paragraph, a live line or a cell.
    let title = banner("Lesson 0") + "\n"
    let (said, saidOutput) = try collectingLesson()
    said.say("first")
    said.say("second")
    #expect(saidOutput.text == title + "first\nsecond\n")
    let (streamed, streamedOutput) = try collectingLesson()
    streamed.stream("Epoch [1/50], Loss: 0.9")
    #expect(streamedOutput.text == title + "Epoch [1/50], Loss: 0.9\n")
    let (celled, celledOutput) = try collectingLesson()
    celled.cell(1, "Data")
    #expect(celledOutput.text == title + "\n▶ Cell 1 · Data\n")
    // Under --quiet there is no banner; a headline prints alone.
    let (quiet, quietOutput) = try collectingLesson(["--quiet"])
    quiet.headline("loss 0.5")
    #expect(quietOutput.text == "loss 0.5\n")
}
