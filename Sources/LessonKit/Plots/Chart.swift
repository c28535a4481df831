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
    /// The language of the chart's own words ("log scale", "bins of width", …); `Lesson.plot`
    /// sets it from `--lang`.
    var language: Language { get set }
    /// The same chart made narrow enough for a screen of `columns` columns, where its kind can
    /// shrink (Chart+Fit.swift); lines that still do not fit are wrapped by the lesson.
    func fitted(toColumns columns: Int) -> Self
}

extension Chart {
    public func fitted(toColumns columns: Int) -> Self { self }

    /// The widest line of the chart as printed, in columns.
    var textColumns: Int { text(colour: false).split(separator: "\n").map { displayWidth(String($0)) }.max() ?? 0 }
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

/// Places labels on one line of `width` columns. The first label starts at its column, the last
/// ends at its column, the others are centred on theirs (all are centred with `centred`, kept
/// inside the width). The ends are placed first; a middle label that would touch another is left out.
func tickLine(_ ticks: [(column: Int, label: String)], width: Int, centred: Bool = false) -> String {
    var line = [Character](repeating: " ", count: width + 12)
    var taken: [Range<Int>] = []
    let order = ticks.indices.sorted { a, b in
        let endA = a == 0 || a == ticks.count - 1, endB = b == 0 || b == ticks.count - 1
        return endA && !endB
    }
    for i in order {
        let tick = ticks[i], w = displayWidth(tick.label)
        var start = tick.column - w / 2
        if centred {
            start = min(start, width - w)
        } else if i == 0 {
            start = tick.column
        } else if i == ticks.count - 1 && ticks.count > 1 {
            start = tick.column - w + 1
        }
        start = max(start, 0)
        // One blank column must separate two labels.
        let span = (start - 1)..<(start + w + 1)
        guard start + w <= line.count, !taken.contains(where: { $0.overlaps(span) }) else { continue }
        // A wide character fills two columns: the second holds a placeholder removed below.
        var column = start
        for ch in tick.label {
            line[column] = ch
            if displayWidth(String(ch)) == 2 { line[column + 1] = "\0" }
            column += displayWidth(String(ch))
        }
        taken.append(start..<(start + w))
    }
    return trimmed(String(line.filter { $0 != "\0" }))
}

/// "Nice" tick values for an axis from `low` to `high`: multiples of 1, 2 or 5 × 10ᵏ, about
/// `count` of them, all inside the range (as matplotlib and D3 choose them).
///
///     niceTicks(0.04, 1.77, count: 5)   // [0.5, 1, 1.5] (step 0.5: the first of 1, 2, 5 ≥ 0.346)
func niceTicks(_ low: Double, _ high: Double, count: Int = 5) -> [Double] {
    guard high > low, count > 0 else { return [low] }
    let rough = (high - low) / Double(count)
    let magnitude = pow(10, (log10(rough)).rounded(.down))
    let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
    var ticks: [Double] = []
    var k = (low / step).rounded(.up)
    while k * step <= high + step * 1e-9 {
        // Multiply rather than accumulate, so 0.1 + 0.2 style errors do not creep in.
        ticks.append(k * step)
        k += 1
    }
    return ticks
}
