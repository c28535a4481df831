import Foundation

/// A line chart of one or more series against a shared x-axis: training and validation loss per
/// epoch, the learning rate over time. The y-axis is logarithmic when the values span two decades
/// or more (losses that fall by orders of magnitude), unless the lesson says otherwise.
///
///     let chart = LineChart(title: "Loss per epoch",
///                           series: [.init("train", trainLosses), .init("valid", validLosses)],
///                           xLabel: "epoch", yLabel: "MSE")
///     print(chart.text(colour: false))
///
/// In the terminal the first series is drawn in braille dots (2 × 4 dots per character, joined by
/// straight segments), the others with one marker per column (`•`, `×`, `+`, `◦`), so series stay
/// distinguishable without colour. The legend under the chart names each symbol. Both axes are
/// labelled at round values (1-2-5 steps, or powers of ten on a log axis), the same as the SVG's:
///
///     MSE (log scale)
///       1 ┤⠑⠢⣀
///         │   ⠉⠢⢄
///     0.1 ┤      ⠑⠢⣀
///         └──┬────┬───
///            2    4
///
/// A series that diverged (values that are not finite) is drawn up to where it stopped, with a
/// note under the legend; one that left fewer than two finite points is only noted, not drawn as a
/// lone dot that would read as data.
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

    /// - Parameter logScale: `true` or `false` to choose; `nil` (the default) for a log axis
    ///   exactly when the values span two decades or more (`spansDecades`).
    public init(title: String, series: [Series], xLabel: String = "", yLabel: String = "",
                logScale: Bool? = nil, width: Int = 60, height: Int = 12) {
        precondition(width >= 4 && height >= 2, "LineChart: the plot needs at least 4 × 2 cells")
        self.title = title
        self.series = series
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.logScale = logScale ?? Self.spansDecades(series.flatMap(\.y))
        self.width = width
        self.height = height
    }

    /// The markers for the second, third… series (the first is drawn in braille).
    static let markers: [Character] = ["•", "×", "+", "◦", "▪"]
    /// The legend symbol of the braille series.
    static let brailleSymbol = "⠤"

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
            if diverged(s) && points.count < 2 { continue }        // noted under the legend instead
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

        // Round y values on the rows they fall on; of two on one row, the one nearer its centre.
        var labelAt: [Int: (value: Double, offset: Double)] = [:]
        for y in yTicks(yr) {
            let exact = (yr.high - y) / (yr.high - yr.low) * Double(height - 1)
            let row = Int(exact.rounded())
            guard (0..<height).contains(row) else { continue }
            let offset = abs(exact - Double(row))
            if let other = labelAt[row], other.offset <= offset { continue }
            labelAt[row] = (y, offset)
        }
        let labels = labelAt.mapValues { axisLabel(shown($0.value)) }
        let labelWidth = labels.values.map(displayWidth).max() ?? 0
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
            let label = labels[row].map { $0.padded(left: labelWidth) + " ┤" }
                ?? String(repeating: " ", count: labelWidth) + " │"
            lines.append(trimmed(label + cells))
        }
        // Round x values where they fall, each marked on the axis with ┬.
        let ticks = xTicks(xr).map { x in
            (column: Int(((x - xr.low) / (xr.high - xr.low) * Double(width - 1)).rounded()), label: axisLabel(x))
        }.filter { (0..<width).contains($0.column) }
        var axis = [Character](repeating: "─", count: width)
        for tick in ticks { axis[tick.column] = "┬" }
        lines.append(String(repeating: " ", count: labelWidth) + " └" + String(axis))
        lines.append(String(repeating: " ", count: labelWidth + 2) + tickLine(ticks, width: width, centred: true))
        if !xLabel.isEmpty {
            let pad = labelWidth + 2 + max(0, (width - displayWidth(xLabel)) / 2)
            lines.append(String(repeating: " ", count: pad) + xLabel)
        }
        let legend = series.indices.map { k in
            let symbol = k == 0 ? Self.brailleSymbol : String(Self.markers[(k - 1) % Self.markers.count])
            return symbol.painted(Colour.series(k), colour) + " " + series[k].name
        }
        lines.append(String(repeating: " ", count: labelWidth + 2) + legend.joined(separator: "   "))
        lines += valueNotes().map { String(repeating: " ", count: labelWidth + 2) + $0 }
        return lines.joined(separator: "\n")
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
