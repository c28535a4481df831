import Foundation

// What both renderings of a line chart share, so the terminal and the report agree: the points
// that are plotted, the axis ranges, the round tick values, when the y-axis is logarithmic, and
// the notes on values that cannot be drawn.

extension LineChart {
    /// Whether finite values span two decades or more (largest ≥ 100 × smallest), all positive:
    /// then a linear axis would flatten all but the largest into one line, and a log axis shows
    /// each of them. This is what a chart made with `logScale: nil` decides.
    ///
    ///     LineChart.spansDecades([1.2, 0.3, 0.004])   // true  (300×)
    ///     LineChart.spansDecades([0.9, 0.5, 0.2])     // false (4.5×)
    ///     LineChart.spansDecades([10, 0.01, -1])      // false (−1 cannot be shown on a log axis)
    public static func spansDecades(_ values: [Double]) -> Bool {
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max(), low > 0 else { return false }
        return high / low >= 100
    }

    /// A series' points as they are plotted: finite, positive under a log scale, y transformed.
    func plotted(_ s: Series) -> [(x: Double, y: Double)] {
        zip(s.x, s.y).compactMap { x, y in
            guard x.isFinite, y.isFinite, !logScale || y > 0 else { return nil }
            return (x, logScale ? log10(y) : y)
        }
    }

    /// Whether a series stopped with values that are not finite (a diverged run).
    func diverged(_ s: Series) -> Bool { s.y.contains { !$0.isFinite } }

    /// The data ranges of both axes (y already transformed), widened when flat.
    func ranges() -> (x: (low: Double, high: Double), y: (low: Double, high: Double)) {
        let points = series.flatMap(plotted)
        let xs = points.map(\.x), ys = points.map(\.y)
        return (widened(xs.min() ?? 0, xs.max() ?? 1), widened(ys.min() ?? 0, ys.max() ?? 1))
    }

    /// The real value behind a transformed y.
    func shown(_ y: Double) -> Double { logScale ? pow(10, y) : y }

    /// Round y ticks (transformed, like the ranges): 1-2-5 steps. On a log scale: the powers of
    /// ten when three or more fall in the range (every fifth or so when there are many); else
    /// 1, 2 and 5 times the powers of ten (0.02, 0.05, 0.1, 0.2 …) when that gives 2 to 6 ticks;
    /// else the two powers of ten; else round values of the data's own size.
    func yTicks(_ yr: (low: Double, high: Double)) -> [Double] {
        guard logScale else { return niceTicks(yr.low, yr.high, count: 5) }
        let decades = niceTicks(yr.low, yr.high, count: 5).filter { $0 == $0.rounded() }
        if decades.count >= 3 { return decades }
        let (first, last) = (Int(yr.low.rounded(.down)), Int(yr.high.rounded(.up)))
        var oneTwoFive: [Double] = []
        for k in first...max(first, last) {
            for m in [1.0, 2, 5] {
                let tick = log10(m) + Double(k)
                if tick >= yr.low - 1e-9 && tick <= yr.high + 1e-9 { oneTwoFive.append(tick) }
            }
        }
        if (2...6).contains(oneTwoFive.count) { return oneTwoFive }
        if decades.count >= 2 { return decades }
        return niceTicks(pow(10, yr.low), pow(10, yr.high), count: 4).filter { $0 > 0 }.map { log10($0) }
    }

    /// Round x ticks inside the data's range (whole numbers when every x is one).
    func xTicks(_ xr: (low: Double, high: Double)) -> [Double] {
        var ticks = niceTicks(xr.low, xr.high, count: 5)
        if series.allSatisfy({ $0.x.allSatisfy { $0 == $0.rounded() } }) { ticks = ticks.filter { $0 == $0.rounded() } }
        return ticks.isEmpty ? [xr.low, xr.high] : ticks
    }

    /// The y-axis title, with "(log scale)" added when the axis is logarithmic.
    var yTitle: String {
        [yLabel, logScale ? Localized(en: "(log scale)", zh: "（对数刻度）")(language) : ""]
            .filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// Notes on what a chart cannot show as a line: a series that is not finite from some x on
    /// (the run diverged), values ≤ 0 on a log scale, and a series of one value among longer ones.
    func valueNotes() -> [String] {
        var notes: [String] = []
        let longest = series.map { plotted($0).count }.max() ?? 0
        for s in series {
            let bad = zip(s.x, s.y).filter { !$0.1.isFinite || (logScale && $0.1 <= 0) }
            let count = "\(bad.count) / \(s.y.count)"
            if let firstBad = bad.map(\.0).min(), bad.contains(where: { !$0.1.isFinite }) {
                let from = axisLabel(firstBad)
                // A line needs two points: with fewer finite values the series is not drawn at all.
                let drawn = plotted(s).count >= 2
                notes.append(Localized(
                    en: "\(s.name): \(count) values not finite from x = \(from) on (the run diverged); "
                        + (drawn ? "only the finite ones are drawn." : "too few finite values to draw a line."),
                    zh: "\(s.name)：从 x = \(from) 起有 \(count) 个值不是有限数（训练发散），"
                        + (drawn ? "只画出有限值。" : "有限值太少，画不成线。"))(language))
            } else if !bad.isEmpty {
                notes.append(Localized(en: "\(s.name): \(count) values ≤ 0 cannot be shown on the log scale.",
                                       zh: "\(s.name)：\(count) 个 ≤ 0 的值无法画在对数刻度上。")(language))
            } else if let only = plotted(s).first, plotted(s).count == 1, longest > 1 {
                let at = "x = \(axisLabel(only.x)): \(axisLabel(shown(only.y)))"
                notes.append(Localized(en: "\(s.name): a single value (\(at)), a point rather than a line.",
                                       zh: "\(s.name)：只有一个值（\(at)），是一个点而不是一条线。")(language))
            }
        }
        return notes
    }
}
