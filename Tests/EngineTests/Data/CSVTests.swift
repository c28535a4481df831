// CSV loading: a good file, each kind of bad input (with file, line and column in the error), and
// seeded random bytes that must never trap.
import Foundation
import Testing
@testable import Engine

@Suite struct CSVTests {
    /// Writes `text` to a file in a fresh temporary folder and returns its path (see `remove`).
    func write(_ text: String, name: String = "data.csv") throws -> String {
        try write(Data(text.utf8), name: name)
    }

    func write(_ bytes: Data, name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("csvtests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try bytes.write(to: url)
        return url.path
    }

    /// Deletes the temporary folder made by `write`.
    func remove(_ path: String) {
        try? FileManager.default.removeItem(at: URL(fileURLWithPath: path).deletingLastPathComponent())
    }

    /// Loads and expects a `CSVError` of `kind` at `line`/`column`, whose description names the file.
    func expectError(_ text: String, target: String = "y", line: Int?, column: Int?, kind: CSVError.Kind,
                     sourceLocation: SourceLocation = #_sourceLocation) throws {
        let path = try write(text)
        defer { remove(path) }
        do {
            _ = try loadCSV(path, target: target)
            Issue.record("expected \(kind), but the file loaded", sourceLocation: sourceLocation)
        } catch let error as CSVError {
            #expect(error == CSVError(file: path, line: line, column: column, kind: kind), sourceLocation: sourceLocation)
            #expect(error.description.hasPrefix(path), sourceLocation: sourceLocation)
        }
    }

    @Test func loadsFeaturesTargetAndMissingCells() throws {
        let path = try write("a, y ,\"b\"\r\n1,2,3\n\n4,,-5e-1\r\n  7 , 8 ,NaN\n")
        defer { remove(path) }
        let data = try loadCSV(path, target: "y")
        #expect(data.featureNames == ["a", "b"] && data.targetName == "y")
        #expect(data.features.shape == [3, 2] && data.target.shape == [3, 1])
        #expect(data.features.scalars[0..<3] == [1, 3, 4] && data.features.scalars[3] == -0.5)
        #expect(data.features.scalars[4] == 7 && data.features.scalars[5].isNaN)
        #expect(data.target.scalars[0] == 2 && data.target.scalars[1].isNaN && data.target.scalars[2] == 8)
        #expect(missingCountPerColumn(data.features) == [0, 1])
    }

    @Test func missingFile() {
        let path = "/nonexistent-\(UUID().uuidString)/data.csv"
        #expect(throws: CSVError(file: path, line: nil, column: nil, kind: .missingFile)) {
            try loadCSV(path, target: "y")
        }
    }

    @Test func emptyFile() throws {
        try expectError("", line: 1, column: nil, kind: .emptyFile)
        try expectError("\n  \n", line: 1, column: nil, kind: .emptyFile)
    }

    @Test func headerOnly() throws {
        try expectError("x,y\n", line: 2, column: nil, kind: .headerOnly)
    }

    @Test func unknownTargetColumn() throws {
        try expectError("x,y\n1,2\n", target: "price", line: 1, column: nil,
                        kind: .unknownTargetColumn("price", available: ["x", "y"]))
    }

    @Test func raggedRows() throws {
        try expectError("x,y,z\n1,2,3\n4,5\n", line: 3, column: 3, kind: .raggedRow(expected: 3, found: 2))
        try expectError("x,y\n1,2\n3,4,5\n", line: 3, column: 3, kind: .raggedRow(expected: 2, found: 3))
    }

    @Test func nonNumericCells() throws {
        try expectError("x,y\n1,2\n3,abc\n", line: 3, column: 2, kind: .nonNumericCell("abc"))
        try expectError("x,y\n0x1p3,2\n", line: 2, column: 1, kind: .nonNumericCell("0x1p3"))
        try expectError("x,y\n1,2\n\n1.2.3,4\n", line: 4, column: 1, kind: .nonNumericCell("1.2.3"))
    }

    @Test func duplicateColumnNames() throws {
        try expectError("x,y,x\n1,2,3\n", line: 1, column: 3, kind: .duplicateColumnName("x"))
    }

    /// 300 files of seeded random bytes (some biased towards CSV characters): each either loads or
    /// throws a `CSVError`; nothing traps and no other error escapes.
    @Test func randomBytesNeverTrap() throws {
        var g = Generator(seed: 2024)
        let alphabet = Array("0123456789,.-+eE\n\r \"yxnaNA".utf8)
        var loaded = 0, rejected = 0
        for round in 0..<300 {
            let length = g.nextInt(below: 200)
            let bytes = (0..<length).map { _ -> UInt8 in
                round % 2 == 0 ? UInt8(truncatingIfNeeded: g.next()) : alphabet[g.nextInt(below: alphabet.count)]
            }
            // Half the files start with a valid header so parsing reaches the rows.
            let header = round % 3 == 0 ? Data("x,y\n".utf8) : Data()
            let path = try write(header + Data(bytes), name: "random\(round).csv")
            defer { remove(path) }
            do {
                let data = try loadCSV(path, target: "y")
                #expect(data.features.shape[0] == data.target.shape[0])
                loaded += 1
            } catch let error as CSVError {
                #expect(error.file == path)
                rejected += 1
            }
        }
        #expect(loaded + rejected == 300 && rejected > 0)
    }
}
