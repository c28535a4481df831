import Engine
import LessonKit
import Testing
@testable import lesson1

// Lesson 1 fits the screen: at 80 and 120 columns, in English and Chinese, no line is wider.

@Test(arguments: [80, 120], ["en", "zh"])
func everyLineFitsTheWidth(columns: Int, language: String) throws {
    let flags = try FlagParser(program: "lesson1", options: lessonOptions).parse(["--lang", language, "--seeds", "2"])
    let output = LessonOutput.collecting()
    let lesson = Lesson(flags: flags, title: lesson1Title, output: output,
                        screen: ScreenSize(columns: columns, rows: 40))
    try runLesson(lesson, Settings(flags: flags))
    let wide = linesWider(than: columns, in: output.text)
    #expect(wide.isEmpty, "\(wide.prefix(5).map { "\($0.line): \($0.columns) \($0.text)" })")
}

@Test func cellsHaveOneNumbering() throws {
    let text = try runCollecting(["--seeds", "2"])
    for k in 1...7 { #expect(text.contains("▶ Cell \(k) · "), "no heading for cell \(k)") }
    #expect(!text.contains("▶ Step"))
    #expect(text.contains("the label check of cell 3"))
}
