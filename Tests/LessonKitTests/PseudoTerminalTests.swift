#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing
@testable import LessonKit

/// A pseudo-terminal pair: `keyboard` is the side a person types into (the master), `terminal`
/// the side the program reads as its standard input (the slave, a real terminal to `isatty`).
final class PseudoTerminal {
    let keyboard: Int32
    let terminal: Int32

    init(columns: Int = 80, rows: Int = 24) throws {
        var master: Int32 = -1, slave: Int32 = -1
        var size = winsize(ws_row: UInt16(rows), ws_col: UInt16(columns), ws_xpixel: 0, ws_ypixel: 0)
        guard openpty(&master, &slave, nil, nil, &size) == 0 else { throw POSIXError(.ENOTTY) }
        keyboard = master
        terminal = slave
    }

    deinit {
        close(keyboard)
        close(terminal)
    }

    /// Types `text` after `delay` seconds, from another thread (the reader is waiting by then).
    func type(_ text: String, after delay: Double = 0.05) {
        let fd = keyboard
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: delay)
            _ = text.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
        }
    }

    /// Resizes the terminal, as dragging the window's corner does (`TIOCSWINSZ` on the master).
    func resize(columns: Int, rows: Int) {
        var size = winsize(ws_row: UInt16(rows), ws_col: UInt16(columns), ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(keyboard, UInt(TIOCSWINSZ), &size)
    }

    /// Whether the terminal is in canonical (line) mode with echo: the state a shell expects.
    var isCooked: Bool {
        var settings = termios()
        tcgetattr(terminal, &settings)
        return settings.c_lflag & tcflag_t(ICANON) != 0 && settings.c_lflag & tcflag_t(ECHO) != 0
    }

    /// Reads what the program wrote until `marker` appears or `timeout` seconds pass.
    func read(until marker: String, timeout: Double) -> String {
        var text = Data()
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline, !String(decoding: text, as: UTF8.self).contains(marker) {
            var poller = pollfd(fd: keyboard, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = Glibc.read(keyboard, &buffer, buffer.count)
            if n <= 0 { break }
            text.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

/// A lesson of three cells whose output is much taller than a 12-row screen.
func tallLesson(keys: [String], rows: Int = 12,
                columns: Int = 80) throws -> (text: String, pauses: Int, exits: [Int32]) {
    let pty = try PseudoTerminal(columns: columns, rows: rows)
    let raw = RawKeys(fd: pty.terminal)
    var remaining = keys
    var pauses = 0
    let output = LessonOutput.collecting()
    let stepper = StepThrough(enabled: true, inputIsTerminal: true, readKey: {
        pauses += 1
        if !remaining.isEmpty { pty.type(remaining.removeFirst()) } else { pty.type(" ") }
        return raw.readKey()
    }, show: { output.write($0.contains("›") ? "<PAUSE>" + $0 : $0) }, eraseLine: false)
    var exits: [Int32] = []
    let flags = try FlagParser(program: "lesson0").parse(["--step"])
    let lesson = Lesson(flags: flags, title: "Lesson 0", program: "lesson0", output: output, stepper: stepper,
                        exitProcess: { exits.append($0) }, screen: ScreenSize(columns: columns, rows: rows))
    lesson.cells(["Data", "Train", "Look"])
    lesson.cell(1)
    for i in 1...30 { lesson.say(Localized(stringLiteral: "line \(i) of the first cell")) }
    lesson.cell(2)
    var table = Table(["epoch", "loss"])
    for e in 1...15 { table.append([.integer(e), .number(1 / Double(e))]) }
    lesson.table(table)
    lesson.cell(3)
    lesson.plot(LineChart(title: "loss", series: [.init("train", (1...15).map { 1 / Double($0) })]))
    lesson.say(Localized("the end of the lesson"))
    #expect(pty.isCooked)
    return (output.text, pauses, exits)
}

/// Starts `program` with `arguments` on the pseudo-terminal (its standard input, output and error),
/// with no signal blocked or ignored, as a shell would start it. Returns its process id.
func spawn(_ program: String, _ arguments: [String], under pty: PseudoTerminal) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    for fd in [Int32(0), 1, 2] { posix_spawn_file_actions_adddup2(&actions, pty.terminal, fd) }
    posix_spawn_file_actions_addclose(&actions, pty.keyboard)
    let argumentTexts: [String] = [program] + arguments, environmentTexts: [String] = ["NO_COLOR=1"]
    let argv = argumentTexts.map { strdup($0) } + [nil]
    let environment = environmentTexts.map { strdup($0) } + [nil]
    defer { for pointer in argv + environment { free(pointer) } }
    // The test runner's threads may block signals; the child starts with none blocked.
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var noSignals = sigset_t(), defaults = sigset_t()
    sigemptyset(&noSignals)
    sigemptyset(&defaults)
    for signal in [SIGTERM, SIGINT, SIGWINCH] { sigaddset(&defaults, signal) }
    posix_spawnattr_setsigmask(&attributes, &noSignals)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    var pid: pid_t = 0
    guard posix_spawn(&pid, program, &actions, &attributes, argv, environment) == 0 else {
        throw POSIXError(.ENOEXEC)
    }
    return pid
}

/// What a program wrote to a terminal, as lines of text: without carriage returns and without
/// escape sequences (`ESC [ … letter`, the status line's erase).
func screenLines(_ raw: String) -> [String] {
    var text = ""
    var escape = false
    for scalar in raw.unicodeScalars {
        if escape {
            if scalar.properties.isAlphabetic { escape = false }
            continue
        }
        if scalar == "\u{1B}" { escape = true; continue }
        if scalar != "\r" { text.unicodeScalars.append(scalar) }
    }
    return text.components(separatedBy: "\n")
}

@Suite(.serialized) struct PseudoTerminalTests {
    /// `q` alone, without Enter, ends the wait at once, and the terminal is cooked again afterwards.
    @Test func qWithoutEnterQuitsWithinASecondAndRestoresTheTerminal() throws {
        let pty = try PseudoTerminal()
        #expect(pty.isCooked)
        final class Box: @unchecked Sendable { var raw = false }
        let rawWhileWaiting = Box()
        let stepper = StepThrough(enabled: true, inputIsTerminal: true, readKey: {
            let fd = pty.terminal
            Thread.detachNewThread {
                Thread.sleep(forTimeInterval: 0.05)
                var settings = termios()
                tcgetattr(fd, &settings)
                rawWhileWaiting.raw = settings.c_lflag & tcflag_t(ICANON) == 0
            }
            pty.type("q", after: 0.2)
            return RawKeys(fd: pty.terminal).readKey()
        }, show: { _ in }, eraseLine: false)
        let started = Date()
        #expect(stepper.pause() == .quit)
        #expect(Date().timeIntervalSince(started) < 1)
        #expect(rawWhileWaiting.raw)
        #expect(pty.isCooked)
    }

    /// The handler a signal runs puts the saved settings back.
    @Test func theSignalPathRestoresTheSavedSettings() throws {
        let pty = try PseudoTerminal()
        #expect(RawMode.enter(pty.terminal))
        #expect(!pty.isCooked)
        RawMode.leave()                         // what the SIGINT/SIGTERM handler calls first
        #expect(pty.isCooked)
        RawMode.leave()                         // twice is harmless
        #expect(pty.isCooked)
    }

    /// Space through every pause: no stretch between two pauses is taller than the screen less the
    /// status line, and every cell begins after a pause.
    @Test func noStretchBetweenPausesIsTallerThanTheScreen() throws {
        let (text, pauses, exits) = try tallLesson(keys: [])
        // Each stretch after the first begins with the rest of its status line (erased on a real screen).
        let stretches = text.components(separatedBy: "<PAUSE>").enumerated().map { i, s in
            i == 0 ? s : String(s.drop { $0 != "\n" }.dropFirst())
        }
        let heights = stretches.map { $0.split(separator: "\n", omittingEmptySubsequences: false).count - 1 }
        #expect(heights.allSatisfy { $0 <= 11 }, "\(heights)")
        #expect(pauses >= 5 && exits.isEmpty)
        #expect(text.contains("lesson0 · cell 1/3 · next: Cell 2 · Train"))
        #expect(text.contains("the end of the lesson"))
        for cell in ["▶ Cell 1 · Data", "▶ Cell 2 · Train", "▶ Cell 3 · Look"] {
            #expect(stretches.contains { $0.hasPrefix("\n" + cell) }, "\(cell)")
        }
    }

    /// `c` runs to the end without another pause; `q` stops with "Stopped at cell k of n".
    @Test func cRunsToTheEndAndQStops() throws {
        let run = try tallLesson(keys: [" ", "c"])
        #expect(run.pauses == 2)
        #expect(run.text.hasSuffix("the end of the lesson\n"))

        let quit = try tallLesson(keys: [" ", " ", " ", " ", "q"])
        #expect(quit.pauses == 5 && quit.exits == [0])
        #expect(quit.text.contains("Stopped at cell 2 of 3.\n"))
        #expect(!quit.text.contains("the end of the lesson"))
    }

    /// A lesson that follows a terminal wraps to its new width after a resize. The kernel sends
    /// SIGWINCH only to the terminal's foreground processes, and the test runner is not one, so the
    /// test sends it itself, with the signal unblocked on this thread so it arrives before `raise`
    /// returns. Until the signal, the lesson keeps the size it read (it does not ask per line).
    @Test func theWidthFollowsAResizedTerminal() throws {
        let pty = try PseudoTerminal(columns: 80, rows: 24)
        let output = LessonOutput.collecting()
        let lesson = Lesson(flags: .defaults(), title: "t", output: output,
                            measureScreen: { Terminal.windowSize(pty.terminal) })
        let paragraph = Localized(stringLiteral: (1...40).map { "word\($0)" }.joined(separator: " "))
        func widths(_ text: String) -> [Int] { text.split(separator: "\n").map { displayWidth(String($0)) } }
        func printed(_ text: Localized) -> String {
            let before = output.text.count
            lesson.say(text)
            return String(output.text.dropFirst(before))
        }
        #expect(lesson.width == 80)
        _ = printed("the banner comes with the first output")
        let at80 = printed(paragraph)
        #expect(widths(at80).max().map { $0 > 60 && $0 <= 80 } == true, "\(widths(at80))")

        pty.resize(columns: 40, rows: 12)
        #expect(printed(paragraph) == at80)                      // no signal yet: still 80 columns
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGWINCH)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        raise(SIGWINCH)
        let at40 = printed(paragraph)
        #expect(widths(at40).max().map { $0 > 30 && $0 <= 40 } == true, "\(widths(at40))")
        #expect(lesson.width == 40 && lesson.classroom.budget == 11)
        #expect(wrap(paragraph.en, width: 40).joined(separator: "\n") + "\n" == at40)
    }

    /// The real lesson 1 under a pseudo-terminal of 100 columns: at its first pause the window
    /// shrinks to 50 columns (TIOCSWINSZ, then the SIGWINCH a terminal sends its program), and
    /// everything printed after Space fits 50 columns. Skipped when `.build/debug/lesson1` is absent.
    @Test func lesson1FollowsAResizeUnderAPseudoTerminal() throws {
        let program = packageRoot.appendingPathComponent(".build/debug/lesson1").path
        guard FileManager.default.isExecutableFile(atPath: program) else { return }
        let pty = try PseudoTerminal(columns: 100, rows: 40)
        let pid = try spawn(program, ["--step"], under: pty)
        defer { kill(pid, SIGKILL); var status: Int32 = 0; waitpid(pid, &status, 0) }
        let first = pty.read(until: "› ", timeout: 120)
        #expect(screenLines(first).contains { displayWidth($0) > 50 }, "\(first.suffix(300))")
        pty.resize(columns: 50, rows: 40)
        kill(pid, SIGWINCH)
        usleep(100_000)                                   // let the handler run before the key
        pty.type(" ", after: 0)
        let second = pty.read(until: "› ", timeout: 60)
        let lines = screenLines(second).dropLast()        // the last line is the next status line
        #expect(lines.count > 10, "\(second.suffix(300))")
        let wide = lines.filter { displayWidth($0) > 50 }
        #expect(wide.isEmpty, "\(wide.prefix(3))")
        pty.type("q", after: 0)
    }

    /// The real program under a real pseudo-terminal, when `swift build` has built it: `q` quits at
    /// the first pause within a second with status 0, and SIGTERM or SIGINT (Ctrl-C) while waiting leave the
    /// terminal cooked. Skipped (passes) when `.build/debug/lesson1` is absent.
    @Test func lesson1UnderAPseudoTerminal() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let program = root.appendingPathComponent(".build/debug/lesson1").path
        guard FileManager.default.isExecutableFile(atPath: program) else { return }
        for ending in ["q", "SIGTERM", "SIGINT"] {
            let pty = try PseudoTerminal(columns: 80, rows: 24)
            let pid = try spawn(program, ["--step"], under: pty)
            let screen = pty.read(until: "› ", timeout: 120)
            #expect(screen.contains("› "), "no pause seen: \(screen.suffix(300))")
            let sent = Date()
            if ending == "q" { pty.type("q", after: 0) } else { kill(pid, ending == "SIGINT" ? SIGINT : SIGTERM) }
            var status: Int32 = 0
            var exited = false
            while !exited && Date().timeIntervalSince(sent) < 5 {
                exited = waitpid(pid, &status, WNOHANG) == pid
                if !exited { usleep(10_000) }
            }
            #expect(exited && Date().timeIntervalSince(sent) < 1)
            if !exited { kill(pid, SIGKILL); waitpid(pid, &status, 0) }
            if ending == "q" {
                #expect(status & 0x7f == 0 && (status >> 8) & 0xff == 0)        // exited, status 0
            } else {
                #expect(status & 0x7f == (ending == "SIGINT" ? SIGINT : SIGTERM))   // killed by the signal
            }
            #expect(pty.isCooked)
        }
    }
}
