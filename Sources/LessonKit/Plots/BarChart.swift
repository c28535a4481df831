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

    public init<V: BinaryFloatingPoint>(title: String, bars: [(String, V)], width: Int = 40,
                                        valueFormat: String = "%.4g") {
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

    /// The bar for `value`, `round(value / scale * width * 8)` eighths long.
    func bar(_ value: Double) -> String {
        guard value.isFinite, value > 0 else { return "" }
        let eighthCount = Int((value / scale * Double(width * 8)).rounded())
        let full = String(repeating: "█", count: eighthCount / 8)
        return eighthCount % 8 == 0 ? full : full + String(Self.eighths[eighthCount % 8])
    }

    public func text(colour: Bool) -> String {
        let labelWidth = bars.map { displayWidth($0.label) }.max() ?? 0
        var lines = [title.bold(colour)]
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
        let (W, top) = (640.0, 34.0)
        let H = top + rowH * Double(bars.count) + 16
        let barMax = W - labelWidth - 90
        var out = SVG.open(width: Int(W), height: Int(H), title: title)
        out += SVG.text(title, x: W / 2, y: 20, anchor: "middle", size: 14, weight: "bold")
        for (i, item) in bars.enumerated() {
            let y = top + rowH * Double(i)
            let length = item.value.isFinite && item.value > 0 ? item.value / scale * barMax : 0
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
