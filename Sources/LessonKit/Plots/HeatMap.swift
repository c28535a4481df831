import Foundation

/// A heat map of a matrix: one shaded cell per entry, darker for larger values. Use it for
/// attention weights (query rows × key columns) and the positional-encoding table.
///
///     let chart = HeatMap(title: "attention, head 0", rows: weights,    // [[Float]], 5 × 5
///                         rowLabels: ["t0", "t1", "t2", "t3", "t4"], columnLabels: ["t0", …])
///     print(chart.text(colour: false))
///
/// Values map linearly from the smallest (blank) to the largest (`█`) through `░ ▒ ▓`; the scale
/// under the map says which numbers the ends stand for. NaN prints as `?`.
public struct HeatMap: Chart {
    /// The language of the chart's own words (set by `Lesson.plot` from `--lang`).
    public var language: Language = .en
    public var title: String
    /// The matrix, row by row (every row the same length).
    public let values: [[Double]]
    /// The smallest and largest finite entries (widened when all are equal): the ends of the scale.
    public let range: (low: Double, high: Double)
    public var rowLabels: [String]?
    public var columnLabels: [String]?
    /// Characters per cell (2 keeps cells roughly square in a terminal).
    public var cellWidth: Int

    public init<V: BinaryFloatingPoint>(title: String, rows: [[V]], rowLabels: [String]? = nil,
                                        columnLabels: [String]? = nil, cellWidth: Int = 2) {
        let columns = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == columns }, "HeatMap: rows have different lengths")
        precondition(rowLabels == nil || rowLabels!.count == rows.count, "HeatMap: one label per row")
        precondition(columnLabels == nil || columnLabels!.count == columns, "HeatMap: one label per column")
        self.title = title
        self.values = rows.map { $0.map { Double($0) } }
        let finite = values.flatMap { $0 }.filter(\.isFinite)
        range = widened(finite.min() ?? 0, finite.max() ?? 1)
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.cellWidth = cellWidth
    }

    /// Five shades from low to high.
    static let shades: [Character] = [" ", "░", "▒", "▓", "█"]
    /// ANSI 256-colour codes for the same five steps (dark blue to yellow, like viridis).
    static let ansiShades = [17, 25, 30, 71, 184]
    /// SVG colours for the same five steps, interpolated between in the report.
    static let svgStops: [(Double, Double, Double)] = [(68, 1, 84), (59, 82, 139), (33, 145, 140),
                                                       (94, 201, 98), (253, 231, 37)]

    /// Where `value` sits between the smallest and the largest entry, from 0 to 1.
    func fraction(_ value: Double) -> Double {
        let r = range
        return min(1, max(0, (value - r.low) / (r.high - r.low)))
    }

    public func text(colour: Bool) -> String {
        let labels = rowLabels ?? values.indices.map(String.init)
        let labelWidth = labels.map(displayWidth).max() ?? 0
        let columns = values.first?.count ?? 0
        let indent = String(repeating: " ", count: labelWidth + 1)
        var lines = [title.bold(colour)]
        lines.append(trimmed(indent + " " + columnHeader(columns)))
        lines.append(indent + "┌" + String(repeating: "─", count: columns * cellWidth) + "┐")
        for (r, row) in values.enumerated() {
            var cells = ""
            for v in row {
                guard v.isFinite else { cells += String(repeating: "?", count: cellWidth); continue }
                let level = Int((fraction(v) * Double(Self.shades.count - 1)).rounded())
                let cell = String(repeating: String(Self.shades[level]), count: cellWidth)
                cells += colour ? "\u{1B}[38;5;\(Self.ansiShades[level])m" + cell + "\u{1B}[0m" : cell
            }
            lines.append(labels[r].padded(to: labelWidth) + " │" + cells + "│")
        }
        lines.append(indent + "└" + String(repeating: "─", count: columns * cellWidth) + "┘")
        let r = range
        let scale = Localized(en: "scale", zh: "刻度")(language)
        let between = Localized(en: "(░ ▒ ▓ between)", zh: "（░ ▒ ▓ 介于其间）")(language)
        lines.append(indent + " \(scale): \" \" = \(axisLabel(r.low)) … \"█\" = \(axisLabel(r.high)) \(between)")
        return lines.joined(separator: "\n")
    }

    /// Column labels (or indices) when each fits its cell with a space to spare; otherwise the first
    /// and the last at the two ends.
    func columnHeader(_ columns: Int) -> String {
        guard columns > 0 else { return "" }
        let names = columnLabels ?? (0..<columns).map(String.init)
        if names.allSatisfy({ displayWidth($0) < cellWidth }) {
            return names.map { $0.padded(to: cellWidth) }.joined()
        }
        return tickLine([(column: 0, label: names[0]),
                         (column: columns * cellWidth - 1, label: names[columns - 1])],
                        width: columns * cellWidth)
    }

    /// The report's colour for `value` (viridis-like, interpolated between the five stops).
    func svgColour(_ value: Double) -> String {
        guard value.isFinite else { return "#cccccc" }
        let t = fraction(value) * Double(Self.svgStops.count - 1)
        let i = min(Self.svgStops.count - 2, Int(t))
        let (a, b, u) = (Self.svgStops[i], Self.svgStops[i + 1], t - Double(i))
        func mix(_ x: Double, _ y: Double) -> Int { Int((x + (y - x) * u).rounded()) }
        return String(format: "#%02x%02x%02x", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }

    public func svg() -> String {
        let rows = values.count, columns = values.first?.count ?? 0
        let cell = max(4, min(28, 480 / max(1, max(rows, columns))))
        let showColumnLabels = columns <= 32, showRowLabels = rows <= 32
        let widestRowLabel = (rowLabels ?? values.indices.map(String.init)).map(displayWidth).max() ?? 1
        let left = showRowLabels ? 16 + 7 * Double(widestRowLabel) : 16
        var top = 34.0 + (showColumnLabels ? 18 : 0)
        let mapW = Double(cell * columns), mapH = Double(cell * rows)
        // Wide enough for the map and its colour bar, and for the title (which wraps beyond 640 px).
        let W = Int(max(left + mapW + 100, min(640, SVG.textWidth(title, size: 14) + 24)).rounded(.up))
        let (titleMarkup, titleBottom) = SVG.title(title, width: Double(W))
        top += max(0, titleBottom - 28)
        let H = Int(top + mapH + 20)
        var out = SVG.open(width: W, height: H, title: title) + titleMarkup
        for (r, row) in values.enumerated() {
            for (c, v) in row.enumerated() {
                out += SVG.rect(x: left + Double(c * cell), y: top + Double(r * cell),
                                width: Double(cell), height: Double(cell), fill: svgColour(v))
            }
            if showRowLabels {
                out += SVG.text(rowLabels?[r] ?? String(r), x: left - 6,
                                y: top + Double(r * cell) + Double(cell) / 2 + 4, anchor: "end", size: 11)
            }
        }
        if showColumnLabels {
            for c in 0..<columns {
                out += SVG.text(columnLabels?[c] ?? String(c), x: left + Double(c * cell) + Double(cell) / 2,
                                y: top - 6, anchor: "middle", size: 11)
            }
        }
        // The colour bar: the scale from the smallest to the largest entry.
        let barX = left + mapW + 24, r = range
        for i in 0..<20 {
            let v = r.high - (r.high - r.low) * Double(i) / 19
            out += SVG.rect(x: barX, y: top + mapH * Double(i) / 20, width: 14, height: mapH / 20 + 0.5,
                            fill: svgColour(v))
        }
        out += SVG.text(axisLabel(r.high), x: barX + 18, y: top + 10, size: 11)
        out += SVG.text(axisLabel(r.low), x: barX + 18, y: top + mapH, size: 11)
        return out + "</svg>"
    }
}
