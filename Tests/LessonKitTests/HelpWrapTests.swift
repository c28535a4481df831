import Foundation
import Testing
import TestSupport
@testable import LessonKit

// `--help` fits the screen: the summary wraps at word boundaries, each option's description wraps
// under its own column, and every lesson's real `--help` fits 80 and 120 columns in both languages.

/// A lesson with long option texts, in both languages, and cells with long titles.
let longHelpParser = FlagParser(
    program: "lesson9",
    summary: Localized(en: "A summary long enough to need two lines at sixty columns, so it wraps at a space.",
                       zh: "一段足够长的简介，在五十列的屏幕上需要换行，而且逗号不能出现在行首，句号也不能。"),
    options: [
        .number("lr", default: 1e-3, in: 1e-6...10,
                help: Localized(en: "number: the learning rate of every small model in cells 6 and 7",
                                zh: "数：单元 6 和 7 中每个小模型的学习率")),
        .choice("separator", default: "auto", among: ["auto", ",", ";", "tab"],
                help: Localized(en: "the CSV separator", zh: "CSV 分隔符")),
    ],
    cells: [Localized(en: "A cell whose title is much too long for a narrow screen of sixty columns",
                      zh: "一个标题很长的单元，窄屏幕放不下")])

@Test func optionDescriptionsWrapUnderTheirColumn() {
    var parser = longHelpParser
    parser.width = 60
    let usage = parser.usage(.en)
    let head = usage.components(separatedBy: "\n").prefix(14).joined(separator: "\n")
    expectGolden(head, """
        Usage: lesson9 [options]

        A summary long enough to need two lines at sixty columns, so
        it wraps at a space.

        Lesson options:
          --lr X              number: the learning rate of every
                              small model in cells 6 and 7 (default
                              0.001, 1e-06…10)
          --separator NAME    the CSV separator (default auto; one
                              of auto, ',', ';', tab)

        Common options:
          --help              show this help and exit
        """)
    #expect(usage.hasSuffix("""
        Cells:
           1  A cell whose title is much too long for a narrow
              screen of sixty columns
        """))
    #expect(linesWider(than: 60, in: usage).isEmpty)
}

@Test func chineseHelpWrapsWithoutACommaAtALineStart() {
    var parser = longHelpParser
    parser.width = 50
    let usage = parser.usage(.zh)
    let lines = usage.components(separatedBy: "\n")
    #expect(linesWider(than: 50, in: usage).isEmpty, "\(linesWider(than: 50, in: usage))")
    #expect(lines[0] == "用法：lesson9 [选项]")
    #expect(lines.contains("  --lr X              数：单元 6 和 7 中每个小模型"))
    // Continuation lines start under the description column, never with closing punctuation.
    let continuations = lines.filter { $0.hasPrefix(String(repeating: " ", count: 22)) }
    #expect(continuations.count >= 3)
    for line in continuations {
        let first = line.drop { $0 == " " }.first
        #expect(first.map { !"，。、；：）".contains($0) } ?? false, "\(line)")
    }
}

@Test func aNarrowScreenPutsTheDescriptionBelowTheName() {
    var parser = FlagParser(program: "p", options: [.integer("overfit-epochs", default: 60, in: 1...10_000,
                                                             help: "epochs of each overfitting run")])
    parser.width = 30
    let lines = parser.usage(.en).components(separatedBy: "\n")
    let at = lines.firstIndex(of: "  --overfit-epochs N")
    #expect(at.map { lines[$0 + 1] } == "        epochs of each")
    #expect(linesWider(than: 30, in: parser.usage(.en)).isEmpty)
}

@Test func withoutAWidthTheUsageIsNotWrapped() {
    let usage = longHelpParser.usage(.en)
    #expect(usage.contains("\n  --lr X              number: the learning rate of every small model in cells 6 and 7 "
                           + "(default 0.001, 1e-06…10)\n"))
}

@Test func theStepFlagSaysItTakesSingleKeys() {
    let usage = FlagParser(program: "p").usage(.en)
    #expect(usage.contains("--step              pause before every cell and before output would scroll off"))
    #expect(usage.contains("single keys, no Enter needed: Enter or space next, c run to the end, q quit, ?"))
    #expect(FlagParser(program: "p").usage(.zh).contains("单键操作，无需回车"))
}

/// Every lesson's real `--help`, piped with `COLUMNS` set, in both languages: no line wider than
/// the width, and the option names still start their lines.
@Test(arguments: [80, 120])
func everyLessonsHelpFitsTheScreen(columns: Int) throws {
    for n in 1...4 {
        let binary = packageRoot.appendingPathComponent(".build/debug/lesson\(n)").path
        try #require(FileManager.default.isExecutableFile(atPath: binary), "\(binary) is not built")
        for language in ["en", "zh"] {
            let help = try runLessonBinary("lesson\(n)", ["--help", "--lang", language], columns: columns)
            let wide = linesWider(than: columns, in: help).prefix(3).map { "\($0.columns) \($0.text)" }
            #expect(wide.isEmpty, "lesson\(n) --help --lang \(language) at \(columns): \(wide)")
            #expect(help.contains("\n  --seed N "), "lesson\(n) --help --lang \(language) lost its layout")
            #expect(help.hasPrefix(language == "zh" ? "用法：lesson\(n) " : "Usage: lesson\(n) "))
        }
    }
}
