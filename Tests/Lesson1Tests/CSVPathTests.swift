import Engine
import Foundation
import LessonKit
import Testing
@testable import lesson1

// `lesson1 --data F --target C` with files as people have them, written by the tests into a
// temporary folder: every bad one refused with a LessonError (exit status 2) worded in both
// languages, never a crash.

/// A fresh temporary folder for one test's files.
func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("lesson1-csv-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Writes `text` to `name` in `folder` and returns its path.
func write(_ text: String, _ name: String, in folder: URL) throws -> String {
    let url = folder.appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    return url.path
}

/// `rows` rows of a small numeric table, `separator` between cells: area, rooms, price.
func houseRows(_ rows: Int, separator: String = ",") -> String {
    (0..<rows).map { i in
        let area = 40 + (i * 37) % 90, rooms = 1 + i % 4
        return [String(area), String(rooms), String(2 * area + 5 * rooms + (i * 7) % 5)].joined(separator: separator)
    }.joined(separator: "\n") + "\n"
}

/// Runs the lesson on the arguments; the error it throws, or nil when it ran.
func lessonError(_ arguments: [String]) -> LessonError? {
    do {
        _ = try runCollecting(arguments)
        return nil
    } catch let error as LessonError {
        return error
    } catch {
        Issue.record("not a LessonError: \(error)")
        return nil
    }
}

@Test func tooFewRowsAreRefusedWithTheMinimum() throws {
    let folder = try temporaryFolder()
    for rows in [1, 2, 5] {
        let path = try write("area,rooms,price\n" + houseRows(rows), "rows\(rows).csv", in: folder)
        let error = try #require(lessonError(["--data", path, "--quiet"]))
        #expect(error.status == 2)
        if rows == 1 {
            // One label is one value: the loader refuses it as a constant target before counting rows.
            #expect(error.message.en.contains("has the same value (85.0) in every row"))
            #expect(error.message.en.contains("1 data row is too few") && error.message.en.contains("at least 10"))
            #expect(error.message.zh.contains("每一行都是同一个值") && error.message.zh.contains("至少需要 10 行"))
            continue
        }
        #expect(error.message.en.contains("\(rows) labelled rows are too few"))
        #expect(error.message.en.contains("at least 10"))
        #expect(error.message.zh.contains("至少需要 10 行"))
    }
    // Ten rows are enough: the lesson runs to its end.
    let ten = try write("area,rooms,price\n" + houseRows(10), "rows10.csv", in: folder)
    #expect(try runCollecting(["--data", ten, "--quiet", "--seeds", "2"]).contains("split 8/1/1"))
}

@Test func targetsWithNothingToLearnAreRefused() throws {
    let folder = try temporaryFolder()
    let cases: [(String, String, String)] = [
        ("price\n" + (1...20).map(String.init).joined(separator: "\n") + "\n", "only the target column", "只有目标列"),
        ("a,price\n" + (1...20).map { "\($0),7" }.joined(separator: "\n") + "\n", "has the same value", "同一个值"),
        ("a,price\n" + (1...20).map { "\($0),NA" }.joined(separator: "\n") + "\n", "is missing", "全部缺失"),
    ]
    for (k, (text, en, zh)) in cases.enumerated() {
        let path = try write(text, "target\(k).csv", in: folder)
        let error = try #require(lessonError(["--data", path]))
        #expect(error.status == 2 && error.message.en.contains(en) && error.message.zh.contains(zh), "\(error.message)")
    }
}

@Test func quotedFieldsSemicolonsBOMAndMissingTokensAreRead() throws {
    let folder = try temporaryFolder()
    // Quoted header and cells, a separator inside quotes.
    let quoted = try write("\"area, m2\",\"rooms\",price\n"
                           + houseRows(30).split(separator: "\n").map { line -> String in
                               let cells = line.split(separator: ",")
                               return "\"\(cells[0])\",\(cells[1]),\"\(cells[2])\""
                           }.joined(separator: "\n") + "\n", "quoted.csv", in: folder)
    let q = try runCollecting(["--data", quoted, "--seeds", "2"])
    #expect(q.contains("30 rows, features area, m2, rooms; target price"))
    // `;` detected, and given.
    let semicolon = try write("area;rooms;price\n" + houseRows(30, separator: ";"), "semicolon.csv", in: folder)
    let detected = try runCollecting(["--data", semicolon, "--quiet", "--seeds", "2"])
    #expect(detected.contains("30 rows × 2 features"))
    #expect(try runCollecting(["--data", semicolon, "--quiet", "--seeds", "2", "--separator", ";"]) == detected)
    // A wrong separator given: one column only, refused with a hint.
    let wrong = try #require(lessonError(["--data", semicolon, "--separator", "tab", "--target", "price"]))
    #expect(wrong.status == 2 && wrong.message.en.contains("is the separator another character?"))
    // A byte-order mark does not stick to the first column's name.
    let bom = try write("\u{FEFF}area,rooms,price\n" + houseRows(30), "bom.csv", in: folder)
    #expect(try runCollecting(["--data", bom, "--quiet", "--seeds", "2", "--target", "area"]).contains("30 rows"))
    // `?` and `N/A` are missing values, listed with where they first occur.
    var lines = houseRows(30).split(separator: "\n").map(String.init)
    lines[3] = "?,2,100"
    lines[7] = "55,N/A,130"
    lines[9] = "?,3,140"
    let tokens = try write("area,rooms,price\n" + lines.joined(separator: "\n") + "\n", "tokens.csv", in: folder)
    let t = try runCollecting(["--data", tokens, "--seeds", "2"])
    #expect(t.contains("Read as missing: '?' ×2 (first at line 5, column 1), 'N/A' ×1 (first at line 9, column 2)."))
    let zh = try runCollecting(["--data", tokens, "--seeds", "2", "--lang", "zh"])
    #expect(zh.contains("读作缺失值的有：“?” ×2（最早在第 5 行第 1 列）"))
}

@Test func badFilesAndFlagCombinationsExitWithStatusTwo() throws {
    let folder = try temporaryFolder()
    let ragged = try write("a,b,price\n1,2,3\n1,2\n", "ragged.csv", in: folder)
    let error = try #require(lessonError(["--data", ragged]))
    #expect(error.status == 2 && error.message.en.hasPrefix("\(ragged):3:3: this row has 2 cells"))
    #expect(error.message.zh.contains("这一行有 2 个单元格"))
    // `--target` (or `--separator`) without `--data`.
    let alone = try #require(lessonError(["--target", "price"]))
    #expect(alone.status == 2 && alone.message.en.contains("--data FILE.csv"))
    // `--target` with no value: the flag parser says so (status 2).
    #expect {
        _ = try FlagParser(program: "lesson1", options: lessonOptions).parse(["--data", ragged, "--target"])
    } throws: { error in
        guard let e = error as? FlagExit else { return false }
        return e.status == 2 && (e.reason ?? "").contains("--target needs a value")
    }
}

@Test func theBinaryExitsWithStatusTwoOnBadInput() throws {
    // Only when the lesson has been built (`swift build`); the in-process tests above cover the rest.
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let binary = root.appendingPathComponent(".build/debug/lesson1").path
    guard FileManager.default.isExecutableFile(atPath: binary) else { return }
    let folder = try temporaryFolder()
    let few = try write("a,price\n1,2\n3,4\n", "few.csv", in: folder)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = ["--data", few, "--lang", "zh"]
    let errors = Pipe(), output = Pipe()
    process.standardError = errors
    process.standardOutput = output
    try process.run()
    process.waitUntilExit()
    let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let out = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(process.terminationStatus == 2)
    #expect(text.contains("lesson1: 错误: ") && text.contains("至少需要 10 行"), "\(text)")
    #expect(!out.contains("单元 1"), "\(out)")
}
