#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The `--step` pause: the lesson stops, shows a status line, and waits for one key.
///
/// | key | does |
/// |---|---|
/// | Enter or space | go on to the next pause |
/// | `c` | run to the end without pausing again |
/// | `q` | quit cleanly (the lesson says where it stopped, writes its report, exits with status 0) |
/// | `?` | list the keys, then wait again |
///
/// Keys are read one at a time, without Enter, with the terminal in raw mode (`RawKeys`): the
/// settings come back right after the key, and on Ctrl-C, SIGTERM or exit while waiting.
/// It never waits when standard input is not a terminal (a pipe, a file, a test, CI), nor after
/// the input ends (Ctrl-D at a pause counts as `c`): a lesson can never hang on a closed input.
public final class StepThrough {
    /// What the reader chose at a pause.
    public enum Decision: Sendable, Equatable {
        case next
        case runToEnd
        case quit
    }

    /// Whether pauses still happen (false without `--step`, and after `c` or `q`).
    public private(set) var pausing: Bool
    private let readKey: () -> UInt8?
    private let show: (String) -> Void
    private let eraseLine: Bool

    /// - Parameters:
    ///   - enabled: `--step` was given.
    ///   - inputIsTerminal: standard input is a terminal; when false, `pause` never waits.
    ///   - readKey: reads one key, `nil` at the end of input (`RawKeys().readKey` by default).
    ///   - show: shows the status line and the key list (to the terminal, never into a report).
    ///   - eraseLine: after the key, erase the status line in place (`\r` + "erase line"), so it
    ///     takes no room on screen; otherwise end it with a newline (output that is not a terminal).
    public init(enabled: Bool, inputIsTerminal: Bool = Terminal.inputIsTerminal,
                readKey: @escaping () -> UInt8? = RawKeys().readKey,
                show: @escaping (String) -> Void = { print($0, terminator: ""); fflush(nil) },
                eraseLine: Bool = isatty(STDOUT_FILENO) == 1) {
        self.pausing = enabled && inputIsTerminal
        self.readKey = readKey
        self.show = show
        self.eraseLine = eraseLine
    }

    /// Waits for a key, if pausing, and returns the reader's choice (`.next` at once if not).
    /// - Parameter status: where the lesson is and what comes next, shown before the keys.
    /// - Parameter width: the screen's width: when the status and the keys do not fit on one line,
    ///   the keys shrink to "? keys ›".
    public func pause(_ language: Language = .en, status: String = "", width: Int? = nil) -> Decision {
        guard pausing else { return .next }
        var prompt = (status.isEmpty ? "" : status + "  ") + Catalogue.keysPrompt(language)
        if let width, visibleWidth(prompt) >= width {
            prompt = (status.isEmpty ? "" : status + "  ") + Catalogue.shortKeysPrompt(language)
        }
        show(prompt)
        while true {
            guard let key = readKey() else { return finish(.runToEnd) }
            switch key {
            case 0x0A, 0x0D, 0x20: return finish(.next)                    // Enter, Return, space
            case UInt8(ascii: "c"), UInt8(ascii: "C"): return finish(.runToEnd)
            case UInt8(ascii: "q"), UInt8(ascii: "Q"), 0x04: return finish(key == 0x04 ? .runToEnd : .quit)
            case UInt8(ascii: "?"), UInt8(ascii: "h"):
                show(end + Catalogue.stepKeys(language) + "\n" + prompt)
            default:
                show(end + Catalogue.stepHint(language) + " " + prompt)
            }
        }
    }

    /// How a shown line ends: erased in place on a terminal, a newline elsewhere.
    private var end: String { eraseLine ? "\r\u{1B}[2K" : "\n" }

    private func finish(_ decision: Decision) -> Decision {
        show(end)
        if decision != .next { pausing = false }
        return decision
    }
}
