import Engine
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import LessonKit

/// Every `<svg …>…</svg>` element in `html`, as separate strings.
func svgElements(in html: String) -> [String] {
    var found: [String] = []
    var rest = html[...]
    while let open = rest.range(of: "<svg"),
          let close = rest.range(of: "</svg>", range: open.upperBound..<rest.endIndex) {
        found.append(String(rest[open.lowerBound..<close.upperBound]))
        rest = rest[close.upperBound...]
    }
    return found
}

/// `html` without its `<script>…</script>` elements.
func withoutScripts(_ html: String) -> String {
    var out = ""
    var rest = html[...]
    while let open = rest.range(of: "<script"),
          let close = rest.range(of: "</script>", range: open.upperBound..<rest.endIndex) {
        out += rest[..<open.lowerBound]
        rest = rest[close.upperBound...]
    }
    return out + rest
}

/// Parses `xml` with Foundation's XML parser; returns the root element's name, or nil if malformed.
func rootElement(of xml: String) -> String? {
    final class Root: NSObject, XMLParserDelegate {
        var name: String?
        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            if name == nil { name = elementName }
        }
    }
    let parser = XMLParser(data: Data(xml.utf8))
    let delegate = Root()
    parser.delegate = delegate
    return parser.parse() ? delegate.name : nil
}

/// A report with narration, a table, a tensor and one chart of each kind, with text that needs
/// escaping (`<`, `&`, quotes) in titles and labels.
func sampleLesson(_ path: String) throws -> Lesson {
    let flags = try FlagParser(program: "lesson0", options: [.learningRate()])
        .parse(["--report", path, "--lr", "0.01"])
    let lesson = Lesson(flags: flags, title: "Lesson 0 <demo> & \"friends\"", program: "lesson0",
                        output: .collecting())
    lesson.banner(.validation)
    lesson.say(en: "Validation loss < training loss? Look again & think.", zh: "")
    var table = Table(["epoch", "loss"], title: "losses")
    table.append([1, 0.9])
    table.append([2, 0.4])
    lesson.table(table)
    lesson.show(Tensor(rows: [[1, 2]]), name: "x")
    lesson.plot(LineChart(title: "loss <train> & valid", series: [.init("train", [0.9, 0.4, 0.2]),
                                                                  .init("valid \"v\"", [1.0, 0.6, 0.5])],
                          xLabel: "epoch", yLabel: "MSE", logScale: true))
    lesson.plot(BarChart(title: "grad norms", bars: [("layer<0>", 0.5), ("layer&1", 1.5)]))
    var g = Generator(seed: 3)
    lesson.plot(Histogram(title: "weights", values: (0..<200).map { _ in g.nextNormal() }))
    lesson.plot(HeatMap(title: "attention", rows: [[1.0, 0], [0.5, 0.5]], rowLabels: ["q'0", "q1"]))
    lesson.headline(en: "final loss 0.2", zh: "")
    return lesson
}

@Test func reportIsSelfContainedWithOneWellFormedSVGPerChart() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lessonkit-report-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("report.html").path
    let lesson = try sampleLesson(path)
    #expect(lesson.finish())

    let html = try String(contentsOfFile: path, encoding: .utf8)
    // The page's one script (the step-through) writes SVG too; look at the page without it.
    let page = withoutScripts(html)
    let svgs = svgElements(in: page)
    #expect(lesson.report?.chartCount == 4)
    #expect(svgs.count == 4)
    for svg in svgs {
        #expect(rootElement(of: svg) == "svg", "not well-formed: \(svg.prefix(200))")
    }
    // Self-contained: one inline script, no links, nothing fetched; the only URL is the SVG namespace.
    #expect(html.components(separatedBy: "<script>").count == 2)
    for forbidden in ["<link", "src=", "@import", "url(", "fetch(", "XMLHttpRequest"] {
        #expect(!html.contains(forbidden), "found \(forbidden)")
    }
    #expect(page.components(separatedBy: "http").count - 1 == svgs.count)   // one xmlns per svg
    // The narration, table and tensor are there, escaped.
    #expect(html.contains("<title>Lesson 0 &lt;demo&gt; &amp; &quot;friends&quot;</title>"))
    #expect(html.contains("<h2 class=\"stage\">Stage 4 · Validation — weekly and monthly exams</h2>"))
    #expect(html.contains("<p>Validation loss &lt; training loss? Look again &amp; think.</p>"))
    #expect(html.contains("<caption>losses</caption><thead><tr><th class=\"num\">epoch</th>"
                          + "<th class=\"num\">loss</th>"))
    #expect(html.contains("<td class=\"num\">0.4000</td>"))
    #expect(html.contains("<pre>x = tensor([[1.0000, 2.0000]], shape: [1, 2])</pre>"))
    #expect(html.contains("<p class=\"headline\">final loss 0.2</p>"))
    #expect(html.contains("<code>lesson0 --report \(path) --lr 0.01</code>"))
    // Written atomically: the temporary file is gone, only the report remains.
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["report.html"])
}

@Test func reportReplacesAnOlderFile() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("lessonkit-old-\(getpid()).html").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try "old".write(toFile: path, atomically: false, encoding: .utf8)
    var report = HTMLReport(title: "new")
    report.add(.paragraph("fresh"))
    try report.write(to: path)
    let html = try String(contentsOfFile: path, encoding: .utf8)
    #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
    #expect(html.contains("<p>fresh</p>"))
}

@Test func consecutivePreformattedBlocksMerge() {
    var report = HTMLReport(title: "t")
    report.add(.preformatted("a"))
    report.add(.preformatted("b"))
    report.add(.paragraph("p"))
    #expect(report.blocks.count == 2)
    #expect(report.html().contains("<pre>a\nb</pre>"))
}

@Test func eachChartAloneIsWellFormedSVG() {
    let charts: [any Chart] = [
        LineChart(title: "flat", series: [.init("one", [1.0])]),                  // a single point
        LineChart(title: "empty", series: []),
        BarChart(title: "none", bars: [(String, Double)]()),
        Histogram(title: "same", values: [2.0, 2, 2]),
        HeatMap(title: "big", rows: (0..<40).map { r in (0..<40).map { c in Double(r * c) } }),
    ]
    for chart in charts {
        #expect(rootElement(of: chart.svg()) == "svg", "\(chart.title)")
        #expect(!chart.svg().contains("nan") && !chart.svg().contains("inf"), "\(chart.title)")
    }
}

@Test func svgCoordinatesFollowTheData() {
    // Plot area 64…624 × 50…288 (title and legend above it): x 1, 2, 3 → 64, 344, 624; y 0…2 → 288…50.
    let line = LineChart(title: "t", series: [.init("s", [0.0, 1, 2])]).svg()
    #expect(line.contains("points=\"64,288 344,169 624,50\""))
    // Bars: one-letter labels take 16 + 7 = 23 px, leaving 640 - 23 - 90 = 527 px for the
    // largest bar; half the value, half the width.
    let bars = BarChart(title: "b", bars: [("a", 1.0), ("b", 2.0)]).svg()
    #expect(bars.contains("<rect x=\"23\" y=\"38\" width=\"263.50\" height=\"16\""))
    #expect(bars.contains("<rect x=\"23\" y=\"62\" width=\"527\" height=\"16\""))
}
