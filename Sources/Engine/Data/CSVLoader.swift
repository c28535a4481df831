import Foundation

// Loading a user's own numeric data from a CSV file: a header row of column names, then one sample
// per record. Files come as people have them: quoted fields (see CSVParser.swift), `;`, tab or `|`
// instead of commas, a byte-order mark from a spreadsheet, `NA`, `?` or `null` for a missing value.
// Every error says which file, line and column went wrong and why, because "could not parse CSV"
// teaches nothing; the kinds of error are data (`CSVError.Kind`), so a lesson can word them in any
// language, and each has a stable `code`.

/// A numeric table read from CSV, split into the features and the chosen target column.
public struct CSVData {
    /// The file it was read from (as given to `loadCSV`, or the `file` name given to `parseCSV`).
    public let file: String
    /// The feature columns' names, in file order (the target's removed).
    public let featureNames: [String]
    /// The target column's name.
    public let targetName: String
    /// `[N, I]`; missing cells are NaN.
    public let features: Tensor
    /// `[N, 1]`; missing cells are NaN.
    public let target: Tensor
    /// The separator used (given, or detected).
    public let separator: Character
    /// The line in the file where each row starts (1-based), to point at a row in a message.
    public let rowLines: [Int]
    /// Each spelling of a missing value found (`""`, `"NA"`, `"?"`, …), in order of first appearance.
    public let missingTokens: [MissingToken]

    /// As a dataset (fill or drop missing values first: see `imputeMissing`, `dropRowsWithMissing`).
    public var dataset: TensorDataset { TensorDataset(inputs: features, targets: target) }

    /// How many rows have a label (a target that is not missing).
    public var labelledRows: Int { target.scalars.filter { !$0.isNaN }.count }
}

/// One spelling of a missing value in a file: how often it occurs and where first.
public struct MissingToken: Equatable, Sendable {
    /// The cell's text as written (trimmed, quotes removed); `""` for an empty cell.
    public let token: String
    public let count: Int
    /// Where it first occurs (1-based line and column).
    public let line: Int
    public let column: Int
}

/// The cell texts read as missing, compared without regard to case.
public let missingValueTokens: Set<String> = ["", "na", "n/a", "nan", "?", "null"]

/// What went wrong reading a CSV file, and where (`line` and `column` are 1-based; a column is a
/// field's position in its record).
public struct CSVError: Error, CustomStringConvertible, Equatable {
    public enum Kind: Equatable, Sendable {
        /// The file cannot be opened or read (no such file, a folder, permission denied, …).
        case unreadable(FileProblem)
        /// Not text: a NUL byte or invalid UTF-8 at `byte` (0-based offset in the file).
        case notText(byte: Int)
        case emptyFile
        case headerOnly
        case unknownTargetColumn(String, available: [String])
        case raggedRow(expected: Int, found: Int)
        case nonNumericCell(String)
        case duplicateColumnName(String)
        case emptyColumnName
        /// A quoted field whose closing quote never comes (placed at the opening quote).
        case unterminatedQuote
        /// Text between a closing quote and the next separator, as in `"a"b`.
        case textAfterQuote(String)
        /// The separator asked for is not one of `,` `;` tab `|`.
        case unsupportedSeparator(Character)
        /// The file holds only the target column: nothing to learn from.
        case noFeatures(target: String)
        /// A cell that is a number but not a finite one (`inf`, `1e99` beyond Float); `count` such
        /// cells in the file, this is the first.
        case nonFiniteValue(String, column: String, count: Int)
        case targetAllMissing(String)
        case constantTarget(String, value: Float)
        /// Fewer labelled rows than a train / validation / test split needs.
        case tooFewRows(found: Int, minimum: Int)
    }

    public let file: String
    public let line: Int?
    public let column: Int?
    public let kind: Kind

    public init(file: String, line: Int?, column: Int?, kind: Kind) {
        self.file = file
        self.line = line
        self.column = column
        self.kind = kind
    }

    /// A stable short name for the kind, e.g. `"csv.ragged-row"`.
    public var code: String {
        switch kind {
        case .unreadable(let problem): return "csv.unreadable." + problem.code
        case .notText: return "csv.not-text"
        case .emptyFile: return "csv.empty-file"
        case .headerOnly: return "csv.header-only"
        case .unknownTargetColumn: return "csv.unknown-target"
        case .raggedRow: return "csv.ragged-row"
        case .nonNumericCell: return "csv.non-numeric"
        case .duplicateColumnName: return "csv.duplicate-column"
        case .emptyColumnName: return "csv.empty-column-name"
        case .unterminatedQuote: return "csv.unterminated-quote"
        case .textAfterQuote: return "csv.text-after-quote"
        case .unsupportedSeparator: return "csv.unsupported-separator"
        case .noFeatures: return "csv.no-features"
        case .nonFiniteValue: return "csv.non-finite"
        case .targetAllMissing: return "csv.target-all-missing"
        case .constantTarget: return "csv.constant-target"
        case .tooFewRows: return "csv.too-few-rows"
        }
    }

    public var description: String {
        var place = file
        if let line { place += ":\(line)" }
        if let column { place += ":\(column)" }
        return "\(place): " + reason
    }

    /// Why, in English, without the place.
    public var reason: String {
        func quoted(_ s: String) -> String { "'\(s)'" }
        switch kind {
        case .unreadable(let problem): return "cannot read the file: \(problem.description)"
        case .notText(let byte):
            return "not a text file (byte \(byte) is not UTF-8 text); is this really a CSV file?"
        case .emptyFile: return "the file is empty; expected a header row of column names"
        case .headerOnly: return "the file has a header row but no data rows"
        case .unknownTargetColumn(let name, let available):
            let columns = available.map(quoted).joined(separator: ", ")
            let hint = available.count == 1 && available[0].contains(where: { ",;\t|".contains($0) })
                ? " (only one column was found: is the separator another character?)" : ""
            return "no column named \(quoted(name)); the columns are \(columns)\(hint)"
        case .raggedRow(let expected, let found):
            return "this row has \(found) cells but the header has \(expected)"
        case .nonNumericCell(let text): return "\(quoted(text)) is not a number"
        case .duplicateColumnName(let name): return "the column name \(quoted(name)) appears twice"
        case .emptyColumnName: return "this column has no name in the header"
        case .unterminatedQuote: return "this quoted field is never closed (a missing \" ?)"
        case .textAfterQuote(let text):
            return "text \(quoted(text)) follows a closing quote; a quote inside quotes is written \"\""
        case .unsupportedSeparator(let c):
            return "the separator \(quoted(String(c))) is not supported; use ',', ';', tab or '|'"
        case .noFeatures(let target):
            return "the file has only the target column \(quoted(target)); there are no features to learn from"
        case .nonFiniteValue(let text, let column, let count):
            return "\(quoted(text)) in column \(quoted(column)) is not a finite number"
                + (count > 1 ? " (\(count) such cells in the file; this is the first)" : "")
        case .targetAllMissing(let name): return "every value of the target column \(quoted(name)) is missing"
        case .constantTarget(let name, let value):
            return "the target column \(quoted(name)) has the same value (\(value)) in every row; nothing to predict"
        case .tooFewRows(let found, let minimum):
            return "\(found) labelled rows are too few for a train / validation / test split; "
                + "at least \(minimum) are needed"
        }
    }
}

/// Reads a numeric CSV file and separates the `target` column from the features.
///
///     let data = try loadCSV("houses.csv", target: "price")
///     print(data.missingTokens, missingCountPerColumn(data.features))
///
/// Rules: the first record is the header; a UTF-8 byte-order mark is dropped; fields may be quoted
/// (RFC 4180); spaces around a field are dropped; the cells `""`, `NA`, `N/A`, `NaN`, `?`, `null`
/// (any case) are missing, stored as NaN and listed in `missingTokens`; blank lines are skipped.
///
/// - Parameters:
///   - target: the column to predict; `nil` takes the last column.
///   - separator: `,` `;` tab or `|`; `nil` detects it (see `detectCSVSeparator`).
/// - Throws: `CSVError` naming the file, line and column and why (see `CSVError.Kind`).
public func loadCSV(_ path: String, target: String? = nil, separator: Character? = nil) throws -> CSVData {
    switch readUserFile(path) {
    case .failure(let problem): throw CSVError(file: path, line: nil, column: nil, kind: .unreadable(problem))
    case .success(let bytes): return try parseCSV(bytes: bytes, file: path, target: target, separator: separator)
    }
}

/// Parses CSV text (see `loadCSV`); `file` names the source in errors.
public func parseCSV(_ text: String, file: String, target: String? = nil,
                     separator: Character? = nil) throws -> CSVData {
    try parseCSV(bytes: Array(text.utf8), file: file, target: target, separator: separator)
}

/// Parses the bytes of a CSV file (see `loadCSV`); `file` names the source in errors.
public func parseCSV(bytes raw: [UInt8], file: String, target: String? = nil,
                     separator: Character? = nil) throws -> CSVData {
    func fail(_ line: Int?, _ column: Int?, _ kind: CSVError.Kind) -> CSVError {
        CSVError(file: file, line: line, column: column, kind: kind)
    }
    // 1. Text: a byte-order mark dropped, then no NUL byte and valid UTF-8.
    let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
    let skipped = raw.starts(with: bom) ? bom.count : 0
    let bytes = Array(raw[skipped...])
    if let nul = bytes.firstIndex(of: 0) { throw fail(nil, nil, .notText(byte: skipped + nul)) }
    if let bad = firstInvalidUTF8(bytes) { throw fail(nil, nil, .notText(byte: skipped + bad)) }

    // 2. Records, at the separator given or detected.
    let separatorByte: UInt8
    if let separator {
        guard let ascii = separator.asciiValue, csvSeparatorCandidates.contains(ascii) else {
            throw fail(nil, nil, .unsupportedSeparator(separator))
        }
        separatorByte = ascii
    } else {
        separatorByte = detectCSVSeparator(bytes)
    }
    let records: [CSVRecord]
    do {
        records = try csvRecords(bytes, separator: separatorByte)
    } catch let e as CSVSyntaxError {
        throw fail(e.line, e.column, e.kind)
    }

    // 3. The header: names present, distinct, the target among them, at least one feature.
    guard let header = records.first else { throw fail(1, nil, .emptyFile) }
    let names = header.fields.map(\.text)
    for (i, name) in names.enumerated() {
        if name.isEmpty { throw fail(header.line, i + 1, .emptyColumnName) }
        if names[..<i].contains(name) { throw fail(header.line, i + 1, .duplicateColumnName(name)) }
    }
    let targetName = target ?? names[names.count - 1]
    guard let targetIndex = names.firstIndex(of: targetName) else {
        throw fail(header.line, nil, .unknownTargetColumn(targetName, available: names))
    }
    guard names.count > 1 else { throw fail(header.line, 1, .noFeatures(target: targetName)) }
    guard records.count > 1 else { throw fail(header.line + 1, nil, .headerOnly) }

    // 4. The cells: numbers or missing-value tokens; non-finite numbers are counted, the first kept.
    var features: [Float] = [], targets: [Float] = [], rowLines: [Int] = []
    var missing: [String: (count: Int, line: Int, column: Int)] = [:]
    var missingOrder: [String] = []
    var nonFinite: (text: String, line: Int, column: Int, count: Int)?
    features.reserveCapacity((records.count - 1) * (names.count - 1))
    for record in records.dropFirst() {
        let cells = record.fields
        guard cells.count == names.count else {
            throw fail(record.line, Swift.min(cells.count, names.count) + 1,
                       .raggedRow(expected: names.count, found: cells.count))
        }
        for (c, cell) in cells.enumerated() {
            let value: Float
            if missingValueTokens.contains(cell.text.lowercased()) {
                value = .nan
                if let seen = missing[cell.text] {
                    missing[cell.text] = (seen.count + 1, seen.line, seen.column)
                } else {
                    missing[cell.text] = (1, record.line, c + 1)
                    missingOrder.append(cell.text)
                }
            } else if let number = parseNumber(cell.text) {
                value = number
                if !number.isFinite {
                    if nonFinite == nil { nonFinite = (cell.text, record.line, c + 1, 0) }
                    nonFinite!.count += 1
                }
            } else {
                throw fail(record.line, c + 1, .nonNumericCell(cell.text))
            }
            if c == targetIndex { targets.append(value) } else { features.append(value) }
        }
        rowLines.append(record.line)
    }
    if let bad = nonFinite {
        throw fail(bad.line, bad.column, .nonFiniteValue(bad.text, column: names[bad.column - 1], count: bad.count))
    }

    // 5. The target must vary: all missing or one value in every row leaves nothing to predict.
    let labels = targets.filter { !$0.isNaN }
    guard let firstLabel = labels.first else { throw fail(nil, targetIndex + 1, .targetAllMissing(targetName)) }
    if labels.allSatisfy({ $0 == firstLabel }) {
        throw fail(nil, targetIndex + 1, .constantTarget(targetName, value: firstLabel))
    }

    let rows = targets.count
    var featureNames = names
    featureNames.remove(at: targetIndex)
    let tokens = missingOrder.map { token in
        let m = missing[token]!
        return MissingToken(token: token, count: m.count, line: m.line, column: m.column)
    }
    return CSVData(file: file, featureNames: featureNames, targetName: targetName,
                   features: Tensor(features, shape: [rows, names.count - 1]),
                   target: Tensor(targets, shape: [rows, 1]),
                   separator: Character(Unicode.Scalar(separatorByte)), rowLines: rowLines, missingTokens: tokens)
}

/// A cell's value: a decimal number (`1`, `-2.5`, `3e-4`, `inf`), or `nil`. Missing-value tokens
/// are handled before (see `missingValueTokens`).
func parseNumber(_ cell: String) -> Float? {
    // Swift's Float(_:) also accepts hexadecimal floats such as 0x1p3; a data file should not.
    if cell.contains(where: { $0 == "x" || $0 == "X" }) { return nil }
    return Float(cell)
}

// MARK: - Enough rows for a split

/// The fewest rows for which a seeded split by `fractions` (see `randomSplit`) leaves no piece with
/// a positive fraction empty and the first piece (training) with at least two rows, so that a
/// mean and a spread can be fitted on it. For 80 / 10 / 10 it is 10.
public func minimumRowsForSplit(fractions: [Double]) -> Int {
    precondition(!fractions.isEmpty && fractions.allSatisfy { $0 >= 0 && $0.isFinite },
                 "minimumRowsForSplit: fractions must be finite and not negative")
    func enough(_ n: Int) -> Bool {
        let sizes = splitSizes(n, fractions: fractions)
        return sizes[0] >= 2 && zip(sizes, fractions).allSatisfy { size, fraction in fraction == 0 || size >= 1 }
    }
    var n = 2
    while !enough(n) && n < 1_000_000 { n += 1 }
    return n
}

extension CSVData {
    /// Throws `.tooFewRows` (stating the minimum) unless the labelled rows are enough for a
    /// train / validation / test split with these fractions (see `minimumRowsForSplit`).
    public func requireRowsForSplit(validation: Double = 0.1, test: Double = 0.1) throws {
        let minimum = minimumRowsForSplit(fractions: [1 - validation - test, validation, test])
        let found = labelledRows
        guard found >= minimum else {
            throw CSVError(file: file, line: nil, column: nil, kind: .tooFewRows(found: found, minimum: minimum))
        }
    }
}
