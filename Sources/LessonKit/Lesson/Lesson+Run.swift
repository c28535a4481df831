import Engine
import Foundation

// How a lesson's program runs and ends: its cells inside `run`, bad input as a thrown
// `LessonError` (printed on standard error in the lesson's language, exit status 2), a failure at
// run time as status 1, and progress on standard error for cells that take a while.

/// A reason to stop a lesson, worded in both languages.
///
/// Exit statuses: 2 for bad usage or bad input (a flag, a CSV file, a checkpoint), 1 for a failure
/// at run time (a file that cannot be written, training that cannot go on).
public struct LessonError: Error, Sendable {
    public let message: Localized
    public let status: Int32

    public init(_ message: Localized, status: Int32 = 2) {
        self.message = message
        self.status = status
    }

    /// Bad input: status 2.
    public static func badInput(_ message: Localized) -> LessonError { LessonError(message, status: 2) }
    /// A failure at run time: status 1.
    public static func runTime(_ message: Localized) -> LessonError { LessonError(message, status: 1) }
}

extension Lesson {
    /// The seeds every comparison runs over: `--seed`, `--seed`+1, … (`--seeds` of them).
    public var seeds: [UInt64] { (0..<flags.seeds).map { flags.seed &+ UInt64($0) } }

    /// Runs the lesson's cells, then `finish()`. A `LessonError` is printed on standard error as
    /// "lesson1: error: …" in the lesson's language and ends the program with its status; no
    /// report or claims file is written for a lesson that did not run to its end. Any other error
    /// is a failure at run time (status 1).
    ///
    ///     lesson.run { try runLesson(lesson, Settings(flags: lesson.flags)) }
    public func run(_ body: () throws -> Void) {
        do {
            try body()
        } catch let error as LessonError {
            fail(error)
            return
        } catch {
            fail(.runTime(Localized(en: "\(error)", zh: "\(error)")))
            return
        }
        finish()
    }

    /// Prints `error` on standard error and exits with its status.
    public func fail(_ error: LessonError) {
        endProgress()
        let message = "\(program): \(Catalogue.errorWord(language)): \(error.message(language))\n"
        FileHandle.standardError.write(Data(message.utf8))
        exitProcess(error.status)
    }

    // MARK: - Progress

    /// Shows "label 3/10" on standard error while a long piece of work runs, but only on a terminal
    /// and only once the work has taken more than two seconds, so piped and collected output never
    /// changes. Call it as the work advances; `endProgress()` (or the next cell) clears the line.
    public func progress(_ label: Localized, _ done: Int, of total: Int) {
        guard Terminal.errorIsTerminal else { return }
        let now = Date()
        if progressState.label != label(language) {
            progressState = ProgressState(label: label(language), started: now, lastShown: .distantPast)
        }
        guard now.timeIntervalSince(progressState.started) > 2,
              now.timeIntervalSince(progressState.lastShown) > 0.1 || done == total else { return }
        progressState.lastShown = now
        let line = "\r\u{1B}[K\(progressState.label) \(done)/\(total)"
        FileHandle.standardError.write(Data(line.utf8))
        progressState.shown = true
    }

    /// Clears the progress line, if one is showing.
    public func endProgress() {
        if progressState.shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        progressState = ProgressState()
    }
}

/// The progress line being shown on standard error.
struct ProgressState {
    var label = ""
    var started = Date.distantPast
    var lastShown = Date.distantPast
    var shown = false
}
