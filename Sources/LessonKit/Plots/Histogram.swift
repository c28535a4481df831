import Foundation

/// A histogram: how many values fall into each of `bins` equal-width intervals between the
/// smallest and the largest value. Use it to look at weights, gradients and activations: a
/// healthy layer's weights form a bump around zero; dead ReLUs pile up in one bin at 0.
///
///     let chart = Histogram(title: "layer 1 weights", values: weights.scalars, bins: 12)
///     print(chart.text(colour: false))
///
/// Columns rise in eighth blocks (`▁▂▃▄▅▆▇█`); a bin with at least one value always shows at
/// least `▁`, so rare outliers stay visible. Non-finite values (NaN, ±inf) are counted apart.
public struct Histogram: Chart {
    /// The language of the chart's own words (set by `Lesson.plot` from `--lang`).
    public var language: Language = .en
    public var title: String
    /// The count in each bin, left to right.
    public internal(set) var counts: [Int]
    /// The edges of the bins: `bins + 1` increasing values.
    public internal(set) var edges: [Double]
    /// How many values were NaN or infinite and left out.
    public internal(set) var nonFinite: Int
    /// The height of the tallest column, in rows.
    public var height: Int
    /// How many columns each bin takes.
    public var columnsPerBin: Int

    public init<V: BinaryFloatingPoint>(title: String, values: [V], bins: Int = 20,
                                        height: Int = 8, columnsPerBin: Int = 2) {
        precondition(bins >= 1, "Histogram: need at least one bin")
        self.title = title
        self.height = height
        self.columnsPerBin = columnsPerBin
        let finite = values.map { Double($0) }.filter(\.isFinite)
        nonFinite = values.count - finite.count
        let (low, high) = widened(finite.min() ?? 0, finite.max() ?? 0)
        edges = (0...bins).map { low + (high - low) * Double($0) / Double(bins) }
        var counts = [Int](repeating: 0, count: bins)
        for v in finite {
            // The largest value belongs to the last bin, not to a bin past the end.
            let bin = min(bins - 1, Int((v - low) / (high - low) * Double(bins)))
            counts[bin] += 1
        }
        self.counts = counts
    }

    /// Block characters for a cell filled by 0…8 eighths.
    static let blocks: [Character] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// Each bin's height in eighths of a row (a non-empty bin gets at least one eighth).
    var levels: [Int] {
        let tallest = max(1, counts.max() ?? 1)
        return counts.map { count in
            count == 0 ? 0 : max(1, Int((Double(count) / Double(tallest) * Double(height * 8)).rounded()))
        }
    }

    public func text(colour: Bool) -> String {
        let total = counts.reduce(0, +)
        let tallest = counts.max() ?? 0
        let labels = [String(tallest), "0"]
        let labelWidth = labels.map(\.count).max()!
        let plotWidth = counts.count * columnsPerBin
        var lines = [title.bold(colour)]
        for row in 0..<height {
            let floor = (height - 1 - row) * 8          // eighths below this row
            var cells = ""
            for level in levels {
                let fill = min(8, max(0, level - floor))
                cells += String(repeating: String(Self.blocks[fill]), count: columnsPerBin)
            }
            let label = row == 0 ? labels[0].padded(left: labelWidth) + " ┤"
                : row == height - 1 ? labels[1].padded(left: labelWidth) + " ┤"
                : String(repeating: " ", count: labelWidth) + " │"
            lines.append(trimmed(label + cells.painted(Colour.series(0), colour)))
        }
        lines.append(String(repeating: " ", count: labelWidth) + " └" + String(repeating: "─", count: plotWidth))
        let ticks = [(column: 0, label: axisLabel(edges.first!)),
                     (column: counts.count / 2 * columnsPerBin, label: axisLabel(edges[counts.count / 2])),
                     (column: plotWidth - 1, label: axisLabel(edges.last!))]
        lines.append(String(repeating: " ", count: labelWidth + 2) + tickLine(ticks, width: plotWidth))
        let width = axisLabel(edges[1] - edges[0])
        var note = Localized(en: "n = \(total), \(counts.count) bins of width \(width)",
                             zh: "n = \(total)，\(counts.count) 个区间，宽度 \(width)")(language)
        if nonFinite > 0 {
            note += Localized(en: ", \(nonFinite) non-finite left out",
                              zh: "，另有 \(nonFinite) 个非有限值未计入")(language)
        }
        lines.append(String(repeating: " ", count: labelWidth + 2) + note)
        return lines.joined(separator: "\n")
    }

    public func svg() -> String {
        let (W, H) = (640.0, 300.0)
        let (left, right, top, bottom) = (56.0, 16.0, 34.0, 52.0)
        let plotW = W - left - right, plotH = H - top - bottom
        let tallest = Double(max(1, counts.max() ?? 1))
        let binW = plotW / Double(counts.count)
        var out = SVG.open(width: Int(W), height: Int(H), title: title) + SVG.title(title, width: W).markup
        for (i, count) in counts.enumerated() where count > 0 {
            let h = Double(count) / tallest * plotH
            out += SVG.rect(x: left + binW * Double(i) + 0.5, y: top + plotH - h,
                            width: max(0.5, binW - 1), height: h, fill: Colour.series(0).hex)
        }
        out += SVG.line(left, top, left, top + plotH)
        out += SVG.line(left, top + plotH, left + plotW, top + plotH)
        out += SVG.text(String(Int(tallest)), x: left - 6, y: top + 4, anchor: "end", size: 11)
        out += SVG.text("0", x: left - 6, y: top + plotH + 4, anchor: "end", size: 11)
        // Round tick values (1-2-5 steps) where they fall, rather than the bins' odd edges.
        let (low, high) = (edges.first!, edges.last!)
        for value in niceTicks(low, high, count: 5) {
            let x = left + (value - low) / (high - low) * plotW
            out += SVG.line(x, top + plotH, x, top + plotH + 4)
            out += SVG.text(axisLabel(value), x: x, y: top + plotH + 17, anchor: "middle", size: 11)
        }
        let total = counts.reduce(0, +)
        out += SVG.text("n = \(total), \(counts.count) bins", x: left + plotW / 2, y: H - 12,
                        anchor: "middle", size: 11)
        return out + "</svg>"
    }
}
