/// How parsing ends when the lesson should not run: `--help` (status 0, the usage) or a mistake
/// on the command line (status 2, what was wrong followed by the usage).
///
/// `FlagParser.parse` throws it instead of exiting, so tests can check the status and the words;
/// `Lesson.start` prints `output` (to standard error for status 2) and exits with `status`.
public struct FlagExit: Error, Equatable, Sendable {
    /// The process exit status: 0 for `--help`, 2 for a usage error (the Unix convention).
    public let status: Int32
    /// What was wrong, in one line (`nil` for `--help`), e.g. `--lr expects a number, got 'abc'`.
    public let reason: String?
    /// Everything to print: `error: <reason>`, a blank line and the usage; or just the usage.
    public let output: String

    static func help(_ usage: String) -> FlagExit {
        FlagExit(status: 0, reason: nil, output: usage)
    }

    static func error(_ reason: String, usage: String) -> FlagExit {
        FlagExit(status: 2, reason: reason, output: "error: \(reason)\n\n\(usage)")
    }
}
