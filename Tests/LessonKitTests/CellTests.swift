import Foundation
import Testing
@testable import LessonKit

/// A three-cell lesson where each cell computes a number the next one needs.
func threeCells(firstCell: Int = 1, lastCell: Int? = nil, arguments: [String] = [])
    throws -> (text: String, results: [Int], exits: [Int32]) {
    let output = LessonOutput.collecting()
    var exits: [Int32] = []
    let lesson = Lesson(flags: try FlagParser(program: "lesson0").parse(arguments), title: "Lesson 0",
                        program: "lesson0", output: output, exitProcess: { exits.append($0) },
                        firstCell: firstCell, lastCell: lastCell)
    lesson.cells(["Data", "Train", Localized(en: "Test", zh: "测试")])
    var results: [Int] = []
    lesson.cell(1)
    results.append(2)
    lesson.say(Localized(stringLiteral: "cell 1 made \(results[0])"))
    lesson.cell(2)
    results.append(results[0] * 3)
    lesson.headline(Localized(stringLiteral: "cell 2 made \(results[1])"))
    lesson.cell(3)
    results.append(results[1] + 1)
    lesson.say(Localized(stringLiteral: "cell 3 made \(results[2])"))
    return (output.text, results, exits)
}

/// The status line is cut to fit the screen, ending in "…".
@Test func theStatusLineFitsTheScreen() throws {
    let lesson = Lesson(flags: try FlagParser(program: "lesson0").parse([]), title: "t", program: "lesson0",
                        output: .collecting(), screen: ScreenSize(columns: 40, rows: 24))
    lesson.cells(["A very long title for the second cell of this lesson"])
    let status = lesson.status(next: "Cell 1 · A very long title for the second cell of this lesson")
    #expect(status.hasSuffix("…") && displayWidth(status) + displayWidth("  ? keys › ") <= 40, "\(status)")
}

@Test func cellsAreNumberedOneWayInHeadings() throws {
    let run = try threeCells()
    #expect(run.text.contains("\n▶ Cell 1 · Data\ncell 1 made 2\n\n▶ Cell 2 · Train\ncell 2 made 6\n"
                              + "\n▶ Cell 3 · Test\n"))
    #expect(run.exits.isEmpty)
}

/// `--from 3`: cells 1 and 2 still compute what cell 3 needs, but print nothing, not even headlines.
@Test func fromACellRunsTheEarlierOnesSilently() throws {
    let run = try threeCells(firstCell: 3)
    #expect(run.results == [2, 6, 7])
    #expect(run.text == "\n▶ Cell 3 · Test\ncell 3 made 7\n")
}

/// `--cell 2`: cell 1 silently, cell 2 shown, then the lesson stops before cell 3.
@Test func oneCellStopsAfterIt() throws {
    let run = try threeCells(firstCell: 2, lastCell: 2)
    #expect(run.text == "\n▶ Cell 2 · Train\ncell 2 made 6\nStopped at cell 2 of 3.\n")
    #expect(run.exits == [0])
}

/// Streamed lines print at once and never pause; the next ordinary output pauses first.
@Test func streamedLinesNeverPause() throws {
    let input = ScriptedInput([" ", " ", " "])
    let output = LessonOutput.collecting()
    let lesson = Lesson(flags: try FlagParser(program: "lesson0").parse(["--step"]), title: "t", output: output,
                        stepper: input.stepper(), exitProcess: { _ in }, screen: ScreenSize(columns: 80, rows: 6))
    for epoch in 1...20 { lesson.stream("Epoch [\(epoch)/20], Loss: 0.1") }
    #expect(input.reads == 0)
    lesson.say("after the epochs")
    #expect(input.reads == 1)
    #expect(output.text.hasSuffix("Epoch [20/20], Loss: 0.1\nafter the epochs\n"))
    #expect(input.shown[0].hasPrefix("lesson · more of this cell  "))
    #expect(lesson.report == nil)
}

@Test func helpListsTheCells() {
    let parser = FlagParser(program: "lesson0", cells: ["Data", Localized(en: "Train", zh: "训练")])
    #expect(parser.usage(.zh).hasSuffix("\n\n单元：\n   1  Data\n   2  训练"))
    #expect(parser.usage(.en).hasSuffix("\n\nCells:\n   1  Data\n   2  Train"))
    #expect(!FlagParser(program: "lesson0").usage(.en).contains("Cells"))
    #expect(FlagParser.languageHint(["--help", "--lang", "zh"]) == .zh && FlagParser.languageHint(["--lang=zh"]) == .zh)
    #expect(FlagParser.languageHint(["--help", "zh"]) == .en && FlagParser.languageHint(["--lang", "fr"]) == .en)
}

@Test func fromAndCellAcceptOnlyTheLessonsCells() throws {
    let parser = FlagParser(program: "lesson0", cells: ["Data", "Train", "Test"])
    #expect(try parser.parse(["--from", "3"]).fromCell == 3 && parser.parse(["--cell", "3"]).onlyCell == 3)
    for arguments in [["--from", "4"], ["--cell", "4"], ["--from", "0"]] {
        #expect(throws: FlagExit.self) { try parser.parse(arguments) }
    }
    do { _ = try parser.parse(["--from", "50"]) } catch {
        #expect(error.reason == "--from must be between 1 and 3, got 50" && error.status == 2)
    }
    #expect(parser.usage(.en).contains("(default 1, 1…3)") && parser.usage(.en).contains("(default 0, 0…3)"))
    #expect(try FlagParser(program: "lesson0").parse(["--from", "50"]).fromCell == 50)    // no cells declared
}
