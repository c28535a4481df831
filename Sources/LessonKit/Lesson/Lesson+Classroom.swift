import Foundation

/// What a `Lesson` keeps to teach from a terminal: the screen's size, the cells, where the reader
/// is, and how many lines have gone by since the last pause.
final class Classroom {
    /// The screen, or nil when the text is collected without a width (tests, by default). When
    /// the lesson follows a terminal, the size is read again after the terminal was resized.
    var screen: ScreenSize? {
        if let measure, measuredAt != ScreenSize.resizes {
            measuredAt = ScreenSize.resizes
            measured = measure() ?? measured
        }
        return measured
    }
    private var measured: ScreenSize?
    /// Reads the terminal's size again (nil: the size is fixed).
    private let measure: (() -> ScreenSize?)?
    /// The resize count `measured` was read at.
    private var measuredAt: Int
    /// Cells before this one run silently (`--from N`): their results are computed, nothing prints.
    let firstCell: Int
    /// With `--cell N`, the lesson stops after cell N.
    let lastCell: Int?
    var titles: [Localized] = []
    var cell = 0
    var linesSincePause = 0
    var silent = false
    /// Set once the lesson has stopped (`q`, or past `--cell N`): nothing more prints.
    var stopped = false

    init(screen: ScreenSize?, measure: (() -> ScreenSize?)? = nil, firstCell: Int, lastCell: Int?) {
        self.measure = measure
        measuredAt = ScreenSize.resizes
        measured = screen ?? measure?()
        if measure != nil { ScreenSize.watchResizes() }
        self.firstCell = firstCell
        self.lastCell = lastCell
        silent = firstCell > 1
    }

    /// Lines that fit between two pauses: the screen's rows less the status line.
    var budget: Int? { screen.map { max(2, $0.rows - 1) } }
}

/// Teaching from a terminal, what a lesson calls:
///
///     lesson.cells(["Data", "Train", "Exam"])      // declared up front: the status line and --help know them
///     lesson.cell(1)                               // pauses under --step, then "▶ Cell 1 · Data"
///     lesson.stream("Epoch [3/50], Loss: 0.0972")  // printed at once, never paused for
///     lesson.lines(diagnosis)                      // one line per item; a list in the report
///     lesson.training(record)                      // a TrainingRecord to step through in the report
///
/// Everything printed is wrapped to `width`, and under `--step` the lesson pauses before a block
/// that would push the text since the last pause off the screen.
extension Lesson {
    /// The width text is wrapped to: the terminal's, `COLUMNS`, or 100 when piped (nil: no wrapping).
    public var width: Int? { classroom.screen?.columns }

    /// The number of the cell being shown (0 before the first `cell`).
    public var cellNumber: Int { classroom.cell }

    /// The cells' titles, declared up front, so the status line knows what comes next and
    /// `--help` can list them: `lesson.cells(["Data", Localized(en: "Train", zh: "训练")])`.
    public func cells(_ titles: [Localized]) { classroom.titles = titles }

    /// Starts cell `k`: under `--step` pauses first (the status line names the cell coming up),
    /// then prints "▶ Cell k · title". Cells before `--from N` run silently; after `--cell N`'s
    /// cell the lesson stops. The title defaults to the one declared with `cells`.
    public func cell(_ k: Int, _ title: Localized? = nil) {
        guard !classroom.stopped else { return }
        let name = title ?? (classroom.titles.indices.contains(k - 1) ? classroom.titles[k - 1] : "")
        if let last = classroom.lastCell, k > last {
            stop(at: classroom.cell)
            return
        }
        classroom.silent = k < classroom.firstCell
        if !classroom.silent { showPendingBanner() }       // the banner first, then the pause before the cell
        if !classroom.silent && classroom.linesSincePause > 0 {
            pauseHere(status: status(next: cellName(k, name)))
        }
        classroom.cell = k
        let text = cellName(k, name)
        report?.add(.heading(text))
        if !flags.quiet { emit("\n" + ("▶ " + text).painted(.blue, colour)) }
    }

    /// Prints one line at once and never pauses for it: progress that should scroll live, such as
    /// one line per epoch. The lesson pauses before the next ordinary output instead.
    public func stream(_ line: String) {
        report?.add(.preformatted(line))
        guard !flags.quiet, !classroom.silent else { return }
        showPendingBanner()
        for piece in wrap(line, width: width ?? Int.max) { output.write(piece + "\n") }
        classroom.linesSincePause += 1
    }

    /// "Cell 3 · Train the model".
    func cellName(_ k: Int, _ name: Localized) -> String {
        let title = name(language)
        return "\(Catalogue.cell(language)) \(k)" + (title.isEmpty ? "" : " · \(title)")
    }

    /// The status line: "lesson1 · cell 2/5 · next: Cell 3 · Train" (cut to fit the screen).
    func status(next: String?) -> String {
        let n = max(classroom.titles.count, classroom.cell)
        var parts = [program]
        if classroom.cell > 0 { parts.append("\(Catalogue.cell(language).lowercased()) \(classroom.cell)/\(n)") }
        parts.append(next.map { Catalogue.next($0)(language) } ?? Catalogue.moreOfCell(language))
        var line = parts.joined(separator: " · ")
        let room = (width ?? 200) - displayWidth(Catalogue.shortKeysPrompt(language)) - 3
        if displayWidth(line) > room {
            var cut = ""
            for ch in line {
                if displayWidth(cut + String(ch)) >= max(8, room) { break }
                cut.append(ch)
            }
            line = cut + "…"
        }
        return line.painted(.cyan, colour)
    }

    /// Pauses (under `--step`) and acts on the key: `q` stops the lesson.
    func pauseHere(status: String) {
        classroom.linesSincePause = 0
        if stepper.pause(language, status: status, width: width) == .quit { stop(at: classroom.cell) }
    }

    /// "Stopped at cell k of n.", the report, and exit with status 0.
    func stop(at k: Int) {
        guard !classroom.stopped else { return }
        classroom.stopped = true
        classroom.silent = false
        let n = max(classroom.titles.count, k)
        emit(Catalogue.stoppedAtCell(k, of: n)(language))
        finish()
        exitProcess(0)
        classroom.silent = true           // when `exitProcess` returns (tests), print nothing more
    }

    /// Writes a block of text: wrapped to the width, pausing first whenever the next lines would
    /// push what is on screen out of view (no stretch between two pauses is taller than the screen).
    func present(_ text: String) {
        guard !classroom.silent else { return }
        showPendingBanner()
        let lines = wrap(text, width: width ?? Int.max)
        guard stepper.pausing, let budget = classroom.budget else {
            output.write(lines.joined(separator: "\n") + "\n")
            classroom.linesSincePause += lines.count
            return
        }
        if classroom.linesSincePause > 0 && classroom.linesSincePause + lines.count > budget {
            pauseHere(status: status(next: nil))
        }
        for line in lines {
            if classroom.silent { return }
            if classroom.linesSincePause >= budget { pauseHere(status: status(next: nil)) }
            output.write(line + "\n")
            classroom.linesSincePause += 1
        }
    }

    /// Lines printed one under the other, each wrapped with a hanging indent (a diagnosis, a list
    /// of causes): in the report, a list instead of one run-on paragraph.
    public func lines(_ items: [String], bullet: String = "- ") {
        report?.add(.list(items))
        if !flags.quiet { emit(items.map { bullet + $0 }.joined(separator: "\n")) }
    }
}

extension Lesson {
    /// Adds a training run to the report, as a step-through (slider, Step, Play). Nothing prints.
    public func training(_ record: TrainingRecord) {
        report?.add(.training(record))
    }
}
