#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The size of the screen a lesson prints to, in columns and rows.
///
/// Where the width comes from, first match wins:
/// 1. the terminal's own size (`ioctl(TIOCGWINSZ)`) when standard output is a terminal;
/// 2. the `COLUMNS` environment variable;
/// 3. 100 columns (piped or redirected output, so a file reads the same on every machine).
///
/// The height is only needed to pause before output scrolls away: the terminal's rows, `LINES`, or 24.
///
/// A terminal window can be resized while a lesson runs. The terminal then sends the program
/// SIGWINCH ("window changed"); `watchResizes()` installs a handler that only counts it (a signal
/// handler may do almost nothing safely), and a lesson reads the new size before the next thing it
/// prints when the count has moved (`Classroom.screen`), so it never asks the terminal per line.
public struct ScreenSize: Sendable, Equatable {
    public var columns: Int
    public var rows: Int

    public init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
    }

    /// The width used when nothing says otherwise.
    public static let pipedColumns = 100

    /// The size for output written to `fd` (standard output by default).
    public static func current(fd: Int32 = STDOUT_FILENO,
                               environment: [String: String] = ProcessInfo.processInfo.environment) -> ScreenSize {
        let fromTerminal = isatty(fd) == 1 ? Terminal.windowSize(fd) : nil
        func number(_ name: String) -> Int? { environment[name].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil } }
        let columns = fromTerminal?.columns ?? number("COLUMNS") ?? pipedColumns
        let rows = fromTerminal?.rows ?? number("LINES") ?? 24
        return ScreenSize(columns: columns, rows: rows)
    }
}

extension ScreenSize {
    /// How many SIGWINCH signals (terminal resizes) have arrived since `watchResizes()`. Written
    /// only by the signal handler; global, because a signal handler is a C function that can
    /// capture nothing.
    nonisolated(unsafe) static var resizes = 0
    nonisolated(unsafe) private static var watching = false

    /// Counts terminal resizes from now on (safe to call more than once).
    static func watchResizes() {
        guard !watching else { return }
        watching = true
        signal(SIGWINCH) { _ in ScreenSize.resizes &+= 1 }
    }
}

extension Terminal {
    /// The window size of the terminal on `fd`, or nil when it is not a terminal or reports 0 × 0.
    public static func windowSize(_ fd: Int32) -> ScreenSize? {
        var size = winsize()
        #if os(Linux)
        let request = UInt(TIOCGWINSZ)
        #else
        let request = TIOCGWINSZ
        #endif
        guard ioctl(fd, request, &size) == 0, size.ws_col > 0, size.ws_row > 0 else { return nil }
        return ScreenSize(columns: Int(size.ws_col), rows: Int(size.ws_row))
    }
}
