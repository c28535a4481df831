import Foundation

/// Reads a lesson's command line against the common flags and the lesson's own options.
///
///     let parser = FlagParser(program: "lesson3", summary: "…", options: [.learningRate(), .epochs()])
///     do {
///         let flags = try parser.parse(["--lr", "0.01", "--epochs=20"])
///     } catch {
///         print(error.output)          // the usage, or "error: …" and the usage
///         exit(error.status)           // 0 for --help, 2 for a mistake
///     }
///
/// Accepted forms: `--name value` and `--name=value`; flags take no value. A later repetition
/// wins. Anything not starting with `--` is an error (lessons take no positional arguments).
///
/// The usage is printed in the language `--lang` asks for, wherever it stands among the arguments
/// (`--help --lang zh` and `--lang=zh --bogus` both give Chinese), and wrapped to `width`.
public struct FlagParser: Sendable {
    public let program: String
    public let summary: Localized
    /// The lesson's own options (the common ones are added by the parser).
    public let options: [Option]
    /// The lesson's cells, listed at the end of the usage (`--from N`, `--cell N` pick among them).
    public let cells: [Localized]
    /// The width the usage is wrapped to (nil: not wrapped). `Lesson.start` passes the screen's,
    /// by the lesson's rule: the terminal's width, `COLUMNS`, or 100 when piped.
    public var width: Int?

    /// The flags every lesson understands.
    public static let common: [Option] = [
        .flag("help", help: Catalogue.helpFlag),
        .integer("seed", default: 42, in: 0...Int.max, help: Catalogue.seedFlag),
        .flag("step", help: Catalogue.stepFlag),
        .flag("quiet", help: Catalogue.quietFlag),
        Option("lang", kind: .choice(default: "en", among: ["en", "zh"]), help: Catalogue.langFlag,
               placeholder: "en|zh"),
        .file("report", extension: "html", mustExist: false, help: Catalogue.reportFlag),
        .flag("trace-shapes", help: Catalogue.traceShapesFlag),
        .integer("seeds", default: 5, in: 1...50, help: Catalogue.seedsFlag),
        .file("claims", extension: "json", mustExist: false, help: Catalogue.claimsFlag),
        .integer("from", default: 1, in: 1...99, help: Catalogue.fromFlag),
        .integer("cell", default: 0, in: 0...99, help: Catalogue.cellFlag),
    ]

    public init(program: String, summary: Localized = "", options: [Option] = [], cells: [Localized] = [],
                width: Int? = nil) {
        let names = (Self.common + options).map(\.name)
        precondition(Set(names).count == names.count, "FlagParser: an option name is declared twice in \(names)")
        self.program = program
        self.summary = summary
        self.options = options
        self.cells = cells
        self.width = width
    }

    /// The common flags as this lesson takes them: with its cells declared, `--from N` and
    /// `--cell N` accept only the cells it has (`1…7` for seven), so `--from 50` is a mistake, not
    /// a run that silently prints nothing.
    var commonOptions: [Option] {
        guard !cells.isEmpty else { return Self.common }
        return Self.common.map { option in
            switch option.name {
            case "from": return .integer("from", default: 1, in: 1...cells.count, help: option.help)
            case "cell": return .integer("cell", default: 0, in: 0...cells.count, help: option.help)
            default: return option
            }
        }
    }

    /// Parses `arguments` (without the program name).
    /// - Returns: the flags, with defaults for everything not given.
    /// - Throws: `FlagExit` with status 0 for `--help` and 2 for any mistake.
    public func parse(_ arguments: [String]) throws(FlagExit) -> Flags {
        let usageText = usage(Self.languageHint(arguments))
        func fail(_ reason: String) -> FlagExit { .error(reason, usage: usageText) }

        var values: [String: Flags.Value] = [:]
        for option in commonOptions + options { values[option.name] = defaultValue(option) }

        var i = 0
        while i < arguments.count {
            let argument = arguments[i]
            i += 1
            if argument == "-h" { throw .help(usageText) }
            guard argument.hasPrefix("--"), argument.count > 2 else {
                throw fail("unexpected argument '\(argument)' (options start with --)")
            }
            let body = argument.dropFirst(2)
            let name = String(body.prefix { $0 != "=" })
            let inline = body.contains("=") ? String(body.drop { $0 != "=" }.dropFirst()) : nil
            guard let option = (commonOptions + options).first(where: { $0.name == name }) else {
                throw fail("unknown option --\(name)" + suggestion(for: name))
            }
            if option.kind == .flag {
                guard inline == nil else { throw fail("--\(name) takes no value, got '\(argument)'") }
                if name == "help" { throw .help(usageText) }
                values[name] = .flag(true)
                continue
            }
            let text: String
            if let inline {
                text = inline
            } else if i < arguments.count, !arguments[i].hasPrefix("--") {
                text = arguments[i]
                i += 1
            } else {
                throw fail("--\(name) needs a value: --\(name) \(option.placeholder)")
            }
            guard !text.isEmpty else { throw fail("--\(name) needs a value: --\(name) \(option.placeholder)") }
            values[name] = try check(text, for: option, fail: fail)
        }
        return Flags(values: values, arguments: arguments)
    }

    /// Validates one value against its option's kind.
    private func check(_ text: String, for option: Option,
                       fail: (String) -> FlagExit) throws(FlagExit) -> Flags.Value {
        let name = option.name
        switch option.kind {
        case .flag:
            return .flag(true)
        case .integer(_, let range):
            let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
            let tooLong = !digits.isEmpty && digits.allSatisfy(\.isASCII) && digits.allSatisfy(\.isNumber)
            guard let n = Int(text) else {
                // A whole number too long for Int is out of range, not "not a number".
                guard tooLong else { throw fail("--\(name) expects a whole number, got '\(text)'") }
                if range.upperBound == Int.max {
                    throw fail("--\(name) must be between \(range.lowerBound) and \(Int.max), got \(text)")
                }
                throw fail("--\(name) must be between \(range.lowerBound) and \(range.upperBound), got \(text)")
            }
            guard range.contains(n) else {
                if range.upperBound == Int.max {
                    throw fail("--\(name) must be at least \(range.lowerBound), got \(text)")
                }
                throw fail("--\(name) must be between \(range.lowerBound) and \(range.upperBound), got \(text)")
            }
            return .integer(n)
        case .number(_, let range):
            guard let x = Double(text), x.isFinite else { throw fail("--\(name) expects a number, got '\(text)'") }
            guard range.contains(x) else {
                throw fail("--\(name) must be between \(formatNumber(range.lowerBound)) and " +
                           "\(formatNumber(range.upperBound)), got \(text)")
            }
            return .number(x)
        case .choice(_, let among):
            guard among.contains(text) else {
                throw fail("--\(name) must be one of \(among.joined(separator: ", ")); got '\(text)'")
            }
            return .text(text)
        case .text:
            return .text(text)
        case .file(_, let ext, let mustExist):
            guard text.lowercased().hasSuffix("." + ext) else {
                throw fail("--\(name) expects a .\(ext) file, got '\(text)'")
            }
            if mustExist && !FileManager.default.fileExists(atPath: text) {
                throw fail("--\(name): no such file '\(text)'")
            }
            // A file to be written: its folder must exist, so a long run does not fail at the end.
            let folder = URL(fileURLWithPath: text).deletingLastPathComponent().path
            var isFolder: ObjCBool = false
            let folderExists = FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder)
                && isFolder.boolValue
            if !mustExist && !folderExists {
                throw fail("--\(name): no such folder '\(folder)'")
            }
            return .text(text)
        }
    }

    private func defaultValue(_ option: Option) -> Flags.Value {
        switch option.kind {
        case .flag: return .flag(false)
        case .integer(let value, _): return .integer(value)
        case .number(let value, _): return .number(value)
        case .choice(let value, _): return .text(value)
        case .file(let value, _, _), .text(let value): return .text(value)
        }
    }

    /// The language to print the usage in: `--lang zh` (or `--lang=zh`) anywhere among the
    /// arguments, before or after `--help`, even when another flag is wrong; English otherwise.
    static func languageHint(_ arguments: [String]) -> Language {
        for (i, a) in arguments.enumerated() {
            if a == "--lang=zh" || (a == "--lang" && i + 1 < arguments.count && arguments[i + 1] == "zh") {
                return .zh
            }
        }
        return .en
    }

    /// "; did you mean --lr?" when a known option is at most two edits away from a typo.
    private func suggestion(for name: String) -> String {
        let scored = (commonOptions + options).map { ($0.name, editDistance(name, $0.name)) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= 2 else { return "" }
        return "; did you mean --\(best.0)?"
    }

    /// The usage text: the synopsis, the summary, the lesson's and the common options, the cells.
    ///
    /// With a `width`, every line fits it: the summary is wrapped at word boundaries, and each
    /// option's description is wrapped under its own column (a hanging indent), so the names stay
    /// readable down the left edge:
    ///
    ///       --optimizer NAME    optimizer of "your run" (cell 4) (default adamw; one of sgd,
    ///                           momentum, adam, adamw)
    public func usage(_ language: Language = .en) -> String {
        func row(_ o: Option) -> (left: String, text: String) {
            let left = "--\(o.name)" + (o.placeholder.isEmpty ? "" : " \(o.placeholder)")
            return (left, o.help(language) + o.constraintNote(language))
        }
        let column = (options + commonOptions).map { displayWidth(row($0).left) }.max() ?? 0
        func block(_ options: [Option]) -> [String] {
            options.map(row).flatMap { hanging("  " + $0.left.padded(to: column) + "  ", $0.text) }
        }
        var lines = [Catalogue.usageLine(program)(language)]
        let text = summary(language)
        if !text.isEmpty { lines += [""] + wrap(text, width: width ?? .max) }
        if !options.isEmpty { lines += ["", Catalogue.lessonOptions(language)] + block(options) }
        lines += ["", Catalogue.commonOptions(language)] + block(commonOptions)
        if !cells.isEmpty {
            lines += ["", Catalogue.cells(language) + Catalogue.colon(language)]
            for (k, title) in cells.enumerated() {
                lines += hanging("  \(String(k + 1).padded(left: 2))  ", title(language))
            }
        }
        return lines.joined(separator: "\n")
    }

    /// `left` followed by `text` wrapped to the width, continuation lines indented to line up
    /// under the text's first column. When `left` takes more than half the width, the text starts
    /// on the next line instead, indented by 8.
    private func hanging(_ left: String, _ text: String) -> [String] {
        guard let width else { return [left + text] }
        var indent = displayWidth(left)
        var first = left
        var lines: [String] = []
        if indent > width / 2 {
            lines.append(String(left.reversed().drop { $0 == " " }.reversed()))
            indent = 8
            first = String(repeating: " ", count: indent)
        }
        let pad = String(repeating: " ", count: indent)
        for (i, piece) in wrap(text, width: max(1, width - indent)).enumerated() {
            lines.append((i == 0 ? first : pad) + piece)
        }
        return lines
    }
}

/// Levenshtein distance: the fewest single-character edits that turn `a` into `b`.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    guard !a.isEmpty else { return b.count }
    var previous = Array(0...b.count)        // distances from "" to each prefix of b
    for i in 1...a.count {
        var current = [i]
        for j in 1..<(b.count + 1) {
            let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
            current.append(min(previous[j] + 1, current[j - 1] + 1, substitution))
        }
        previous = current
    }
    return previous[b.count]
}
