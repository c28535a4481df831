import Engine
import Foundation
import Testing
@testable import LessonKit

@Test func wrapsAtWordBoundariesWithAHangingIndentForBullets() {
    #expect(wrap("Adam keeps a running average of each gradient.", width: 20)
        == ["Adam keeps a running", "average of each", "gradient."])
    #expect(wrap("- a bullet whose text is longer than the width", width: 20)
        == ["- a bullet whose", "  text is longer", "  than the width"])
    #expect(wrap("  12. numbered item that wraps around", width: 20)
        == ["  12. numbered item", "      that wraps", "      around"])
    // A line that fits is untouched, double spaces and all.
    #expect(wrap("a  b", width: 20) == ["a  b"])
    // A word wider than the line is cut (nothing else can be done).
    #expect(wrap("abcdefghij", width: 4) == ["abcd", "efgh", "ij"])
}

@Test func chineseBreaksBetweenCharactersButNotBeforeClosingPunctuation() {
    // 10 wide characters = 20 columns; at 8 columns, 4 characters per line.
    #expect(wrap("梯度在深度中消失爆炸", width: 8) == ["梯度在深", "度中消失", "爆炸"])
    // "，" may not start a line: it stays with the character before it.
    #expect(wrap("学习率太大，损失发散", width: 10) == ["学习率太", "大，损失发", "散"])
    // A Latin word inside Chinese stays whole.
    #expect(wrap("使用AdamW优化器训练", width: 10) == ["使用AdamW", "优化器训练"])
    #expect(!mayBreak(between: "a", and: "b") && mayBreak(between: "损", and: "失"))
    #expect(!mayBreak(between: "（", and: "损"))
}

@Test func widthChecksIgnoreColourCodes() {
    #expect(visibleWidth("\u{1B}[1mloss\u{1B}[0m") == 4)
    #expect(wrap("\u{1B}[34mabc def\u{1B}[0m", width: 3) == ["abc", "def"])
    let found = linesWider(than: 5, in: "short\nmuch longer\n损失损失损")
    #expect(found.map(\.line) == [2, 3] && found.map(\.columns) == [11, 10])
}

@Test func wideTablesStackOneRecordPerBlock() {
    var table = Table(["epoch", "train loss"], title: "losses")
    table.append([1, 2.30261])
    table.append([2, 1.91004])
    #expect(table.stackedText() == "losses\n\nepoch       1\ntrain loss  2.3026\n\nepoch       2\ntrain loss  1.9100")
}

/// A lesson's output at `columns`, in `language`: prose, bullets, a wide table, charts, a tensor.
func mixedLessonOutput(columns: Int, language: Language) throws -> String {
    let flags = try FlagParser(program: "lesson0").parse(["--lang", language.rawValue])
    let output = LessonOutput.collecting()
    let title = Localized(en: "Lesson 0 · Output that fits", zh: "第零课 · 适合屏幕的输出")
    let lesson = Lesson(flags: flags, title: title,
                        output: output, exitProcess: { _ in }, screen: ScreenSize(columns: columns, rows: 40))
    let prose = Localized(
        en: String(repeating: "The validation loss is the loss on data the model never trains on, so it measures " +
                   "what was learnt rather than what was memorised. ", count: 4),
        zh: String(repeating: "验证损失是模型从未训练过的数据上的损失，"
                       + "所以它衡量的是学到的东西，而不是记住的东西。", count: 4))
    lesson.say(prose)
    lesson.heading(prose)
    lesson.headline(prose)
    lesson.lines(["cause: " + prose(language), "fix: lower the learning rate (--lr 0.001) and clip (--clip 1)"])
    let header = (1...9).map { language == .zh ? "第\($0)列的验证损失" : "validation loss \($0)" }
    var table = Table(header)
    table.append((1...9).map { .number(Double($0) / 7) })
    lesson.table(table)
    let series: [LineChart.Series] = [.init("train with a long name", (1...50).map { 1 / Double($0) }),
                                      .init("valid", (1...50).map { 2 / Double($0) })]
    lesson.plot(LineChart(title: prose(language), series: series, xLabel: "epoch", width: 110))
    lesson.plot(BarChart(title: "gradient norm", bars: [("encoder.layers.0.self_attn.in_proj", 0.5), ("head", 2e-7)],
                         width: 100))
    lesson.plot(Histogram(title: "weights", values: (0..<200).map { sin(Double($0)) }, bins: 50, columnsPerBin: 3))
    lesson.plot(HeatMap(title: "attention", rows: (0..<40).map { r in (0..<40).map { Double(r * $0) } }, cellWidth: 2))
    lesson.show(Tensor((0..<40).map { Float($0) / 3 }, shape: [2, 20]), name: "activations")
    return output.text
}

@Test(arguments: [80, 120], Language.allCases)
func noLineIsWiderThanTheScreen(columns: Int, language: Language) throws {
    let text = try mixedLessonOutput(columns: columns, language: language)
    let wide = linesWider(than: columns, in: text)
    #expect(wide.isEmpty, "\(wide.prefix(3).map { "\($0.line): \($0.columns) \($0.text)" })")
    #expect(text.split(separator: "\n").count > 40)
}

@Test func terminalWidthComesFromColumnsWhenPiped() {
    #expect(ScreenSize.current(fd: -1, environment: [:]).columns == 100)
    #expect(ScreenSize.current(fd: -1, environment: ["COLUMNS": "72", "LINES": "30"])
            == ScreenSize(columns: 72, rows: 30))
    #expect(ScreenSize.current(fd: -1, environment: ["COLUMNS": "wide"]).columns == 100)
}
