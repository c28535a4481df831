import Foundation

/// Where a lesson's text goes: standard output, or a string kept for tests.
///
///     let output = LessonOutput.collecting()
///     let lesson = Lesson(flags: .defaults(), title: "test", output: output)
///     lesson.say(en: "hello", zh: "你好")
///     output.text                        // the title banner, then "hello\n"
public final class LessonOutput {
    private let sink: ((String) -> Void)?
    /// Everything written so far, when collecting (empty otherwise).
    public private(set) var text = ""

    private init(sink: ((String) -> Void)?) {
        self.sink = sink
    }

    /// Writes to standard output, flushing so a `--step` prompt shows before the program waits.
    public static var standardOutput: LessonOutput {
        LessonOutput { text in
            print(text, terminator: "")
            fflush(nil)    // nil flushes every stream (and avoids the global `stdout`)
        }
    }

    /// Keeps everything in `text`.
    public static func collecting() -> LessonOutput { LessonOutput(sink: nil) }

    /// Whether this output is a real terminal stream rather than a collector.
    var isStandardOutput: Bool { sink != nil }

    /// Writes `text` as it is (add your own newline).
    public func write(_ text: String) {
        if let sink { sink(text) } else { self.text += text }
    }
}
