import Testing
@testable import LessonKit

/// A scripted keyboard: hands out one key per entry ("" is Enter), then `nil` (end of input),
/// counting reads and keeping everything shown.
final class ScriptedInput {
    var keys: [String]
    var reads = 0
    var shown: [String] = []
    init(_ keys: [String]) { self.keys = keys }

    func stepper(enabled: Bool = true, terminal: Bool = true) -> StepThrough {
        StepThrough(enabled: enabled, inputIsTerminal: terminal,
                    readKey: { [unowned self] in
                        self.reads += 1
                        guard !self.keys.isEmpty else { return nil }
                        let key = self.keys.removeFirst()
                        return key.isEmpty ? 0x0A : key.utf8.first
                    },
                    show: { [unowned self] in self.shown.append($0) }, eraseLine: false)
    }
}

@Test func enterOrSpaceGoesOnAndCRunsToTheEnd() {
    let input = ScriptedInput(["", " ", "c", ""])
    let stepper = input.stepper()
    #expect(stepper.pause() == .next)
    #expect(stepper.pause(status: "lesson0 · cell 1/2 · next: Cell 2") == .next)
    #expect(stepper.pause() == .runToEnd)
    #expect(stepper.pause() == .next)         // no longer pausing: does not read the fourth key
    #expect(input.reads == 3 && input.keys == [""])
    #expect(input.shown == ["[space] next · c run to end · q quit · ? keys › ", "\n",
                            "lesson0 · cell 1/2 · next: Cell 2  [space] next · c run to end · q quit · ? keys › ", "\n",
                            "[space] next · c run to end · q quit · ? keys › ", "\n"])
}

@Test func qQuitsAtOnceWithoutEnter() {
    let input = ScriptedInput(["Q", "x"])
    let stepper = input.stepper()
    #expect(stepper.pause() == .quit)
    #expect(input.reads == 1 && !stepper.pausing)
}

@Test func questionMarkListsTheKeysAndUnknownKeysAskAgain() {
    let input = ScriptedInput(["?", "x", ""])
    #expect(input.stepper().pause(.zh) == .next)
    #expect(input.reads == 3)
    #expect(input.shown[1].contains("按键：回车或空格  继续"))
    #expect(input.shown[2] == "\n请按回车或空格、c、q 或 ?。 [空格] 继续 · c 运行到底 · q 退出 · ? 按键 › ")
}

@Test func neverWaitsWithoutATerminalOrWithoutStep() {
    let notTerminal = ScriptedInput([""])
    let s1 = notTerminal.stepper(enabled: true, terminal: false)
    #expect(s1.pause() == .next && s1.pause() == .next)
    #expect(notTerminal.reads == 0 && notTerminal.shown.isEmpty)

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
