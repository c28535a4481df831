/// A table printed with aligned columns: text left-aligned, numbers right-aligned (so the decimal
/// points line up), and a rule under the header.
///
///     var t = Table(["epoch", "train loss", "lr"])
///     t.append([1, 2.30261, .number(0.001, format: "%.0e")])
///     t.append([2, 1.91004, .number(0.001, format: "%.0e")])
///     print(t.text())
///     // epoch  train loss     lr
///     // ─────  ──────────  ─────
///     //     1      2.3026  1e-03
///     //     2      1.9100  1e-03
///
/// A column is right-aligned, header included, when any of its cells is a number.
public struct Table: Sendable {
    /// The column headings.
    public var header: [String]
    /// The rows, each as long as `header`.
    public private(set) var rows: [[TableCell]] = []
    /// An optional caption printed above the table.
    public var title: String?

    public init(_ header: [String], title: String? = nil, rows: [[TableCell]] = []) {
        self.header = header
        self.title = title
        for row in rows { append(row) }
    }

    /// Adds a row; it must have one cell per column.
    public mutating func append(_ row: [TableCell]) {
        precondition(row.count == header.count,
                     "Table: row has \(row.count) cells, header has \(header.count) columns")
        rows.append(row)
    }

    /// Whether column `c` holds numbers (then it is right-aligned).
    func isNumeric(_ c: Int) -> Bool {
        rows.contains { if case .number = $0[c] { return true } else { return false } }
    }

    /// The table as text; `colour` makes the header bold.
    public func text(colour: Bool = false) -> String {
        let widths = header.indices.map { c in
            rows.reduce(displayWidth(header[c])) { max($0, displayWidth($1[c].text)) }
        }
        func line(_ cells: [String]) -> String {
            let padded = cells.indices.map { c in
                isNumeric(c) ? cells[c].padded(left: widths[c]) : cells[c].padded(to: widths[c])
            }
            // Trailing spaces would make golden files fragile; drop them.
            return String(padded.joined(separator: "  ").reversed().drop(while: { $0 == " " }).reversed())
        }
        var lines: [String] = []
        if let title { lines.append(title) }
        lines.append(line(header).bold(colour))
        lines.append(widths.map { String(repeating: "─", count: $0) }.joined(separator: "  "))
        lines += rows.map { line($0.map(\.text)) }
        return lines.joined(separator: "\n")
    }

    /// The table one record per block, for a screen narrower than `text()`: each row becomes
    /// "heading  value" lines, with a blank line between rows.
    ///
    ///     epoch       1
    ///     train loss  2.3026
    ///
    ///     epoch       2
    ///     train loss  1.9100
    public func stackedText(colour: Bool = false) -> String {
        let labelWidth = header.map(displayWidth).max() ?? 0
        var blocks: [String] = []
        if let title { blocks.append(title) }
        for row in rows {
            let lines = header.indices.map { c in
                trimmed(header[c].padded(to: labelWidth).bold(colour) + "  " + row[c].text)
            }
            blocks.append(lines.joined(separator: "\n"))
        }
        return blocks.joined(separator: "\n\n")
    }
}

/// One cell of a `Table`: text, or a number already formatted (kept apart so it aligns right).
///
/// Literals work directly: `"relu"` is text, `3` an integer, `0.25` a number with 4 decimals.
public enum TableCell: Sendable, Equatable, ExpressibleByStringLiteral,
                       ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral {
    case text(String)
    case number(String)

    /// A number formatted with a C format, `"%.4f"` by default (`"%.2e"` for tiny gradients).
    public static func number(_ value: Double, format: String = "%.4f") -> TableCell {
        .number(String(format: format, value))
    }

    /// An integer, right-aligned.
    public static func integer(_ value: Int) -> TableCell { .number(String(value)) }

    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int) { self = .number(String(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }

    /// The cell's text as printed.
    public var text: String {
        switch self {
        case .text(let s), .number(let s): return s
        }
    }
}
