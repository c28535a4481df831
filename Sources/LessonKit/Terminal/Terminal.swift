#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// What LessonKit knows about the terminal it prints to.
///
/// Colour is used only when standard output is a terminal *and* the `NO_COLOR` environment
/// variable is unset (https://no-color.org: an empty value counts as unset). Redirected to a file
/// or a pipe, the output is plain text, so it can be diffed and tested.
public enum Terminal {
    /// Whether to colour text written to standard output.
    /// - Parameters:
    ///   - environment: the process environment (pass your own in tests).
    ///   - outputIsTerminal: whether standard output is a terminal.
    public static func colourEnabled(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        outputIsTerminal: Bool = isatty(STDOUT_FILENO) == 1
    ) -> Bool {
        let noColour = environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        return outputIsTerminal && !noColour
    }

    /// Whether standard input is a terminal: only then may `--step` wait for a key.
    public static var inputIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }
    /// Whether standard error is a terminal (progress lines are shown only there).
    public static var errorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
}

/// ANSI colours, each paired with the colour the HTML report uses for the same role, so a series
/// is cyan in the terminal and the matching blue in the SVG.
public enum Colour: Int, CaseIterable, Sendable {
    case blue, orange, green, red, purple, cyan

    /// The colour of the `index`th series of a chart (cycling after six).
    public static func series(_ index: Int) -> Colour { allCases[index % allCases.count] }

    /// The ANSI "select graphic rendition" code for a terminal foreground.
    var ansiCode: String {
        switch self {
        case .blue: return "34"
        case .orange: return "33"
        case .green: return "32"
        case .red: return "31"
        case .purple: return "35"
        case .cyan: return "36"
        }
    }

    /// The colour in SVG and CSS (matplotlib's "tab10" palette, easy to tell apart on a projector).
    public var hex: String {
        switch self {
        case .blue: return "#1f77b4"
        case .orange: return "#ff7f0e"
        case .green: return "#2ca02c"
        case .red: return "#d62728"
        case .purple: return "#9467bd"
        case .cyan: return "#17becf"
        }
    }
}

extension String {
    /// Wraps the text in an ANSI colour code when `enabled`, else returns it unchanged.
    func painted(_ colour: Colour?, _ enabled: Bool) -> String {
        guard enabled, let colour, !isEmpty else { return self }
        return "\u{1B}[\(colour.ansiCode)m" + self + "\u{1B}[0m"
    }

    /// Bold when `enabled` (for headers and banners).
    func bold(_ enabled: Bool) -> String {
        guard enabled, !isEmpty else { return self }
        return "\u{1B}[1m" + self + "\u{1B}[0m"
    }
}
