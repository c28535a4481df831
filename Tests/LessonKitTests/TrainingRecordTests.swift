import Foundation
import Testing
@testable import LessonKit

/// A made-up run of 12 epochs over 3 layers, deterministic: the loss falls, the learning rate
/// halves every 4 epochs, gradient norms span ten decades, weights spread out, attention sharpens.
func sampleRecord(frames: Int = 12) -> TrainingRecord {
    var record = TrainingRecord(title: "Training, epoch by epoch", layers: ["input_proj", "encoder.0", "head"])
    for epoch in 1...frames {
        let e = Double(epoch)
        let weights: [[Double]] = (0..<3).map { layer in
            (0..<200).map { i in sin(Double(i * (layer + 3)) + e) * (0.1 + 0.02 * e) }
        }
        let attention = (0..<5).map { q in
            let scores = (0..<5).map { k in exp(-abs(Double(q - k)) * e / 4) }
            let total = scores.reduce(0, +)
            return scores.map { $0 / total }
        }
        let rate = 0.01 * pow(0.5, Double((epoch - 1) / 4))
        record.add(e, loss: 1 / e, validationLoss: 1.2 / e + 0.02, learningRate: rate,
                   gradientNorms: [1 / e, 1e-5 / e, 1e-10 * e], weights: weights, attention: attention)
    }
    return record
}

/// The repository's root (three levels above this file).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

@Test func aTrainingRecordBecomesASteppableSection() throws {
    let record = sampleRecord()
    #expect(record.frames.count == 12 && record.frames[3].weights[0].counts.reduce(0, +) == 200)
    let json = try JSONSerialization.jsonObject(with: Data(record.json().utf8)) as! [String: Any]
    let frames = json["frames"] as! [[String: Any]]
    #expect(frames.count == 12 && (json["layers"] as! [String]) == ["input_proj", "encoder.0", "head"])
    #expect((frames[11]["grad"] as! [Double]).count == 3 && (frames[0]["attn"] as! [[Double]]).count == 5)
    #expect(frames[4]["lr"] as! Double == 0.005)

    var report = HTMLReport(title: "record")
    report.add(.training(record))
    let html = report.html()
    #expect(html.contains("<section class=\"training\" id=\"training-1\" data-frames=\"12\">"))
    #expect(html.contains("<input type=\"range\" min=\"0\" max=\"11\" value=\"11\""))
    #expect(html.contains("<button type=\"button\" class=\"play\">Play</button>"))
    // Without scripts the static charts show the run: loss, learning rate, gradient bars (log scale,
    // they span ten decades), one histogram per layer, the last attention map.
    let fallback = withoutScripts(html).components(separatedBy: "<div class=\"static\">")[1]
        .components(separatedBy: "</div>")[0]
    let svgs = svgElements(in: fallback)
    #expect(svgs.count == 7)
    #expect(svgs.allSatisfy { rootElement(of: $0) == "svg" })
    #expect(fallback.contains("Gradient norm per layer (log scale)"))
    #expect(html.contains("if (location.hash === '#selftest') selftest();"))
}

@Test func nonFiniteNumbersBecomeNullAndTextIsEscapedInTheRecord() throws {
    var record = TrainingRecord(title: "diverged </script> \"run\"", xLabel: "step")
    record.add(loss: 0.5)
    record.add(loss: .nan, validationLoss: .infinity)
    let text = record.json()
    #expect(!text.contains("</script>") && !text.contains("nan") && !text.contains("inf"))
    let json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
    #expect(json["title"] as! String == "diverged </script> \"run\"")
    let frames = json["frames"] as! [[String: Any]]
    #expect(frames[1]["loss"] is NSNull && frames[1]["valid"] is NSNull && frames[1]["x"] as! Int == 2)
}

/// Writes the page the browser check (`scripts/check_reports.sh`) drives: a lesson-like report
/// with a training record, into `.build/report-samples/` inside the repository.
@Test func writeTheSamplePageForTheBrowserCheck() throws {
    let folder = repositoryRoot.appendingPathComponent(".build/report-samples")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let path = folder.appendingPathComponent("training-record.html").path
    let flags = try FlagParser(program: "lesson0").parse(["--report", path])
    let lesson = Lesson(flags: flags, title: "Sample · a training run to step through", program: "lesson0",
                        output: .collecting())
    lesson.say("Drag the slider, press *Step* or `Play`: the charts show the run as it was at that epoch.")
    lesson.training(sampleRecord())
    lesson.plot(LineChart(title: "Loss of a diverged run", series: [.init("sgd lr 1.0", [0.9, 3, .nan, .nan]),
                                                                   .init("sgd lr 0.05", [0.9, 0.5, 0.3, 0.2])]))
    #expect(lesson.finish())
    let html = try String(contentsOfFile: path, encoding: .utf8)
    #expect(html.contains("data-frames=\"12\""))
}
