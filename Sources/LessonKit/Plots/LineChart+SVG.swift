import Foundation

extension LineChart {
    /// The chart as SVG: the title and a legend above the plot (never over the data), round tick
    /// values (1-2-5 steps; powers of ten on a log scale), one polyline per series in the palette's
    /// colours, and notes under the axis for what the lines alone would hide: a series drawn
    /// exactly under another, and values that are not finite (a diverged run).
    public func svg() -> String {
        let W = 640.0
        let (left, right, plotH) = (64.0, 16.0, 238.0)
        let plotW = W - left - right
        let (xr, yr) = ranges()
        let (titleMarkup, titleBottom) = SVG.title(title, width: W)
        let hiddenUnder = coincidences()

        // The legend: one item per series, in rows that fit the drawing's width.
        var legend = ""
        var (x, row) = (left, 0)
        for (k, s) in series.enumerated() {
            let itemWidth = 24 + SVG.textWidth(s.name, size: 11) + 18
            if x + itemWidth > W - right && x > left { x = left; row += 1 }
            let y = titleBottom + 10 + Double(row) * 16
            legend += SVG.line(x, y - 4, x + 18, y - 4, stroke: Colour.series(k).hex, width: 2)
            legend += SVG.text(s.name, x: x + 24, y: y, size: 11)
            x += itemWidth
        }
        let top = series.isEmpty ? titleBottom + 6 : titleBottom + 10 + Double(row) * 16 + 12
        let notes = self.notes(hiddenUnder)
        let H = top + plotH + 48 + Double(notes.count) * 15
        func px(_ x: Double) -> Double { left + (x - xr.low) / (xr.high - xr.low) * plotW }
        func py(_ y: Double) -> Double { top + (yr.high - y) / (yr.high - yr.low) * plotH }

        var out = SVG.open(width: Int(W), height: Int(H.rounded(.up)), title: title) + titleMarkup + legend
        for y in yTicks(yr) {
            out += SVG.line(left, py(y), left + plotW, py(y), stroke: "#e5e5e5")
            out += SVG.text(axisLabel(shown(y)), x: left - 6, y: py(y) + 4, anchor: "end", size: 11)
        }
        for x in xTicks(xr) {
            out += SVG.line(px(x), top + plotH, px(x), top + plotH + 4)
            out += SVG.text(axisLabel(x), x: px(x), y: top + plotH + 17, anchor: "middle", size: 11)
        }
        out += SVG.line(left, top, left, top + plotH)
        out += SVG.line(left, top + plotH, left + plotW, top + plotH)
        if !xLabel.isEmpty {
            out += SVG.text(xLabel, x: left + plotW / 2, y: top + plotH + 36, anchor: "middle")
        }
        if !yTitle.isEmpty {
            out += "<text x=\"14\" y=\"\(SVG.n(top + plotH / 2))\" text-anchor=\"middle\" fill=\"#333333\" " +
                "transform=\"rotate(-90 14 \(SVG.n(top + plotH / 2)))\">\(SVG.escape(yTitle))</text>"
        }
        // The series, in order: a later one covering an earlier one is dashed, so both show.
        let covering = Set(hiddenUnder.values)
        for (k, s) in series.enumerated() {
            let points = plotted(s)
            guard !points.isEmpty else { continue }
            let coordinates = points.map { "\(SVG.n(px($0.x))),\(SVG.n(py($0.y)))" }
            let dash = covering.contains(k) ? " stroke-dasharray=\"7 5\"" : ""
            out += "<polyline fill=\"none\" stroke=\"\(Colour.series(k).hex)\" stroke-width=\"2\"\(dash) " +
                "stroke-linejoin=\"round\" points=\"\(coordinates.joined(separator: " "))\"/>"
            if points.count == 1 {       // a lone point would be invisible as a line
                out += "<circle cx=\"\(SVG.n(px(points[0].x)))\" cy=\"\(SVG.n(py(points[0].y)))\" r=\"4\" " +
                    "fill=\"\(Colour.series(k).hex)\"/>"
            }
        }
        for (i, note) in notes.enumerated() {
            out += "<text class=\"note\" x=\"\(SVG.n(left))\" y=\"\(SVG.n(top + plotH + 52 + Double(i) * 15))\" " +
                "font-size=\"11\" fill=\"#8a4b00\">\(SVG.escape(note))</text>"
        }
        return out + "</svg>"
    }

    /// Series drawn exactly under a later one: `[hidden: covering]`. Two series coincide when they
    /// have the same x values and their y values differ by at most 1 % of the axis (2.4 px of 238:
    /// about the width of the 2 px lines, so the lower one cannot be told apart).
    func coincidences() -> [Int: Int] {
        let (_, yr) = ranges()
        let tolerance = (yr.high - yr.low) * 0.01
        var hidden: [Int: Int] = [:]
        for j in series.indices {
            let a = plotted(series[j])
            guard !a.isEmpty else { continue }
            for k in series.indices where k > j {
                let b = plotted(series[k])
                if a.count == b.count && zip(a, b).allSatisfy({ $0.x == $1.x && abs($0.y - $1.y) <= tolerance }) {
                    hidden[j] = k
                }
            }
        }
        return hidden
    }

    /// The notes under the chart: coinciding series, then values that cannot be drawn.
    func notes(_ hiddenUnder: [Int: Int]) -> [String] {
        var notes: [String] = []
        for (j, k) in hiddenUnder.sorted(by: { $0.key < $1.key }) {
            let (a, b) = (series[j].name, series[k].name)
            notes.append(Localized(en: "\(a) lies under \(b) (dashed): the two coincide on this chart.",
                                   zh: "\(a) 被 \(b)（虚线）盖住：两条曲线在图上重合。")(language))
        }
        return notes + valueNotes()
    }
}
