import Engine
import LessonKit
import Testing
@testable import lesson3

/// Runs the whole lesson with `arguments` and returns everything it printed.
func runCollecting(_ arguments: [String] = []) throws -> String {
    let output = LessonOutput.collecting()
    let flags = try FlagParser(program: "lesson3", options: lessonOptions).parse(arguments)
    let lesson = Lesson(flags: flags, title: "Lesson 3", output: output)
    runLesson(lesson, Settings(flags: flags))
    return output.text
}

@Test func fullLessonPrintsItsHeadlinesAndIsReproducible() throws {
    let first = try runCollecting()
    for line in [
        "cell 1: MLP with 1665 parameters, first batch loss 0.1556",
        "cell 2: the outlier's share of the gradient: MSE 83.3 %, L1 20.0 %, Huber δ=1 50.0 %",
        "cell 4: SGD after 200 steps: lr 0.0005 loss 0.9522, lr 0.05 loss 0.01656, lr 1.0 stopped by the NaN guard at step 7",
        "cell 2: trained on 40 outlier labels, clean validation MSE: MSE 1.467, L1 0.006975, Huber δ=1 0.08875",
        "Likely causes:",
        "cell 5: lr 0.5 without clipping: NaN guard at step 10; with clip 1: loss 0.1522 (clipped 141 of 200 steps)",
        "L1 left 6954 of 7360 weights near 0",
        "cell 7: 20 layers, first-layer gradient norm: sigmoid 6.04e-18 (vanished)",
        "cell 8: steps to loss < 0.05: B=8: 85, B=32: 70, B=128: 69, B=640: 69",
        "max |averaged - big-batch gradient| = ",
    ] {
        #expect(first.contains(line), "missing: \(line)")
    }
    #expect(!first.contains("samples/s"))
    let second = try runCollecting()
    #expect(first == second)
}

@Test func quietChineseLessonPrintsOnlyHeadlines() throws {
    let text = try runCollecting(["--quiet", "--lang", "zh", "--layers", "8", "--activation", "tanh", "--clip", "0.5"])
    let lines = text.split(separator: "\n")
    #expect(lines.count == 12)                 // the headlines: cells 1-9, two each in cells 2, 4 and 7
    #expect(lines.allSatisfy { $0.hasPrefix("第 ") })
    #expect(text.contains("第 7 格：8 层"))
    #expect(text.contains("裁剪到 0.5"))
}

@Test func traceShapesShowsTheForwardPass() throws {
    let text = try runCollecting(["--quiet", "--trace-shapes"])
    #expect(text.contains("  ↳ fc1 (Linear, from [4, 50]): [4, 32]"))
    #expect(text.contains("  ↳ fc2 (Linear, from [4, 32]): [4, 1]"))
}
