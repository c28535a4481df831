import Foundation

/// A line chart of one or more series against a shared x-axis: training and validation loss per
/// epoch, the learning rate over time. The y-axis can be logarithmic, for losses that fall by
/// orders of magnitude.
///
///     let chart = LineChart(title: "Loss per epoch",
///                           series: [.init("train", trainLosses), .init("valid", validLosses)],
///                           xLabel: "epoch", yLabel: "MSE")
///     print(chart.text(colour: false))
///
/// In the terminal the first series is drawn in braille dots (2 × 4 dots per character, joined by
/// straight segments), the others with one marker per column (`•`, `×`, `+`, `◦`), so series stay
/// distinguishable without colour. The legend under the chart names each symbol.
public struct LineChart: Chart {
    /// The language of the chart's own words (set by `Lesson.plot` from `--lang`).
    public var language: Language = .en
    /// One named line: `y[i]` is plotted at `x[i]`.
    public struct Series: Sendable {
        public var name: String
        public var x: [Double]
        public var y: [Double]

        /// A series from its values; `x` defaults to 1, 2, 3, … (epochs, steps).
        public init<V: BinaryFloatingPoint>(_ name: String, _ values: [V], x: [V]? = nil) {
            precondition(x == nil || x!.count == values.count, "LineChart.Series: x and y differ in length")
            self.name = name
            self.y = values.map { Double($0) }
            self.x = x?.map { Double($0) } ?? values.indices.map { Double($0 + 1) }
        }
    }

    public var title: String
    public var series: [Series]
    public var xLabel: String
    public var yLabel: String
    /// Plot `log10(y)`; values ≤ 0 cannot be shown and are skipped.
    public var logScale: Bool
    /// The plot area in terminal columns and rows (axes and labels come on top).
    public var width: Int
    public var height: Int

    public init(title: String, series: [Series], xLabel: String = "", yLabel: String = "",
                logScale: Bool = false, width: Int = 60, height: Int = 12) {
        precondition(width >= 4 && height >= 2, "LineChart: the plot needs at least 4 × 2 cells")
        self.title = title
        self.series = series
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.logScale = logScale
        self.width = width
        self.height = height
    }

    /// The markers for the second, third… series (the first is drawn in braille).
    static let markers: [Character] = ["•", "×", "+", "◦", "▪"]
    /// The legend symbol of the braille series.
    static let brailleSymbol = "⠤"

    /// A series' points as they are plotted: finite, positive under a log scale, y transformed.
    func plotted(_ s: Series) -> [(x: Double, y: Double)] {
        zip(s.x, s.y).compactMap { x, y in
            guard x.isFinite, y.isFinite, !logScale || y > 0 else { return nil }
            return (x, logScale ? log10(y) : y)
        }
    }

    /// The data ranges of both axes (y already transformed), widened when flat.
    func ranges() -> (x: (low: Double, high: Double), y: (low: Double, high: Double)) {
        let points = series.flatMap(plotted)
        let xs = points.map(\.x), ys = points.map(\.y)
        return (widened(xs.min() ?? 0, xs.max() ?? 1), widened(ys.min() ?? 0, ys.max() ?? 1))
    }

    /// The real value behind a transformed y.
    func shown(_ y: Double) -> Double { logScale ? pow(10, y) : y }

    public func text(colour: Bool) -> String {
        let (xr, yr) = ranges()
        var canvas = BrailleCanvas(columns: width, rows: height)
        var markers = [Character?](repeating: nil, count: width * height)
        var markerOwner = [Int](repeating: -1, count: width * height)

        func dotY(_ y: Double) -> Int {
            Int(((yr.high - y) / (yr.high - yr.low) * Double(canvas.dotHeight - 1)).rounded())
        }
        for (k, s) in series.enumerated() {
            let points = plotted(s)
            if k == 0 {
                let dots = points.map { p in
                    (x: Int(((p.x - xr.low) / (xr.high - xr.low) * Double(canvas.dotWidth - 1)).rounded()),
                     y: dotY(p.y))
                }
                for (a, b) in zip(dots, dots.dropFirst()) { canvas.line(from: a, to: b, series: 0) }
                if dots.count == 1 { canvas.set(x: dots[0].x, y: dots[0].y, series: 0) }
                continue
            }
            // One marker per column, where the series passes the column's centre.
            let sorted = points.sorted { $0.x < $1.x }
            for column in 0..<width {
                let x = xr.low + (Double(column) + 0.5) / Double(width) * (xr.high - xr.low)
                guard let y = interpolate(sorted, at: x, tolerance: (xr.high - xr.low) / Double(2 * width))
                else { continue }
                let row = min(height - 1, max(0, dotY(y) / 4))
                markers[row * width + column] = Self.markers[(k - 1) % Self.markers.count]
                markerOwner[row * width + column] = k
            }
        }

        let labelRows = yLabelRows(height: height)
        let labels = labelRows.map { r in
            axisLabel(shown(yr.high - (yr.high - yr.low) * Double(r) / Double(height - 1)))
        }
        let labelWidth = labels.map(\.count).max() ?? 0
        var lines = [title.bold(colour)]
        if !yTitle.isEmpty { lines.append(yTitle) }
        for row in 0..<height {
            var cells = ""
            for column in 0..<width {
                let i = row * width + column
                if let m = markers[i] {
                    cells += String(m).painted(Colour.series(markerOwner[i]), colour)
                } else if let ch = canvas.character(column: column, row: row) {
                    cells += String(ch).painted(Colour.series(0), colour)
                } else {
                    cells += " "
                }
            }
            let label = labelRows.firstIndex(of: row).map { labels[$0].padded(left: labelWidth) + " ┤" }
                ?? String(repeating: " ", count: labelWidth) + " │"
            lines.append(trimmed(label + cells))
        }
        lines.append(String(repeating: " ", count: labelWidth) + " └" + String(repeating: "─", count: width))
        let middle = middleTick(xr)
        let ticks = [(column: 0, label: axisLabel(xr.low)),
                     (column: middle.column, label: axisLabel(middle.value)),
                     (column: width - 1, label: axisLabel(xr.high))]
        lines.append(String(repeating: " ", count: labelWidth + 2) + tickLine(ticks, width: width))
        if !xLabel.isEmpty {
            let pad = labelWidth + 2 + max(0, (width - displayWidth(xLabel)) / 2)
            lines.append(String(repeating: " ", count: pad) + xLabel)
        }
        let legend = series.indices.map { k in
            let symbol = k == 0 ? Self.brailleSymbol : String(Self.markers[(k - 1) % Self.markers.count])
            return symbol.painted(Colour.series(k), colour) + " " + series[k].name
        }
        lines.append(String(repeating: " ", count: labelWidth + 2) + legend.joined(separator: "   "))
        return lines.joined(separator: "\n")
    }

    /// The y-axis title, with "(log scale)" added when the axis is logarithmic.
    var yTitle: String {
        [yLabel, logScale ? Localized(en: "(log scale)", zh: "（对数刻度）")(language) : ""]
            .filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// The middle x tick: halfway along the axis, rounded to a whole number when every x is one
    /// (epochs and steps), and the column where that value falls.
    func middleTick(_ xr: (low: Double, high: Double)) -> (column: Int, value: Double) {
        var value = (xr.low + xr.high) / 2
        if series.allSatisfy({ $0.x.allSatisfy { $0 == $0.rounded() } }) { value = value.rounded(.down) }
        let column = Int(((value - xr.low) / (xr.high - xr.low) * Double(width - 1)).rounded())
        return (column, value)
    }

    /// The y of a polyline at `x` by linear interpolation; `nil` outside its x-range (allowing
    /// `tolerance` at the ends, so a series' first and last columns get a marker).
    private func interpolate(_ points: [(x: Double, y: Double)], at x: Double, tolerance: Double) -> Double? {
        guard let first = points.first, let last = points.last else { return nil }
        if x < first.x - tolerance || x > last.x + tolerance { return nil }
        if x <= first.x { return first.y }
        if x >= last.x { return last.y }
        for (a, b) in zip(points, points.dropFirst()) where x >= a.x && x <= b.x {
            return b.x == a.x ? b.y : a.y + (b.y - a.y) * (x - a.x) / (b.x - a.x)
        }
        return nil
    }
}

/// A line without its trailing spaces (golden files should not depend on invisible characters).
func trimmed(_ line: String) -> String {
    String(line.reversed().drop(while: { $0 == " " }).reversed())
}
