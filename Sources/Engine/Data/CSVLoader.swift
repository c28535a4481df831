import Foundation

// Loading a user's own numeric data from a CSV file: a header row of column names, then one sample
// per line, numbers separated by commas. Every error says which file, line and column went wrong,
// because "could not parse CSV" teaches nothing.

/// A numeric table read from CSV, split into the features and the chosen target column.
public struct CSVData {
    /// The feature columns' names, in file order (the target's removed).
    public let featureNames: [String]
    /// The target column's name.
    public let targetName: String
    /// `[N, I]`; missing cells are NaN.
    public let features: Tensor
    /// `[N, 1]`; missing cells are NaN.
    public let target: Tensor

    /// As a dataset (fill or drop missing values first: see `imputeMissing`, `dropRowsWithMissing`).
    public var dataset: TensorDataset { TensorDataset(inputs: features, targets: target) }
}

/// What went wrong reading a CSV file, and where (`line` and `column` are 1-based).
public struct CSVError: Error, CustomStringConvertible, Equatable {
    public enum Kind: Equatable {
        case missingFile
        case emptyFile
        case headerOnly
        case unknownTargetColumn(String, available: [String])
        case raggedRow(expected: Int, found: Int)
        case nonNumericCell(String)
        case duplicateColumnName(String)
    }

    public let file: String
    public let line: Int?
    public let column: Int?
    public let kind: Kind

    public var description: String {
        var place = file
        if let line { place += ":\(line)" }
        if let column { place += ":\(column)" }
        switch kind {
        case .missingFile: return "\(place): no such file (or it cannot be read)"
        case .emptyFile: return "\(place): the file is empty; expected a header row of column names"
        case .headerOnly: return "\(place): the file has a header row but no data rows"
        case .unknownTargetColumn(let name, let available):
            let columns = available.map { "'\($0)'" }.joined(separator: ", ")
            return "\(place): no column named '\(name)'; the columns are \(columns)"
        case .raggedRow(let expected, let found):
            return "\(place): this row has \(found) cells but the header has \(expected)"
        case .nonNumericCell(let text): return "\(place): '\(text)' is not a number"
        case .duplicateColumnName(let name): return "\(place): the column name '\(name)' appears twice"
        }
    }
}

/// Reads a numeric CSV file and separates the `target` column from the features.
///
///     let data = try loadCSV("houses.csv", target: "price")
///     print(missingCountPerColumn(data.features))
///
/// Rules: the first line is the header; cells are separated by commas and trimmed of spaces and of
/// surrounding double quotes; empty cells and `NA`/`NaN` are missing (stored as NaN); blank lines
/// are skipped; `\n`, `\r\n` and `\r` line ends all work.
///
/// - Throws: `CSVError` for a missing file, an empty file, a header without rows, an unknown target
///   column, a row with the wrong number of cells, or a cell that is not a number.
public func loadCSV(_ path: String, target: String) throws -> CSVData {
    guard let bytes = FileManager.default.contents(atPath: path) else {
        throw CSVError(file: path, line: nil, column: nil, kind: .missingFile)
    }
    return try parseCSV(String(decoding: bytes, as: UTF8.self), file: path, target: target)
}

/// Parses CSV text (see `loadCSV`); `file` names the source in errors.
public func parseCSV(_ text: String, file: String, target: String) throws -> CSVData {
    func fail(_ line: Int?, _ column: Int?, _ kind: CSVError.Kind) -> CSVError {
        CSVError(file: file, line: line, column: column, kind: kind)
    }
    // Physical lines, numbered from 1, without blank ones.
    // (Swift treats "\r\n" as one Character, so split on any newline Character, not on "\n".)
    let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated()
        .compactMap { i, line in
            line.allSatisfy { $0 == " " || $0 == "\t" } ? nil : (number: i + 1, text: line)
        }
    guard let header = lines.first else { throw fail(1, nil, .emptyFile) }
    let names = splitCells(header.text)
    for (i, name) in names.enumerated() where names[..<i].contains(name) {
        throw fail(header.number, i + 1, .duplicateColumnName(name))
    }
    guard let targetIndex = names.firstIndex(of: target) else {
        throw fail(header.number, nil, .unknownTargetColumn(target, available: names))
    }
    guard lines.count > 1 else { throw fail(header.number + 1, nil, .headerOnly) }

    var features: [Float] = [], targets: [Float] = []
    for line in lines.dropFirst() {
        let cells = splitCells(line.text)
        guard cells.count == names.count else {
            throw fail(line.number, Swift.min(cells.count, names.count) + 1,
                       .raggedRow(expected: names.count, found: cells.count))
        }
        for (c, cell) in cells.enumerated() {
            guard let value = parseNumber(cell) else { throw fail(line.number, c + 1, .nonNumericCell(cell)) }
            if c == targetIndex { targets.append(value) } else { features.append(value) }
        }
    }
    let rows = targets.count
    var featureNames = names
    featureNames.remove(at: targetIndex)
    return CSVData(featureNames: featureNames, targetName: target,
                   features: Tensor(features, shape: [rows, names.count - 1]),
                   target: Tensor(targets, shape: [rows, 1]))
}

/// Splits one line at commas, trimming spaces and surrounding quotes from each cell.
func splitCells(_ line: Substring) -> [String] {
    line.split(separator: ",", omittingEmptySubsequences: false).map { cell in
        var s = cell.trimmingCharacters(in: .whitespaces)
        if s.count >= 2 && s.hasPrefix("\"") && s.hasSuffix("\"") { s = String(s.dropFirst().dropLast()) }
        return s
    }
}

/// A cell's value: a decimal number (`1`, `-2.5`, `3e-4`, `inf`), NaN for a missing cell, or `nil`.
func parseNumber(_ cell: String) -> Float? {
    if cell.isEmpty || cell == "NA" || cell.lowercased() == "nan" { return .nan }
    // Swift's Float(_:) also accepts hexadecimal floats such as 0x1p3; a data file should not.
    if cell.lowercased().contains("x") { return nil }
    return Float(cell)
}
