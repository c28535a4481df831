#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Single keys from a terminal, without waiting for Enter: the terminal's "raw" (non-canonical) mode.
///
/// A terminal normally hands a program whole lines, after Enter, echoing what is typed. To react
/// to one key we switch canonical mode and echo off with `tcsetattr` while we wait, and switch
/// them back right after. Ctrl-C still sends SIGINT (`ISIG` stays on).
///
/// A program killed while the terminal is raw would leave the shell without echo. So while a key
/// is awaited, SIGINT and SIGTERM handlers restore the saved settings and then re-raise the signal
/// with its default action (the program still dies of it, with the usual exit status), and an
/// `atexit` hook restores them if the program exits some other way.
///
///     let keys = RawKeys(fd: STDIN_FILENO)
///     let key = keys.readKey()          // 0x71 for "q", nil at end of input
public final class RawKeys {
    public let fd: Int32

    public init(fd: Int32 = STDIN_FILENO) { self.fd = fd }

    /// Waits for one key (one byte) with the terminal in raw mode; nil at end of input or on an error.
    public func readKey() -> UInt8? {
        let entered = RawMode.enter(fd)
        defer { if entered { RawMode.leave() } }
        var byte: UInt8 = 0
        while true {
            let n = read(fd, &byte, 1)
            if n == 1 { return byte }
            if n < 0 && errno == EINTR { continue }
            return nil
        }
    }
}

/// The saved terminal settings and the code that puts them back. Global state, because a signal
/// handler is a C function that can capture nothing.
enum RawMode {
    nonisolated(unsafe) static var saved = termios()
    nonisolated(unsafe) static var savedFD: Int32 = -1
    nonisolated(unsafe) static var hooksInstalled = false

    /// Switches `fd` to raw mode; false (and nothing changed) when it is not a terminal.
    static func enter(_ fd: Int32) -> Bool {
        var settings = termios()
        guard isatty(fd) == 1, tcgetattr(fd, &settings) == 0 else { return false }
        saved = settings
        savedFD = fd
        installHooks()
        var raw = settings
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1                     // read returns after one byte…
            cc[Int(VTIME)] = 0                    // …and waits for it as long as it takes
        }
        return tcsetattr(fd, TCSANOW, &raw) == 0
    }

    /// Puts the saved settings back (safe to call twice, and from a signal handler).
    static func leave() {
        guard savedFD >= 0 else { return }
        _ = tcsetattr(savedFD, TCSANOW, &saved)
        savedFD = -1
    }

    private static func installHooks() {
        guard !hooksInstalled else { return }
        hooksInstalled = true
        atexit { RawMode.leave() }
        for sig in [SIGINT, SIGTERM] {
            signal(sig) { received in
                RawMode.leave()
                signal(received, SIG_DFL)
                raise(received)
            }
        }
    }
}
