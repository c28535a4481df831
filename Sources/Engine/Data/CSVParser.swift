// Splitting CSV bytes into records and fields, as RFC 4180 describes and as spreadsheets write them:
//
//     name,comment,price            a header, then one record per line
//     "Smith, J.",ok,3.5            a quoted field may hold the separator,
//     "say ""hi""",,4               a doubled quote stands for one quote,
//     "two                          and a line end (the record then spans two lines)
//     lines",x,5
//
// Lenient where real files are: spaces around a field are dropped, `\n`, `\r\n` and `\r` all end a
// line, blank lines are skipped, a quote inside an unquoted field is kept as a character. Strict
// where guessing would lose data: a quote that is never closed, or text after a closing quote, is
// an error naming its line and column. The separator is one of `,` `;` tab `|`, given or detected.

/// One field as written between separators: its text (quotes removed) and whether it was quoted.
struct CSVField: Equatable {
    var text: String
    var quoted: Bool
}

/// One record: the physical line it starts on (1-based) and its fields.
struct CSVRecord: Equatable {
    var line: Int
    var fields: [CSVField]
}

/// A problem found while splitting, with its place; the loader adds the file's name.
struct CSVSyntaxError: Error, Equatable {
    var line: Int
    var column: Int
    var kind: CSVError.Kind
}

/// The separators a CSV file may use, in the order detection prefers them on a tie.
let csvSeparatorCandidates: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: "|")]

/// Splits UTF-8 `bytes` into records at `separator`, reading at most `maxRecords` records.
///
///     csvRecords(Array("a;b\n1;\"x;y\"\n".utf8), separator: UInt8(ascii: ";"))
///     // [line 1: a, b], [line 2: 1, x;y (quoted)]
///
/// - Throws: `CSVSyntaxError` for a quote that is never closed (at the opening quote) or text
///   after a closing quote (at that field).
func csvRecords(_ bytes: [UInt8], separator: UInt8, maxRecords: Int = .max) throws -> [CSVRecord] {
    let quote = UInt8(ascii: "\""), newline = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r")
    func isSpace(_ b: UInt8) -> Bool { b == UInt8(ascii: " ") || (b == UInt8(ascii: "\t") && separator != b) }
    func endsField(_ b: UInt8) -> Bool { b == separator || b == newline || b == carriageReturn }

    var records: [CSVRecord] = []
    var fields: [CSVField] = []
    var line = 1, recordLine = 1
    var i = 0
    let n = bytes.count

    /// Ends the current record; a blank line (one empty unquoted field) is dropped.
    func finishRecord() {
        let blank = fields.count == 1 && fields[0].text.isEmpty && !fields[0].quoted
        if !blank { records.append(CSVRecord(line: recordLine, fields: fields)) }
        fields = []
    }

    while records.count < maxRecords {
        while i < n && isSpace(bytes[i]) { i += 1 }
        if i < n && bytes[i] == quote {
            // A quoted field: runs to the next lone quote, across separators and line ends.
            let (openLine, openColumn) = (line, fields.count + 1)
            var text: [UInt8] = []
            i += 1
            while true {
                guard i < n else { throw CSVSyntaxError(line: openLine, column: openColumn, kind: .unterminatedQuote) }
                let b = bytes[i]
                if b == quote {
                    if i + 1 < n && bytes[i + 1] == quote {
                        text.append(quote)
                        i += 2
                        continue
                    }
                    i += 1
                    break
                }
                // A line end inside quotes is part of the text; "\r\n" counts as one line.
                if b == newline || (b == carriageReturn && !(i + 1 < n && bytes[i + 1] == newline)) { line += 1 }
                text.append(b)
                i += 1
            }
            while i < n && isSpace(bytes[i]) { i += 1 }
            if i < n && !endsField(bytes[i]) {
                var end = i
                while end < n && !endsField(bytes[end]) { end += 1 }
                let after = String(decoding: bytes[i..<end], as: UTF8.self)
                throw CSVSyntaxError(line: line, column: fields.count + 1, kind: .textAfterQuote(after))
            }
            fields.append(CSVField(text: String(decoding: text, as: UTF8.self), quoted: true))
        } else {
            let start = i
            while i < n && !endsField(bytes[i]) { i += 1 }
            var end = i
            while end > start && isSpace(bytes[end - 1]) { end -= 1 }
            fields.append(CSVField(text: String(decoding: bytes[start..<end], as: UTF8.self), quoted: false))
        }
        // What ends the field: the end of the bytes, a separator, or a line end.
        if i == n {
            finishRecord()
            break
        }
        if bytes[i] == separator {
            i += 1
            continue
        }
        i += bytes[i] == carriageReturn && i + 1 < n && bytes[i + 1] == newline ? 2 : 1
        line += 1
        finishRecord()
        recordLine = line
        if i == n { break }
    }
    return records
}

/// The separator a file most likely uses: among `,` `;` tab `|`, the one that splits the first
/// records (up to 50) into the same number of fields, at least two, taking the most fields;
/// failing that, the one that splits the header into the most fields; failing that, a comma.
///
///     "a;b\n1,5;2\n"   ->  ";"   (the comma splits the header into 1 field and the row into 2)
func detectCSVSeparator(_ bytes: [UInt8]) -> UInt8 {
    var bestConsistent: (separator: UInt8, fields: Int)?
    var bestHeader: (separator: UInt8, fields: Int)?
    for candidate in csvSeparatorCandidates {
        guard let records = try? csvRecords(bytes, separator: candidate, maxRecords: 50),
              let header = records.first, header.fields.count >= 2 else { continue }
        let count = header.fields.count
        if records.allSatisfy({ $0.fields.count == count }) && count > (bestConsistent?.fields ?? 1) {
            bestConsistent = (candidate, count)
        }
        if count > (bestHeader?.fields ?? 1) { bestHeader = (candidate, count) }
    }
    return bestConsistent?.separator ?? bestHeader?.separator ?? UInt8(ascii: ",")
}

/// The byte offset of the first invalid UTF-8 sequence in `bytes`, or `nil` if they are valid.
func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
    var iterator = bytes.makeIterator()
    var decoder = UTF8()
    var offset = 0
    while true {
        switch decoder.decode(&iterator) {
        case .scalarValue(let scalar): offset += UTF8.width(scalar)
        case .emptyInput: return nil
        case .error: return offset
        }
    }
}
