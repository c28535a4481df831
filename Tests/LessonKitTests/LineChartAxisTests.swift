import Foundation
import Testing
import TestSupport
@testable import LessonKit

// The terminal line chart's axes: round tick values (the SVG's tick function), a log axis chosen
// when the values span decades, and notes for what a line cannot show (a diverged run, a single
// value). Each test reads the rendered text.

/// The y labels of a rendered line chart (the text before ` ┤`), top to bottom.
func yAxisLabels(_ text: String) -> [String] {
    text.split(separator: "\n").compactMap { line in
        guard let mark = line.range(of: " ┤") else { return nil }
        return line[..<mark.lowerBound].trimmingCharacters(in: .whitespaces)
    }
}

/// The x labels: the words of the line right under the axis (`└…`).
func xAxisLabels(_ text: String) -> [String] {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    guard let axis = lines.firstIndex(where: { $0.contains("└") }), axis + 1 < lines.count else { return [] }
    return lines[axis + 1].split(separator: " ").map(String.init)
}

/// A training-loss curve that falls from 0.981 to 0.00427, the shape of lesson 1's problem-1 chart.
let fallingLoss: [Double] = (0..<30).map { 0.981 * pow(0.00427 / 0.981, Double($0) / 29) }

@Test func yLabelsAreRoundValuesNotTheDataEnds() {
    // Linear: steps of 0.2 (the first of 0.1, 0.2, 0.5 ≥ 0.75 / 5), never the ends 0.2345 / 0.9876.
    let linear = LineChart(title: "t", series: [.init("a", [0.9876, 0.7, 0.5, 0.2345])]).text(colour: false)
    let labels = yAxisLabels(linear)
    #expect(labels == ["0.8", "0.6", "0.4"], "\(labels)")
    #expect(labels.allSatisfy(isRound))
    // Log over 2.4 decades: the powers of ten, real values, top to bottom.
    let log = LineChart(title: "t", series: [.init("a", fallingLoss)], logScale: true).text(colour: false)
    #expect(yAxisLabels(log) == ["0.1", "0.01"], "\(yAxisLabels(log))")
    // Log over less than two decades: 1, 2 and 5 times the powers of ten.
    let short = LineChart(title: "t", series: [.init("a", [1.04, 0.3, 0.05, 0.0139])], logScale: true)
    #expect(yAxisLabels(short.text(colour: false)) == ["1", "0.5", "0.2", "0.1", "0.05", "0.02"])
}

@Test func eachYLabelSitsOnTheRowOfItsValue() {
    // 0 … 10 over 11 rows: row r holds 10 − r, so 10, 8, 6, 4, 2, 0 label rows 0, 2, 4, 6, 8, 10.
    let chart = LineChart(title: "t", series: [.init("a", (0...10).map(Double.init))], width: 20, height: 11)
    let rows = chart.text(colour: false).split(separator: "\n").dropFirst().prefix(11)
    let labelled = rows.enumerated().filter { $0.element.contains("┤") }.map(\.offset)
    #expect(labelled == [0, 2, 4, 6, 8, 10])
    #expect(yAxisLabels(chart.text(colour: false)) == ["10", "8", "6", "4", "2", "0"])
}

@Test func xLabelsAreRoundAndMarkedOnTheAxis() {
    // Steps 10, 20, … 300 (lesson 1's smoothed curves): 100, 200, 300 (step 100, the first of
    // 10, 20, 50, 100 ≥ 290 / 5), not the old 10 / 155 / 300.
    let steps = (1...30).map { Double($0 * 10) }
    let chart = LineChart(title: "t", series: [.init("a", fallingLoss.map { $0 + 1 }, x: steps)])
    let text = chart.text(colour: false)
    #expect(xAxisLabels(text) == ["100", "200", "300"], "\(xAxisLabels(text))")
    let lines = text.split(separator: "\n").map { Array($0) }
    let axis = lines.firstIndex { $0.contains("└") }!
    #expect(lines[axis].filter { $0 == "┬" }.count == 3)
    // Every label is centred on its mark: the middle digit of "200" is right under a ┬.
    let start = (0..<lines[axis + 1].count - 2).first { String(lines[axis + 1][$0..<($0 + 3)]) == "200" }
    #expect(start.map { lines[axis][$0 + 1] } == "┬")
}

@Test func valuesSpanningDecadesGetALabelledLogAxis() {
    let auto = LineChart(title: "loss", series: [.init("train", fallingLoss)], yLabel: "MSE")
    #expect(auto.logScale)
    #expect(auto.text(colour: false).split(separator: "\n")[1] == "MSE (log scale)")
    #expect(!LineChart(title: "t", series: [.init("a", [0.9, 0.5, 0.2])]).logScale)           // 4.5×
    #expect(!LineChart(title: "t", series: [.init("a", [10, 0.01, -1])]).logScale)            // −1: no log
    #expect(!LineChart(title: "t", series: [.init("a", fallingLoss)], logScale: false).logScale)   // asked
    #expect(LineChart.spansDecades([1, .nan, 0.01]) && !LineChart.spansDecades([]))
}

@Test func aDivergedSeriesIsNotedNotDrawnAsADot() {
    // "lr 1" has one finite value, then NaN: no marker anywhere, a note under the legend instead.
    let chart = LineChart(title: "t", series: [.init("lr 0.1", [1.0, 0.6, 0.4, 0.3]),
                                               .init("lr 1", [1.0, .nan, .nan, .nan])], xLabel: "step")
    let text = chart.text(colour: false)
    let plotRows = text.split(separator: "\n").filter { $0.contains("┤") || $0.contains("│") }
    #expect(!plotRows.contains { $0.contains("•") })
    #expect(text.hasSuffix("• lr 1\n     lr 1: 3 / 4 values not finite from x = 2 on (the run diverged); "
                           + "too few finite values to draw a line."), "\(text)")
    // A diverged run with a finite stretch is drawn up to where it stopped, and noted.
    let partial = LineChart(title: "t", series: [.init("a", [1.0, 0.6, 0.4, 0.3]),
                                                 .init("b", [1.0, 0.9, 2.0, .infinity])]).text(colour: false)
    #expect(partial.contains("•") && partial.contains("b: 1 / 4 values not finite from x = 4 on"))
    #expect(partial.contains("(the run diverged); only the finite ones are drawn."))
}

@Test func aSingleValueAmongLinesIsNoted() {
    // The NaN guard stopped this run after its first value: one point, said to be one.
    var chart = LineChart(title: "t", series: [.init("clip", [4e8, 3e6, 3e6]), .init("no clip", [4e8])])
    #expect(chart.text(colour: false).hasSuffix("no clip: a single value (x = 1: 4e+08), a point rather than a line."))
    chart.language = .zh
    #expect(chart.text(colour: false).hasSuffix("no clip：只有一个值（x = 1: 4e+08），是一个点而不是一条线。"))
    #expect(!LineChart(title: "t", series: [.init("a", [1.0])]).text(colour: false).contains("single"))
}

@Test func theAxisLinesStayInsideTheFittedWidth() {
    // Tick labels are kept inside the plot's columns, so fitting the plot rows fits the chart.
    for columns in [40, 60, 80] {
        let chart = LineChart(title: "t", series: [.init("a", fallingLoss, x: (0..<30).map { Double($0) * 6.9 })])
            .fitted(toColumns: columns)
        let lines = chart.text(colour: false).split(separator: "\n").map(String.init)
        let axis = lines.firstIndex { $0.contains("└") }!
        #expect(displayWidth(lines[axis + 1]) <= displayWidth(lines[axis]), "\(lines[axis + 1])")
        #expect(lines[...axis].allSatisfy { displayWidth($0) <= columns })
    }
}
