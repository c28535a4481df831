import Foundation

extension LineChart {
    /// The chart as SVG: axes with five y ticks and three x ticks, one polyline per series in the
    /// palette's colours, and a legend in the top-right corner.
    public func svg() -> String {
        let (W, H) = (640.0, 320.0)
        let (left, right, top, bottom) = (64.0, 16.0, 34.0, 48.0)
        let plotW = W - left - right, plotH = H - top - bottom
        let (xr, yr) = ranges()
        func px(_ x: Double) -> Double { left + (x - xr.low) / (xr.high - xr.low) * plotW }
        func py(_ y: Double) -> Double { top + (yr.high - y) / (yr.high - yr.low) * plotH }

        var out = SVG.open(width: Int(W), height: Int(H), title: title)
        out += SVG.text(title, x: W / 2, y: 20, anchor: "middle", size: 14, weight: "bold")
        // Grid and y ticks: round values; on a log scale, powers of ten when the data span one.
        var yTicks = niceTicks(yr.low, yr.high, count: 5)
        if logScale {
            let decades = niceTicks(yr.low, yr.high, count: 5).filter { $0 == $0.rounded() }
            yTicks = decades.count >= 2 ? decades : [yr.low, (yr.low + yr.high) / 2, yr.high]
        }
        for y in yTicks {
            out += SVG.line(left, py(y), left + plotW, py(y), stroke: "#e5e5e5")
            out += SVG.text(axisLabel(shown(y)), x: left - 6, y: py(y) + 4, anchor: "end", size: 11)
        }
        for x in [xr.low, middleTick(xr).value, xr.high] {
            out += SVG.line(px(x), top + plotH, px(x), top + plotH + 4)
            out += SVG.text(axisLabel(x), x: px(x), y: top + plotH + 17, anchor: "middle", size: 11)
        }
        out += SVG.line(left, top, left, top + plotH)
        out += SVG.line(left, top + plotH, left + plotW, top + plotH)
        if !xLabel.isEmpty {
            out += SVG.text(xLabel, x: left + plotW / 2, y: H - 10, anchor: "middle")
        }
        if !yTitle.isEmpty {
            out += "<text x=\"14\" y=\"\(SVG.n(top + plotH / 2))\" text-anchor=\"middle\" fill=\"#333333\" " +
                "transform=\"rotate(-90 14 \(SVG.n(top + plotH / 2)))\">\(SVG.escape(yTitle))</text>"
        }
        // The series.
        for (k, s) in series.enumerated() {
            let points = plotted(s).map { "\(SVG.n(px($0.x))),\(SVG.n(py($0.y)))" }
            guard !points.isEmpty else { continue }
            out += "<polyline fill=\"none\" stroke=\"\(Colour.series(k).hex)\" stroke-width=\"2\" " +
                "stroke-linejoin=\"round\" points=\"\(points.joined(separator: " "))\"/>"
        }
        // The legend, one row per series.
        for (k, s) in series.enumerated() {
            let y = top + 10 + Double(k) * 16
            let x = left + plotW - 120
            out += SVG.line(x, y - 4, x + 18, y - 4, stroke: Colour.series(k).hex, width: 2)
            out += SVG.text(s.name, x: x + 24, y: y, size: 11)
        }
        return out + "</svg>"
    }
}
