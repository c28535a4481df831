// CSV loading: a good file, files as people have them (quotes, other separators, a byte-order
// mark, missing-value tokens), each kind of bad input (with file, line and column in the error),
// and seeded random bytes that must never trap. Mutations of good files: Fuzz/ReaderFuzzTests.swift.
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
            #expect(error == CSVError(file: path, line: line, column: column, kind: kind),
                    sourceLocation: sourceLocation)
            #expect(error.description.hasPrefix(path), sourceLocation: sourceLocation)
        }
    }

    @Test func loadsFeaturesTargetAndMissingCells() throws {
        let path = try write("a, y ,\"b\"\r\n1,2,3\n\n4,,-5e-1\r\n  7 , 8 ,NaN\n")
        defer { remove(path) }
        let data = try loadCSV(path, target: "y")
        #expect(data.featureNames == ["a", "b"] && data.targetName == "y" && data.separator == ",")
        #expect(data.rowLines == [2, 4, 5] && data.file == path)
        #expect(data.missingTokens == [MissingToken(token: "", count: 1, line: 4, column: 2),
                                       MissingToken(token: "NaN", count: 1, line: 5, column: 3)])
        #expect(data.features.shape == [3, 2] && data.target.shape == [3, 1])
        #expect(data.features.scalars[0..<3] == [1, 3, 4] && data.features.scalars[3] == -0.5)
        #expect(data.features.scalars[4] == 7 && data.features.scalars[5].isNaN)
        #expect(data.target.scalars[0] == 2 && data.target.scalars[1].isNaN && data.target.scalars[2] == 8)
        #expect(missingCountPerColumn(data.features) == [0, 1])
    }

    @Test func missingFile() {
        let path = "/nonexistent-\(UUID().uuidString)/data.csv"
        #expect(throws: CSVError(file: path, line: nil, column: nil, kind: .unreadable(.notFound))) {
            try loadCSV(path, target: "y")
        }
    }

    @Test func aFolderIsRefusedAsAFolder() throws {
        let path = try write("x,y\n1,2\n")
        defer { remove(path) }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            _ = try loadCSV(folder, target: "y")
            Issue.record("a folder loaded")
        } catch let error as CSVError {
            #expect(error.kind == .unreadable(.isDirectory) && error.code == "csv.unreadable.is-directory")
            #expect(error.description == "\(folder): cannot read the file: this is a folder, not a file")
        }
    }

    @Test func binaryGarbageIsRefusedWithItsByteOffset() throws {
        // A PNG signature: byte 0 (0x89) is not UTF-8, but the NUL at byte 8 is found first.
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D])
        let path = try write(png, name: "image.csv")
        defer { remove(path) }
        #expect(throws: CSVError(file: path, line: nil, column: nil, kind: .notText(byte: 8))) {
            try loadCSV(path, target: "y")
        }
        // Invalid UTF-8 without a NUL, after a byte-order mark (offsets count from the file's start).
        #expect(throws: CSVError(file: "f", line: nil, column: nil, kind: .notText(byte: 7))) {
            try parseCSV(bytes: [0xEF, 0xBB, 0xBF] + Array("x,y\n".utf8) + [0xFF, 0x31], file: "f", target: "y")
        }
    }

    @Test func quotedFieldsFollowRFC4180() throws {
        // A quoted separator, a doubled quote and a line end inside a quoted header name; quoted numbers.
        let text = "\"a, b\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n\"1\",2, \"3\" \n4,\"\",6\n"
        let data = try parseCSV(text, file: "q.csv", target: "two\nlines")
        #expect(data.featureNames == ["a, b", "say \"hi\""] && data.targetName == "two\nlines")
        #expect(data.rowLines == [3, 4])
        #expect(data.features.scalars[0..<3] == [1, 2, 4] && data.features.scalars[3].isNaN)
        #expect(data.target.scalars == [3, 6])
        #expect(data.missingTokens == [MissingToken(token: "", count: 1, line: 4, column: 2)])
        // The records themselves, with the line each starts on.
        let records = try csvRecords(Array("p,\"q\nr\"\n\"s\"\"\",t".utf8), separator: UInt8(ascii: ","))
        #expect(records == [
            CSVRecord(line: 1, fields: [CSVField(text: "p", quoted: false), CSVField(text: "q\nr", quoted: true)]),
            CSVRecord(line: 3, fields: [CSVField(text: "s\"", quoted: true), CSVField(text: "t", quoted: false)]),
        ])
    }

    @Test func badQuotesAreErrorsWithTheirPlace() throws {
        try expectError("x,y\n1,2\n\"3,4\n5,6\n", line: 3, column: 1, kind: .unterminatedQuote)
        try expectError("x,y\n\"1\"x,2\n", line: 2, column: 1, kind: .textAfterQuote("x"))
    }

    @Test func separatorIsDetectedOrGiven() throws {
        for (text, separator) in [("a;b;y\n1;2;3\n4;5;7\n", ";"), ("a\tb\ty\n1\t2\t3\n4\t5\t7\n", "\t"),
                                  ("a|b|y\n1|2|3\n4|5|7\n", "|"), ("a,b,y\n1,2,3\n4,5,7\n", ",")] {
            let data = try parseCSV(text, file: "s.csv", target: "y")
            #expect(data.separator == Character(separator) && data.featureNames == ["a", "b"])
            #expect(data.features.scalars == [1, 2, 4, 5] && data.target.scalars == [3, 7])
        }
        // Decimal commas: the comma splits the header into one field and the rows into two.
        #expect(detectCSVSeparator(Array("a;b\n1,5;2\n3,5;4\n".utf8)) == UInt8(ascii: ";"))
        // Given: a file whose cells hold commas is read at ';' when asked.
        let given = try parseCSV("a,x;y\n1;2\n3;4\n", file: "g.csv", target: "y", separator: ";")
        #expect(given.featureNames == ["a,x"] && given.target.scalars == [2, 4])
        #expect(throws: CSVError(file: "g.csv", line: nil, column: nil, kind: .unsupportedSeparator(":"))) {
            try parseCSV("a:y\n1:2\n", file: "g.csv", target: "y", separator: ":")
        }
        // A wrong separator given: one column, and the message says so.
        do {
            _ = try parseCSV("a;y\n1;2\n3;4\n", file: "w.csv", target: "y", separator: ",")
            Issue.record("loaded at the wrong separator")
        } catch let error as CSVError {
            #expect(error.kind == .unknownTargetColumn("y", available: ["a;y"]))
            #expect(error.description.contains("is the separator another character?"))
        }
    }

    @Test func byteOrderMarkIsDropped() throws {
        let data = try parseCSV("\u{FEFF}a,y\n1,2\n3,4\n", file: "bom.csv", target: "a")
        #expect(data.targetName == "a" && data.featureNames == ["y"] && data.target.scalars == [1, 3])
    }

    @Test func defaultTargetIsTheLastColumnUnquoted() throws {
        let data = try parseCSV("a,\"price\"\n1,2\n3,4\n", file: "d.csv")
        #expect(data.targetName == "price" && data.featureNames == ["a"])
    }

    @Test func missingValueTokensAreReadAsMissingAndListed() throws {
        let text = "a,y\nNA,1\nn/a,2\n?,3\nnull,4\nNULL,5\n,6\nnan,7\nN/A,8\nNA,9\n\"?\",10\n"
        let data = try parseCSV(text, file: "m.csv", target: "y")
        #expect(data.features.scalars.allSatisfy(\.isNaN) && data.target.scalars == (1...10).map(Float.init))
        #expect(data.missingTokens.map(\.token) == ["NA", "n/a", "?", "null", "NULL", "", "nan", "N/A"])
        #expect(data.missingTokens[0] == MissingToken(token: "NA", count: 2, line: 2, column: 1))
        #expect(data.missingTokens[2] == MissingToken(token: "?", count: 2, line: 4, column: 1))
        #expect(missingCountPerColumn(data.features) == [10])
        // Words that are not tokens stay errors.
        try expectError("x,y\nnone,2\n", line: 2, column: 1, kind: .nonNumericCell("none"))
    }

    @Test func targetsThatTeachNothingAreRefused() throws {
        try expectError("x,y\n1,5\n2,5\n3,NA\n", line: nil, column: 2, kind: .constantTarget("y", value: 5))
        try expectError("x,y\n1,\n2,NA\n3,?\n", line: nil, column: 2, kind: .targetAllMissing("y"))
        try expectError("y\n1\n2\n", line: 1, column: 1, kind: .noFeatures(target: "y"))
        try expectError("x,,y\n1,2,3\n", line: 1, column: 2, kind: .emptyColumnName)
    }

    @Test func nonFiniteValuesAreReportedByRow() throws {
        try expectError("x,y\n1,2\n2,inf\n3,-Infinity\n4,1e39\n", line: 3, column: 2,
                        kind: .nonFiniteValue("inf", column: "y", count: 3))
        try expectError("x,y\n1,2\n-inf,3\n", line: 3, column: 1, kind: .nonFiniteValue("-inf", column: "x", count: 1))
    }

    @Test func enoughRowsForASplit() throws {
        #expect(minimumRowsForSplit(fractions: [0.8, 0.1, 0.1]) == 10)
        #expect(minimumRowsForSplit(fractions: [0.6, 0.2, 0.2]) == 5)
        #expect(minimumRowsForSplit(fractions: [1.0, 0, 0]) == 2)
        let rows = (1...9).map { "\($0),\($0 * 2)" }.joined(separator: "\n")
        let nine = try parseCSV("x,y\n" + rows + "\n10,NA\n", file: "few.csv", target: "y")
        #expect(nine.labelledRows == 9)
        #expect(throws: CSVError(file: "few.csv", line: nil, column: nil, kind: .tooFewRows(found: 9, minimum: 10))) {
            try nine.requireRowsForSplit(validation: 0.1, test: 0.1)
        }
        try nine.requireRowsForSplit(validation: 0.2, test: 0.2)          // 5 are enough for 60 / 20 / 20
        // What randomSplit does with the sizes (the rule minimumRowsForSplit relies on).
        #expect(splitSizes(9, fractions: [0.8, 0.1, 0.1]) == [8, 1, 0])
        #expect(splitSizes(10, fractions: [0.8, 0.1, 0.1]) == [8, 1, 1])
    }

    @Test func everyKindHasItsOwnCode() {
        let kinds: [CSVError.Kind] = [
            .unreadable(.notFound), .unreadable(.isDirectory), .notText(byte: 0), .emptyFile, .headerOnly,
            .unknownTargetColumn("y", available: []), .raggedRow(expected: 1, found: 2), .nonNumericCell("a"),
            .duplicateColumnName("a"), .emptyColumnName, .unterminatedQuote, .textAfterQuote("a"),
            .unsupportedSeparator(":"), .noFeatures(target: "y"), .nonFiniteValue("inf", column: "y", count: 1),
            .targetAllMissing("y"), .constantTarget("y", value: 1), .tooFewRows(found: 1, minimum: 10),
        ]
        let codes = kinds.map { CSVError(file: "f", line: nil, column: nil, kind: $0).code }
        #expect(Set(codes).count == kinds.count && codes.allSatisfy { $0.hasPrefix("csv.") })
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
