import Foundation
import Testing
import TestSupport
@testable import LessonKit

// Golden outputs of every chart type, small enough to check by hand. The comments show the
// arithmetic, so a reader can see why each character is what it is.

@Test func lineChartDrawsBrailleSegments() {
    // y = 0, 1, 2, 3 at x = 1…4 on a 4 × 2 cell canvas (8 × 8 dots): the points land on dots
    // (0,7) (2,5) (5,2) (7,0); Bresenham joins them; row 0 gets ⡠ (0x60) and ⠊ (0x0A) in
    // columns 2–3, row 1 the same in columns 0–1.
    let chart = LineChart(title: "up", series: [.init("up", [0.0, 1, 2, 3])], width: 4, height: 2)
    expectGolden(chart.text(colour: false), """
        up
        3 ┤  ⡠⠊
        0 ┤⡠⠊
          └┬┬┬┬
           1  4
           ⠤ up
        """)
}

@Test func lineChartDrawsLaterSeriesWithMarkersAndALegend() {
    // The second series (constant 3) sits on the top row: one • per column, over the braille.
    let chart = LineChart(title: "two", series: [.init("up", [0.0, 1, 2, 3]), .init("flat", [3.0, 3, 3, 3])],
                          xLabel: "step", yLabel: "value", width: 4, height: 2)
    expectGolden(chart.text(colour: false), """
        two
        value
        3 ┤••••
        0 ┤⡠⠊
          └┬┬┬┬
           1  4
           step
           ⠤ up   • flat
        """)
}

@Test func lineChartWithTicksAndALogScale() {
    // 1, 10, 100, 1000 on a log axis is a straight line (dots (0,0) (8,5) (15,10) (23,15));
    // the labels show the real values, not their logarithms, one power of ten per row. The x
    // ticks 1…4 fall on columns (x − 1) / 3 · 11 = 0, 3.7, 7.3, 11, marked ┬ on the axis.
    let chart = LineChart(title: "loss", series: [.init("train", [1000.0, 100, 10, 1])],
                          xLabel: "epoch", logScale: true, width: 12, height: 4)
    expectGolden(chart.text(colour: false), """
        loss
        (log scale)
        1000 ┤⠑⠢⣀
         100 ┤   ⠉⠢⢄
          10 ┤      ⠑⠢⣀
           1 ┤         ⠑⠢⢄
             └┬───┬──┬───┬
              1   2  3   4
                 epoch
              ⠤ train
        """)
}

@Test func lineChartSkipsNonPositiveValuesOnALogScale() {
    let chart = LineChart(title: "t", series: [.init("s", [0.0, -1, 10, 100])], logScale: true)
    let (_, y) = chart.ranges()
    #expect(y.low == 1 && y.high == 2)              // only log10(10) and log10(100) remain
}

@Test func lineChartColoursSeriesOnlyWhenAsked() {
    let chart = LineChart(title: "t", series: [.init("a", [1.0, 2]), .init("b", [2.0, 1])], width: 4, height: 2)
    #expect(!chart.text(colour: false).contains("\u{1B}["))
    #expect(chart.text(colour: true).contains("\u{1B}[34m"))    // series 0: blue
    #expect(chart.text(colour: true).contains("\u{1B}[33m•"))   // series 1: orange markers
}

@Test func barChartScalesToTheLargestValueInEighths() {
    // width 4 = 32 eighths for 1.0: 0.5 → 16 eighths (██), 0.3 → 9.6 ≈ 10 eighths (█ + ▎).
    let chart = BarChart(title: "norms", bars: [("a", 1.0), ("bb", 0.5), ("c", 0.3), ("d", -0.2)], width: 4)
    expectGolden(chart.text(colour: false), """
        norms
        a  │████ 1
        bb │██ 0.5
        c  │█▎ 0.3
        d  │-0.2
        """)
}

@Test func histogramCountsValuesIntoEqualBins() {
    // [0, 0, 1, 2, 3, 3, 3, 3] in 3 bins over 0…3: counts 2, 1, 5 (the maximum joins the last bin).
    // Heights in eighths of 2 rows (16): 2/5·16 = 6.4 → 6 (▆), 1/5·16 = 3.2 → 3 (▃), 16 (██).
    let chart = Histogram(title: "h", values: [0.0, 0, 1, 2, 3, 3, 3, 3], bins: 3, height: 2, columnsPerBin: 1)
    #expect(chart.counts == [2, 1, 5])
    #expect(chart.edges == [0, 1, 2, 3])
    expectGolden(chart.text(colour: false), """
        h
        5 ┤  █
        0 ┤▆▃█
          └───
           0 3
           n = 8, 3 bins of width 1
        """)
}

@Test func histogramKeepsRareBinsVisibleAndCountsNonFiniteValues() {
    let values: [Float] = Array(repeating: 0, count: 1000) + [10, .nan, .infinity]
    let chart = Histogram(title: "w", values: values, bins: 2, height: 1, columnsPerBin: 2)
    #expect(chart.counts == [1000, 1])
    #expect(chart.nonFinite == 2)
    expectGolden(chart.text(colour: false), """
        w
        1000 ┤██▁▁
             └────
              0 10
              n = 1001, 2 bins of width 5, 2 non-finite left out
        """)
}

@Test func heatMapShadesFromSmallestToLargest() {
    // 0 → blank, 1 → █, 0.5 → ▒ (level 2 of 4), 0.25 → ░ (level 1).
    let chart = HeatMap(title: "a", rows: [[0.0, 1], [0.5, 0.25]])
    expectGolden(chart.text(colour: false), """
        a
           0 1
          ┌────┐
        0 │  ██│
        1 │▒▒░░│
          └────┘
           scale: " " = 0 … "█" = 1 (░ ▒ ▓ between)
        """)
}

@Test func heatMapLabelsRowsAndPutsLongColumnLabelsAtTheEnds() {
    let rows: [[Float]] = [[1, 0, 0], [0.5, 0.5, 0], [0.25, 0.25, 0.5]]
    let chart = HeatMap(title: "attention", rows: rows, rowLabels: ["q0", "q1", "q2"],
                        columnLabels: ["k0", "k1", "k2"], cellWidth: 2)
    expectGolden(chart.text(colour: false), """
        attention
            k0  k2
           ┌──────┐
        q0 │██    │
        q1 │▒▒▒▒  │
        q2 │░░░░▒▒│
           └──────┘
            scale: " " = 0 … "█" = 1 (░ ▒ ▓ between)
        """)
    #expect(chart.text(colour: true).contains("\u{1B}[38;5;184m██"))   // the brightest step
}

@Test func terminalColourNeedsATerminalAndNoNO_COLOR() {
    #expect(Terminal.colourEnabled(environment: [:], outputIsTerminal: true))
    #expect(!Terminal.colourEnabled(environment: [:], outputIsTerminal: false))
    #expect(!Terminal.colourEnabled(environment: ["NO_COLOR": "1"], outputIsTerminal: true))
    #expect(Terminal.colourEnabled(environment: ["NO_COLOR": ""], outputIsTerminal: true))
}

@Test func niceTicksAreRoundMultiplesInsideTheRange() {
    #expect(niceTicks(0.04, 1.77, count: 5) == [0.5, 1, 1.5])
    #expect(niceTicks(0, 10, count: 5) == [0, 2, 4, 6, 8, 10])
    #expect(niceTicks(-3, 0.5, count: 4) == [-3, -2, -1, 0])
    #expect(niceTicks(1, 1) == [1])
}

@Test func chineseLabelsTakeTwoColumns() {
    // Row labels pad by columns; long column labels go to the ends, measured in columns too.
    let chart = HeatMap(title: "注意力", rows: [[1.0, 0, 0, 0], [0, 1, 0, 0]], rowLabels: ["查询0", "q1"],
                        columnLabels: ["键0", "键1", "键2", "键3"])
    expectGolden(chart.text(colour: false), """
        注意力
               键0  键3
              ┌────────┐
        查询0 │██      │
        q1    │  ██    │
              └────────┘
               scale: " " = 0 … "█" = 1 (░ ▒ ▓ between)
        """)
    // The SVG leaves 7 px per column for bar labels: 2 Chinese characters = 4 columns = 44 px.
    #expect(BarChart(title: "b", bars: [("训练", 1.0)]).svg().contains("<rect x=\"44\""))
}

/// Under `--lang zh` the charts' own words are Chinese too (Lesson.plot sets `language`).
@Test func chartWordsFollowTheLanguage() {
    var histogram = Histogram(title: "h", values: [1.0, 2.0, 3.0, 4.0], bins: 2)
    #expect(histogram.text(colour: false).hasSuffix("n = 4, 2 bins of width 1.5"))
    histogram.language = .zh
    #expect(histogram.text(colour: false).hasSuffix("n = 4，2 个区间，宽度 1.5"))
    var line = LineChart(title: "loss", series: [.init("train", [1.0, 0.5, 0.25])], logScale: true)
    line.language = .zh
    #expect(line.yTitle == "（对数刻度）")
    var heat = HeatMap(title: "a", rows: [[0.0, 1.0]])
    heat.language = .zh
    #expect(heat.text(colour: false).hasSuffix("（░ ▒ ▓ 介于其间）"))
}
