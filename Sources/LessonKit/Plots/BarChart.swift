import Foundation

/// A horizontal bar chart: one labelled bar per item, e.g. the gradient norm of each layer.
///
///     let chart = BarChart(title: "Gradient norm per layer",
///                          bars: [("input_proj", 0.82), ("encoder.0", 0.31), ("head", 1.6)])
///     print(chart.text(colour: false))
///     // Gradient norm per layer
///     // input_proj │████████████▍ 0.82
///     // ...
///
/// Bar lengths are proportional to the values, the largest filling `width` columns; the ends use
/// eighth blocks (`▏▎▍▌▋▊▉`) so two close values still look different. Negative values are drawn
/// as empty bars; their number still shows.
public struct BarChart: Chart {
    /// The language of the chart's own words (set by `Lesson.plot` from `--lang`).
    public var language: Language = .en
    public var title: String
    public var bars: [(label: String, value: Double)]
    /// The longest bar, in columns.
    public var width: Int
    /// The C format of the number printed after each bar.
    public var valueFormat: String
    /// Bar lengths on a log scale: `true` in the terminal and the report, `false` in neither, and
    /// `nil` (the default) in the report only, when the positive values span two decades or more
    /// (gradient norms per layer: on a linear scale most of their bars would be empty).
    public var logScale: Bool?

    public init<V: BinaryFloatingPoint>(title: String, bars: [(String, V)], width: Int = 40,
                                        valueFormat: String = "%.4g", logScale: Bool? = nil) {
        self.logScale = logScale
        self.title = title
        self.bars = bars.map { (label: $0.0, value: Double($0.1)) }
        self.width = width
        self.valueFormat = valueFormat
    }

    /// `[" ", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]`: a cell filled by 0…7 eighths.
    static let eighths: [Character] = [" ", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]

    /// The largest finite value (the scale), at least something positive.
    var scale: Double {
        let largest = bars.map(\.value).filter(\.isFinite).max() ?? 0
        return largest > 0 ? largest : 1
    }

    /// The decades a log scale covers: from the power of ten at or below the smallest positive
    /// value to the one at or above the largest.
    var decades: (low: Double, high: Double) {
        let positive = bars.map(\.value).filter { $0.isFinite && $0 > 0 }
        let low = log10(positive.min() ?? 1).rounded(.down), high = log10(positive.max() ?? 10).rounded(.up)
        return (low, max(high, low + 1))
    }

    /// Whether the report draws this chart on a log scale.
    var svgLogScale: Bool {
        if let logScale { return logScale }
        let positive = bars.map(\.value).filter { $0.isFinite && $0 > 0 }
        guard let low = positive.min(), let high = positive.max() else { return false }
        return high / low >= 100
    }

    /// Where `value` ends, from 0 to 1 of the longest bar: linear, or by decades on a log scale.
    func fraction(_ value: Double, log: Bool) -> Double {
        guard value.isFinite, value > 0 else { return 0 }
        guard log else { return value / scale }
        let d = decades
        return max(0.01, (log10(value) - d.low) / (d.high - d.low))
    }

    /// The bar for `value`, `round(value / scale * width * 8)` eighths long.
    func bar(_ value: Double) -> String {
        guard value.isFinite, value > 0 else { return "" }
        let eighthCount = Int((fraction(value, log: logScale == true) * Double(width * 8)).rounded())
        let full = String(repeating: "█", count: eighthCount / 8)
        return eighthCount % 8 == 0 ? full : full + String(Self.eighths[eighthCount % 8])
    }

    public func text(colour: Bool) -> String {
        let labelWidth = bars.map { displayWidth($0.label) }.max() ?? 0
        let scaleNote = logScale == true ? " " + Localized(en: "(log scale)", zh: "（对数刻度）")(language) : ""
        var lines = [(title + scaleNote).bold(colour)]
        for (i, item) in bars.enumerated() {
            let drawn = bar(item.value)
            let number = String(format: valueFormat, item.value)
            let gap = drawn.isEmpty ? "" : " "
            lines.append(item.label.padded(to: labelWidth) + " │" +
                         drawn.painted(Colour.series(i), colour) + gap + number)
        }
        return lines.joined(separator: "\n")
    }

    public func svg() -> String {
        // About 7 px per column at 12 px type (a Chinese character is two columns).
        let labelWidth = Double(min(200, 16 + 7 * (bars.map { displayWidth($0.label) }.max() ?? 0)))
        let rowH = 24.0
        let W = 640.0
        let log = svgLogScale
        let shownTitle = log ? title + " " + Localized(en: "(log scale)", zh: "（对数刻度）")(language) : title
        let (titleMarkup, titleBottom) = SVG.title(shownTitle, width: W)
        let top = titleBottom + (log ? 20 : 6)
        let H = top + rowH * Double(bars.count) + 16
        let barMax = W - labelWidth - 90
        var out = SVG.open(width: Int(W), height: Int(H), title: shownTitle) + titleMarkup
        if log {        // a grid line at each power of ten, a label at every one that has room (≥ 44 px apart)
            let d = decades
            let every = max(1, Int((44 / (barMax / (d.high - d.low))).rounded(.up)))
            for e in Int(d.low)...Int(d.high) {
                let x = labelWidth + (Double(e) - d.low) / (d.high - d.low) * barMax
                out += SVG.line(x, top - 4, x, top + rowH * Double(bars.count), stroke: "#e5e5e5")
                if (Int(d.high) - e) % every == 0 {
                    out += SVG.text(axisLabel(pow(10, Double(e))), x: x, y: top - 8, anchor: "middle", size: 10)
                }
            }
        }
        for (i, item) in bars.enumerated() {
            let y = top + rowH * Double(i)
            let length = fraction(item.value, log: log) * barMax
            out += SVG.text(item.label, x: labelWidth - 8, y: y + 16, anchor: "end")
            out += SVG.rect(x: labelWidth, y: y + 4, width: length, height: rowH - 8,
                            fill: Colour.series(i).hex)
            out += SVG.text(String(format: valueFormat, item.value), x: labelWidth + length + 6, y: y + 16,
                            size: 11)
        }
        out += SVG.line(labelWidth, top, labelWidth, top + rowH * Double(bars.count))
        return out + "</svg>"
    }
}
