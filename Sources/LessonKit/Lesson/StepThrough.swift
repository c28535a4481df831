import Foundation

/// The `--step` pause: at each marked step the lesson stops until the reader presses Enter.
///
/// - Enter (an empty line) goes on to the next step.
/// - `c` runs to the end without pausing again.
/// - `q` quits cleanly (the lesson writes its report, then exits with status 0).
///
/// It never waits when standard input is not a terminal (a pipe, a file, a test, CI), nor after
/// the input ends (Ctrl-D counts as `c`): a lesson can never hang on a closed input.
public final class StepThrough {
    /// What the reader chose at a pause.
    public enum Decision: Sendable, Equatable {
        case next
        case runToEnd
        case quit
    }

    /// Whether pauses still happen (false without `--step`, and after `c`).
    public private(set) var pausing: Bool
    private let readLine: () -> String?
    private let prompt: (String) -> Void

    /// - Parameters:
    ///   - enabled: `--step` was given.
    ///   - inputIsTerminal: standard input is a terminal; when false, `pause` never waits.
    ///   - readLine: reads one line of input, `nil` at its end (`Swift.readLine` by default).
    ///   - prompt: shows the prompt (to the terminal, never into a report).
    public init(enabled: Bool, inputIsTerminal: Bool = Terminal.inputIsTerminal,
                readLine: @escaping () -> String? = { Swift.readLine() },
                prompt: @escaping (String) -> Void = { print($0, terminator: "") }) {
        self.pausing = enabled && inputIsTerminal
        self.readLine = readLine
        self.prompt = prompt
    }

    /// Waits at a marked step, if pausing, and returns the reader's choice (`.next` at once if not).
    public func pause(_ language: Language = .en) -> Decision {
        guard pausing else { return .next }
        prompt(Catalogue.stepPrompt(language))
        while true {
            guard let line = readLine() else {
                pausing = false
                return .runToEnd
            }
            switch line.trimmingCharacters(in: .whitespaces).lowercased() {
            case "": return .next
            case "c": pausing = false; return .runToEnd
            case "q": pausing = false; return .quit
            default: prompt(Catalogue.stepHint(language) + " " + Catalogue.stepPrompt(language))
            }
        }
    }
}

