import Foundation

/// Anything a lesson can plot: drawn as text for the terminal and as SVG for the HTML report.
///
/// The four charts are `LineChart`, `BarChart`, `Histogram` and `HeatMap`. Both renderings come
/// from the same numbers, so the terminal and the report always agree.
public protocol Chart: Sendable {
    /// The caption above the chart (and under the figure in the report).
    var title: String { get }
    /// The chart in Unicode block, braille or shade characters; colour only when `colour` is set.
    func text(colour: Bool) -> String
    /// The chart as one self-contained `<svg>` element (well-formed XML, no external resources).
    func svg() -> String
}

/// How chart axes print a number: up to 4 significant digits, switching to an exponent for very
/// large or small values (`2.303`, `0.001`, `1e-05`, `5e+04`). Deterministic, for golden tests.
func axisLabel(_ value: Double) -> String {
    if value == 0 { return "0" }
    return String(format: "%.4g", value)
}

/// A range that is safe to divide by: a single value `v` becomes `v-1 ... v+1` (or ±10 % of `v`).
func widened(_ low: Double, _ high: Double) -> (low: Double, high: Double) {
    guard high > low else {
        let pad = low == 0 ? 1 : abs(low) * 0.1
        return (low - pad, high + pad)
    }
    return (low, high)
}

/// The values a line chart's y-axis labels show for `rows` rows, top to bottom: `high` on the
/// first row, `low` on the last, evenly spaced between (about one label every four rows).
func yLabelRows(height: Int) -> [Int] {
    guard height > 1 else { return [0] }
    let gaps = max(1, min(4, (height - 1) / 3))
    return (0...gaps).map { Int((Double($0) * Double(height - 1) / Double(gaps)).rounded()) }
}

/// Places labels on one line of `width` columns. The first label starts at its column, the last
/// ends at its column, the others are centred on theirs. The ends are placed first; a middle label
/// that would touch another is left out.
func tickLine(_ ticks: [(column: Int, label: String)], width: Int) -> String {
    var line = [Character](repeating: " ", count: width + 12)
    var taken: [Range<Int>] = []
    let order = ticks.indices.sorted { a, b in
        let endA = a == 0 || a == ticks.count - 1, endB = b == 0 || b == ticks.count - 1
        return endA && !endB
    }
    for i in order {
        let tick = ticks[i], w = tick.label.count
        var start = tick.column - w / 2
        if i == 0 { start = tick.column }
        if i == ticks.count - 1 && ticks.count > 1 { start = tick.column - w + 1 }
        start = max(start, 0)
        // One blank column must separate two labels.
        let span = (start - 1)..<(start + w + 1)
        guard start + w <= line.count, !taken.contains(where: { $0.overlaps(span) }) else { continue }
        for (k, ch) in tick.label.enumerated() { line[start + k] = ch }
        taken.append(start..<(start + w))
    }
    return String(String(line).reversed().drop(while: { $0 == " " }).reversed())
}
