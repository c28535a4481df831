import Foundation
import Testing
@testable import LessonKit

/// A drawn `<text>`: where it is anchored, its size, how it is anchored and what it says.
struct DrawnText {
    var x: Double, y: Double, size: Double, anchor: String, text: String
    /// Its left and right ends, by `SVG.textWidth`'s estimate.
    var extent: (left: Double, right: Double) {
        let w = SVG.textWidth(text, size: size)
        switch anchor {
        case "middle": return (x - w / 2, x + w / 2)
        case "end": return (x - w, x)
        default: return (x, x + w)
        }
    }
}

/// Every `<text>` of an SVG (without a transform), with its attributes.
func texts(in svg: String) -> [DrawnText] {
    svg.components(separatedBy: "<text ").dropFirst().compactMap { chunk -> DrawnText? in
        guard let close = chunk.range(of: ">"), let end = chunk.range(of: "</text>") else { return nil }
        let attributes = String(chunk[..<close.lowerBound])
        guard !attributes.contains("transform") else { return nil }
        func value(_ name: String) -> String? {
            guard let r = attributes.range(of: " \(name)=\"") ?? attributes.range(of: "\(name)=\"") else { return nil }
            return String(attributes[r.upperBound...].prefix { $0 != "\"" })
        }
        return DrawnText(x: Double(value("x") ?? "0") ?? 0, y: Double(value("y") ?? "0") ?? 0,
                         size: Double(value("font-size") ?? "12") ?? 12, anchor: value("text-anchor") ?? "start",
                         text: String(chunk[close.upperBound..<end.lowerBound]))
    }
}

/// The width of an SVG's view box.
func viewBoxWidth(_ svg: String) -> Double {
    let box = svg.components(separatedBy: "viewBox=\"0 0 ")[1].prefix { $0 != "\"" }.split(separator: " ")
    return Double(box[0])!
}

/// Every text of `svg` lies inside its drawing, left and right.
func expectTextsInside(_ svg: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let width = viewBoxWidth(svg)
    for t in texts(in: svg) {
        #expect(t.extent.left >= -0.5 && t.extent.right <= width + 0.5, "\(t.text) at \(t.extent) in \(width)",
                sourceLocation: sourceLocation)
    }
}

@Test func heatMapTitlesFitInsideTheDrawing() {
    let title = "Attention scores q·kᵀ/√16, head 0, sample 0"
    let svg = HeatMap(title: title, rows: (0..<5).map { r in (0..<5).map { Double(r + $0) } }).svg()
    expectTextsInside(svg)
    #expect(texts(in: svg).contains { $0.text == SVG.escape(title) })
    // A title too long for 640 px wraps onto two lines, both inside.
    let long = HeatMap(title: String(repeating: "attention weights of head 0 ", count: 5), rows: [[1.0, 2]]).svg()
    expectTextsInside(long)
    #expect(texts(in: long).filter { $0.anchor == "middle" && $0.y < 60 }.count == 2)
}

@Test func legendsSitAboveThePlotAndInsideTheDrawing() {
    let chart = LineChart(title: "Loss by activation", series: [
        .init("LeakyReLU + pre-norm + residual", [1.0, 0.5, 0.2]), .init("ReLU + post-norm", [1.2, 0.6, 0.3]),
        .init("GELU + pre-norm + residual + warm-up", [1.1, 0.4, 0.1]), .init("tanh", [1.3, 1.0, 0.9])])
    let svg = chart.svg()
    expectTextsInside(svg)
    // The plot's top is where the y-axis starts; every legend label is above it.
    let axis = svg.components(separatedBy: "<line x1=\"64\" y1=\"")[1...].first { $0.contains("x2=\"64\"") }!
    let plotTop = Double(axis.prefix { $0 != "\"" })!
    let legend = texts(in: svg).filter { name in chart.series.contains { SVG.escape($0.name) == name.text } }
    #expect(legend.count == 4)
    #expect(legend.allSatisfy { $0.y < plotTop }, "\(legend.map(\.y)) vs \(plotTop)")
}

@Test func gradientBarsSpanningDecadesUseALogScaleInTheReport() {
    let norms = (0..<20).map { ("layer \($0)", pow(10, -Double($0) / 2)) }     // 1 … 3e-10
    let chart = BarChart(title: "gradient norm per layer", bars: norms)
    let svg = chart.svg()
    #expect(svg.contains("gradient norm per layer (log scale)"))
    let widths = svg.components(separatedBy: "<rect x=\"").dropFirst()
        .compactMap { Double($0.components(separatedBy: "width=\"")[1].prefix { $0 != "\"" }) }
    #expect(widths.count == 20 && widths.allSatisfy { $0 >= 4 }, "\(widths)")
    // The terminal keeps its linear bars unless asked (so printed output does not change).
    #expect(!chart.text(colour: false).contains("log scale"))
    let logText = BarChart(title: "g", bars: norms, logScale: true).text(colour: false).split(separator: "\n")
    #expect(logText.dropFirst().allSatisfy { line in
        let afterAxis = line.split(separator: "│")[1]
        return BarChart.eighths.dropFirst().contains(afterAxis.first!) || afterAxis.first == "█"
    }, "\(logText)")
    #expect(!BarChart(title: "g", bars: [("a", 1.0), ("b", 2.0)]).svg().contains("log scale"))
}

/// A tick label is round when it is a multiple of 1, 2 or 5 × 10ᵏ with one significant digit step.
func isRound(_ label: String) -> Bool {
    guard let v = Double(label) else { return false }
    if v == 0 { return true }
    let digits = String(format: "%.1e", abs(v))          // "2.5e-01"
    return digits.hasPrefix("1.0") || digits.hasPrefix("2.0") || digits.hasPrefix("5.0")
        || digits.dropFirst(2).hasPrefix("0")
        || ["1.5", "2.5", "3.0", "4.0", "6.0", "7.0", "8.0", "9.0", "7.5"].contains { digits.hasPrefix($0) }
}

@Test func tickValuesAreRound() {
    let epochs = LineChart(title: "loss", series: [.init("train", (1...300).map { 1 / Double($0) + 0.1 })]).svg()
    let axisLabels = texts(in: epochs).filter { $0.size == 11 }.map(\.text)
    #expect(!axisLabels.contains("155") && axisLabels.contains("100") && axisLabels.contains("300"), "\(axisLabels)")
    let narrowLog = LineChart(title: "loss", series: [.init("valid", [0.6346, 0.4, 0.25, 0.1381])],
                              logScale: true).svg()
    let logLabels = texts(in: narrowLog).filter { $0.size == 11 && $0.anchor == "end" }.map(\.text)
    #expect(logLabels.count >= 2 && logLabels.allSatisfy(isRound), "\(logLabels)")
    #expect(!logLabels.contains("0.6346") && !logLabels.contains("0.1381"))
    let histogram = Histogram(title: "w", values: (0..<100).map { sin(Double($0)) * 2.534 }).svg()
    let histogramLabels = texts(in: histogram).filter { $0.size == 11 && $0.anchor == "middle" && $0.text.first != "n" }
    let histogramTexts = histogramLabels.map(\.text)
    #expect(histogramTexts.count >= 3 && histogramTexts.allSatisfy(isRound), "\(histogramTexts)")
}

@Test func aSeriesUnderAnotherIsNotedAndTheCoveringOneDashed() {
    let relu = [0.9, 0.5, 0.3, 0.2]
    let svg = LineChart(title: "activations", series: [.init("ReLU", relu), .init("LeakyReLU", relu.map { $0 + 1e-6 }),
                                                       .init("tanh", [1.0, 0.8, 0.7, 0.6])]).svg()
    #expect(svg.contains("ReLU lies under LeakyReLU (dashed): the two coincide on this chart."))
    #expect(svg.components(separatedBy: "stroke-dasharray").count == 2)       // LeakyReLU only
    expectTextsInside(svg)
    let apart = LineChart(title: "t", series: [.init("a", [1.0, 2]), .init("b", [2.0, 1])]).svg()
    #expect(!apart.contains("class=\"note\""))
}

@Test func aDivergedSeriesSaysSoInsteadOfOneSilentDot() {
    var chart = LineChart(title: "lr 1.0", series: [.init("sgd", [0.9, .nan, .infinity, .nan])], xLabel: "step")
    chart.language = .zh
    let svg = chart.svg()
    #expect(svg.contains("sgd：从 x = 2 起有 3 / 4 个值不是有限数（训练发散），有限值太少，画不成线。"))
    #expect(svg.contains("<circle"))                                  // the one finite point is visible
    #expect(!svg.contains("nan") && !svg.contains("inf\""))
    #expect(rootElement(of: svg) == "svg")
}

@Test func markdownInNarrationBecomesMarkup() {
    #expect(HTMLReport.inline("the loss *below* the `best` one, 2 * 3 and a*b*c <x>")
        == "the loss <em>below</em> the <code>best</code> one, 2 * 3 and a*b*c &lt;x&gt;")
    #expect(HTMLReport.inline("line one\nline two") == "line one<br>\nline two")
    #expect(HTMLReport.inline("`a<b`") == "<code>a&lt;b</code>")
}

@Test func wideTensorsScrollAndDiagnosesStayAsLines() throws {
    var report = HTMLReport(title: "t")
    report.add(.preformatted("x = tensor([" + String(repeating: "-0.1234, ", count: 20) + "], shape: [5, 20])"))
    report.add(.list(["Learning rate too large (1.0): try 10x smaller.", "No gradient clipping: call `clipGradNorm`."]))
    let html = report.html()
    #expect(html.contains("<div class=\"scroll\"><pre class=\"wide\">x = tensor(["))
    #expect(HTMLReport.style.contains("div.scroll{max-width:100%;overflow-x:auto}"))
    #expect(html.contains("<ul class=\"lines\"><li>Learning rate too large (1.0): try 10x smaller.</li>" +
                          "<li>No gradient clipping: call <code>clipGradNorm</code>.</li></ul>"))

    let output = LessonOutput.collecting()
    let lesson = Lesson(flags: try FlagParser(program: "lesson0").parse([]), title: "t", output: output,
                        screen: ScreenSize(columns: 40, rows: 24))
    lesson.lines(["Learning rate too large (1.0): each step overshoots the minimum.", "No gradient clipping."])
    #expect(output.text.hasSuffix("""
        - Learning rate too large (1.0): each
          step overshoots the minimum.
        - No gradient clipping.

        """))
}

@Test func logBarLabelsDoNotCrowd() {
    let svg = BarChart(title: "sigmoid", bars: (1...20).map { ("layer \($0)", pow(10, -Double(21 - $0))) }).svg()
    let labels = texts(in: svg).filter { $0.size == 10 }.sorted { $0.x < $1.x }
    #expect(labels.count >= 3 && labels.last?.text == "0.1")
    #expect(zip(labels, labels.dropFirst()).allSatisfy { $1.x - $0.x >= 44 })
}
