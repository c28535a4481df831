import Engine
import Foundation

/// The console a lesson talks through. It knows the flags (quiet, language, step, report), prints
/// to standard output (or collects the text for tests) and mirrors everything into the HTML report
/// when `--report` is given. See `LessonKit.swift` for a whole lesson using it.
///
/// What each call prints, and when:
///
/// | call | terminal | under `--quiet` | report |
/// |---|---|---|---|
/// | `say`, `banner`, `heading`, `show`, `table`, `plot` | yes | no | yes |
/// | `headline` | yes | yes | yes |
/// | `step` | a step header; pauses under `--step` | no header; still pauses | a heading |
/// | `traceShape` | only with `--trace-shapes` | same | same |
public final class Lesson {
    public let flags: Flags
    /// The lesson's title in its language.
    public let title: String
    /// Whether terminal output is coloured (a terminal, and `NO_COLOR` unset).
    public let colour: Bool
    public let output: LessonOutput
    /// Every interpreted measurement printed so far (`conclude`), for `--claims FILE`.
    public let claims = ClaimLog()
    /// The progress line on standard error (Lesson+Run.swift).
    var progressState = ProgressState()
    /// The report being built, when `--report` was given.
    public internal(set) var report: HTMLReport?
    /// The number of the last marked step.
    public private(set) var stepNumber = 0

    /// The executable's name (`lesson1`), for the usage line and the status line.
    public let program: String
    let stepper: StepThrough
    let exitProcess: (Int32) -> Void
    /// The screen, the cells and the pauses (Lesson+Classroom.swift).
    let classroom: Classroom

    /// The language of the narration (`--lang`).
    public var language: Language { flags.language }

    /// Parses the command line and opens the lesson; on `--help` or a bad flag prints the usage
    /// (and what was wrong) and exits with status 0 or 2. This is what a lesson's `main` calls.
    ///
    /// - Parameters:
    ///   - program: the executable's name, for the usage line (`lesson1`).
    ///   - title: the lesson's title in both languages.
    ///   - summary: one or two sentences for `--help`.
    ///   - options: the lesson's own knobs, e.g. `[.learningRate(), .epochs(default: 20)]`.
    ///   - arguments: the command line without the program name.
    public static func start(_ program: String, title: Localized, summary: Localized = "",
                             options: [Option] = [], cells: [Localized] = [],
                             arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Lesson {
        // The usage (after --help, or after a mistake) is wrapped like the lesson's own text.
        let parser = FlagParser(program: program, summary: summary, options: options, cells: cells,
                                width: ScreenSize.current().columns)
        do {
            let flags = try parser.parse(arguments)
            let lesson = Lesson(flags: flags, title: title, program: program,
                                firstCell: flags.onlyCell ?? flags.fromCell, lastCell: flags.onlyCell)
            lesson.cells(cells)
            return lesson
        } catch {
            if error.status == 0 {
                print(error.output)
            } else {
                FileHandle.standardError.write(Data((error.output + "\n").utf8))
            }
            exit(error.status)
        }
    }

    /// Opens a lesson with already-parsed flags. Tests pass `.collecting()` and their own input.
    ///
    /// - Parameters:
    ///   - output: where the text goes (`.standardOutput` or `.collecting()`).
    ///   - colour: force colour on or off; by default decided by `Terminal.colourEnabled()` for
    ///     standard output and off when collecting.
    ///   - stepper: the `--step` pauser; by default reads standard input when it is a terminal.
    ///   - exitProcess: called with 0 when the reader quits at a step (`exit` by default).
    ///   - screen: the width to wrap to and the height to pause within; by default the terminal's
    ///     (`ScreenSize.current()`) for standard output, and none (no wrapping) when collecting.
    ///   - measureScreen: reads the screen's size again after the terminal is resized (SIGWINCH);
    ///     by default `ScreenSize.current()` for standard output when no `screen` is given, else
    ///     none (the size stays fixed). Tests pass a pseudo-terminal's `Terminal.windowSize(fd)`.
    ///   - firstCell: cells before it run silently (`--from N`).
    ///   - lastCell: the lesson stops after this cell (`--cell N` is `firstCell: N, lastCell: N`).
    public init(flags: Flags, title: Localized, program: String = "lesson",
                output: LessonOutput = .standardOutput, colour: Bool? = nil,
                stepper: StepThrough? = nil, exitProcess: @escaping (Int32) -> Void = { exit($0) },
                screen: ScreenSize? = nil, measureScreen: (() -> ScreenSize?)? = nil,
                firstCell: Int = 1, lastCell: Int? = nil) {
        self.flags = flags
        self.title = title(flags.language)
        self.program = program
        self.output = output
        self.colour = colour ?? (output.isStandardOutput && Terminal.colourEnabled())
        self.stepper = stepper ?? StepThrough(enabled: flags.step, show: { output.write($0) },
                                              eraseLine: output.isStandardOutput && isatty(STDOUT_FILENO) == 1)
        self.exitProcess = exitProcess
        let follow = measureScreen ?? (screen == nil && output.isStandardOutput ? { ScreenSize.current() } : nil)
        classroom = Classroom(screen: screen, measure: follow, firstCell: firstCell, lastCell: lastCell)
        if flags.reportPath != nil {
            let command = ([program] + flags.arguments).joined(separator: " ")
            report = HTMLReport(title: self.title, language: flags.language, command: command)
        }
        bannerPending = !flags.quiet && !classroom.silent
    }

    /// Whether the title banner is still to be printed. It waits for the first thing the lesson
    /// prints (or the first cell), so a run stopped by bad input before any output (a CSV file
    /// that cannot be used, a bad combination of flags) leaves standard output empty: the error
    /// alone, on standard error.
    var bannerPending = false

    /// Prints the title banner if it is still pending.
    func showPendingBanner() {
        guard bannerPending else { return }
        bannerPending = false
        present(LessonKit.banner(title, colour: colour))
    }

    // MARK: - Narration

    /// Picks the text for the lesson's language: `lesson.tr(en: "loss", zh: "损失")`.
    public func tr(en: String, zh: String) -> String { Localized(en: en, zh: zh)(language) }

    /// Narration: a paragraph in the lesson's language (silent under `--quiet`).
    public func say(en: String, zh: String) { say(Localized(en: en, zh: zh)) }

    /// Narration from a `Localized` (a plain string literal reads the same in both languages).
    public func say(_ text: Localized) {
        report?.add(.paragraph(text(language)))
        if !flags.quiet { emit(text(language)) }
    }

    /// A headline number, printed even under `--quiet`: `lesson.headline(en: "final loss 0.0123", …)`.
    public func headline(en: String, zh: String) { headline(Localized(en: en, zh: zh)) }

    public func headline(_ text: Localized) {
        report?.add(.headline(text(language)))
        emit(text(language).bold(colour))
    }

    /// A sub-heading inside a stage.
    public func heading(en: String, zh: String) { heading(Localized(en: en, zh: zh)) }

    public func heading(_ title: Localized) {
        let text = title(language)
        report?.add(.heading(text))
        let rule = String(repeating: "─", count: min(displayWidth(text), width ?? .max))
        if !flags.quiet { emit("\n" + text.bold(colour) + "\n" + rule) }
    }

    /// The banner of one of the four stages of training, with the seed's analogy.
    public func banner(_ stage: Stage) {
        report?.add(.stage(stage.title(language)))
        if !flags.quiet { emit("\n" + LessonKit.banner(stage.title(language), colour: colour)) }
    }

    // MARK: - Numbers and pictures

    /// Prints a tensor in PyTorch's style, optionally after a name: `x = tensor([...], shape: [2])`.
    /// Continuation lines are indented by the name's width, so the rows stay aligned.
    public func show(_ tensor: Tensor, name: String? = nil, precision: Int = 4) {
        let prefix = name.map { "\($0) = " } ?? ""
        let indent = "\n" + String(repeating: " ", count: displayWidth(prefix))
        let text = prefix + tensor.description(precision: precision).replacingOccurrences(of: "\n", with: indent)
        report?.add(.preformatted(text))
        if !flags.quiet { emit(text) }
    }

    /// Prints lines exactly as given (a program's own output, such as the seed's `Epoch [k/50]` lines):
    /// one preformatted block in the report instead of a paragraph per line.
    public func verbatim(_ text: String) {
        report?.add(.preformatted(text))
        if !flags.quiet { emit(text) }
    }

    /// Prints a table.
    public func table(_ table: Table) {
        report?.add(.table(table))
        guard !flags.quiet else { return }
        let text = table.text(colour: colour)
        let fits = width.map { w in text.split(separator: "\n").allSatisfy { visibleWidth(String($0)) <= w } } ?? true
        emit(fits ? text : table.stackedText(colour: colour))
    }

    /// Draws a chart in the terminal, and as SVG in the report.
    public func plot(_ chart: some Chart) {
        var chart = chart
        chart.language = language
        if let width { chart = chart.fitted(toColumns: width) }
        report?.add(.chart(chart))
        if !flags.quiet { emit(chart.text(colour: colour)) }
    }

    /// With `--trace-shapes`, prints the shape of a tensor passing a module boundary:
    /// `lesson.traceShape("encoder.0", x)` → `  ↳ encoder.0: [32, 5, 64]`.
    public func traceShape(_ name: String, _ tensor: Tensor) { traceShape(name, shape: tensor.shape) }

    public func traceShape(_ name: String, shape: [Int]) {
        guard flags.traceShapes else { return }
        let text = "  ↳ \(name): \(shape)"
        report?.add(.preformatted(text))
        emit(text)
    }

    // MARK: - Steps

    /// Marks a step of the lesson: prints "Step 3 · Compute the loss" and, under `--step`, waits
    /// for Enter (`c` runs to the end, `q` writes the report and quits with status 0).
    public func step(en: String, zh: String) { step(Localized(en: en, zh: zh)) }

    public func step(_ name: Localized) {
        stepNumber += 1
        let text = "\(Catalogue.step(language)) \(stepNumber) · \(name(language))"
        report?.add(.heading(text))
        if !flags.quiet { emit("\n" + ("▶ " + text).painted(.blue, colour)) }
        classroom.linesSincePause = 0
        if stepper.pause(language, status: status(next: nil), width: width) == .quit {
            emit("\(Catalogue.stoppedAt(language)) \(stepNumber).")
            finish()
            exitProcess(0)
        }
    }

    // MARK: - The end

    /// Writes the report if `--report` was given and the claims if `--claims` was, and says where.
    /// Call it once, at the end. A file that cannot be written is reported on standard error in the
    /// lesson's language and the program exits with status 1 (a run-time failure), leaving no
    /// half-written file behind (both are written to a temporary file and renamed).
    /// - Returns: false if a file could not be written (when `exitProcess` returns, as in tests).
    @discardableResult
    public func finish() -> Bool {
        var ok = true
        if let report, let path = flags.reportPath {
            do {
                try report.write(to: path)
                emit("\(Catalogue.reportWritten(language)) \(path)")
            } catch {
                reportFailure(Catalogue.reportFailed(language), path: path, error)
                ok = false
            }
        }
        if let path = flags.claimsPath {
            do {
                try writeUserFileDurably(Array(try claims.json()), to: path)
                emit("\(Catalogue.claimsWritten(language)) \(path)")
            } catch {
                reportFailure(Catalogue.claimsFailed(language), path: path, error)
                ok = false
            }
        }
        if !ok { exitProcess(1) }
        return ok
    }

    private func reportFailure(_ what: String, path: String, _ error: Error) {
        let message = "\(program): \(what) \(path): \(error)\n"
        FileHandle.standardError.write(Data(message.utf8))
    }

    /// Writes one block of text and a newline.
    func emit(_ text: String) { present(text) }
}
