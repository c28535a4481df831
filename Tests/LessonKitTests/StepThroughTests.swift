import Testing
@testable import LessonKit

/// A scripted reader: hands out `lines` one by one, then `nil` (end of input), counting reads.
final class ScriptedInput {
    var lines: [String]
    var reads = 0
    var prompts: [String] = []
    init(_ lines: [String]) { self.lines = lines }

    func stepper(enabled: Bool = true, terminal: Bool = true) -> StepThrough {
        StepThrough(enabled: enabled, inputIsTerminal: terminal,
                    readLine: { [unowned self] in
                        self.reads += 1
                        return self.lines.isEmpty ? nil : self.lines.removeFirst()
                    },
                    prompt: { [unowned self] in self.prompts.append($0) })
    }
}

@Test func enterGoesOnAndCRunsToTheEnd() {
    let input = ScriptedInput(["", "c", ""])
    let stepper = input.stepper()
    #expect(stepper.pause() == .next)
    #expect(stepper.pause() == .runToEnd)
    #expect(stepper.pause() == .next)         // no longer pausing: does not read the third line
    #expect(input.reads == 2 && input.lines == [""])
    #expect(input.prompts == ["[Enter] next · c run to end · q quit › ",
                              "[Enter] next · c run to end · q quit › "])
}

@Test func qQuits() {
    let input = ScriptedInput([" Q "])
    #expect(input.stepper().pause() == .quit)
}

@Test func unknownAnswersAskAgain() {
    let input = ScriptedInput(["x", ""])
    #expect(input.stepper().pause(.zh) == .next)
    #expect(input.reads == 2)
    #expect(input.prompts.last == "请按回车，或输入 c 或 q。 [回车] 下一步 · c 运行到底 · q 退出 › ")
}

@Test func neverWaitsWithoutATerminalOrWithoutStep() {
    let notTerminal = ScriptedInput([""])
    let s1 = notTerminal.stepper(enabled: true, terminal: false)
    #expect(s1.pause() == .next && s1.pause() == .next)
    #expect(notTerminal.reads == 0 && notTerminal.prompts.isEmpty)

    let disabled = ScriptedInput([""])
    #expect(disabled.stepper(enabled: false).pause() == .next)
    #expect(disabled.reads == 0)
}

@Test func endOfInputRunsToTheEnd() {
    let input = ScriptedInput([])
    let stepper = input.stepper()
    #expect(stepper.pause() == .runToEnd)
    #expect(stepper.pause() == .next && input.reads == 1)
}
