/// The parsed command line of a lesson: the common flags as properties, the lesson's own options
/// through typed getters.
///
///     let lr = lesson.flags.double("lr")          // 0.001 unless --lr was given
///     let epochs = lesson.flags.int("epochs")
///     let activation = lesson.flags.string("activation")
///     let csv = lesson.flags.path("data")         // nil when --data was not given
///     let target = lesson.flags.text("target")    // nil when --target was not given
///
/// Asking for an option the lesson did not declare, or with the wrong type, is a programming
/// error and stops the program with a message naming it.
public struct Flags: Sendable {
    /// `--seed N`: seed every random number generator with it, so runs repeat exactly.
    public let seed: UInt64
    /// `--step`: pause before every cell and before output would scroll off the screen (single keys).
    public let step: Bool
    /// `--quiet`: headline numbers only.
    public let quiet: Bool
    /// `--lang en|zh`.
    public let language: Language
    /// `--report FILE.html`, or `nil`.
    public let reportPath: String?
    /// `--trace-shapes`: print tensor shapes at module boundaries.
    public let traceShapes: Bool
    /// `--seeds N`: how many seeds each side-by-side comparison runs over (default 5).
    public let seeds: Int
    /// `--claims FILE.json`, or `nil`.
    public let claimsPath: String?
    /// `--from N`: the first cell shown (1 unless given).
    public let fromCell: Int
    /// `--cell N`: the only cell shown, or `nil` for every cell.
    public let onlyCell: Int?
    /// The arguments as given (without the program name), to print how to repeat the run.
    public let arguments: [String]

    /// A value the parser accepted.
    enum Value: Sendable, Equatable {
        case flag(Bool)
        case integer(Int)
        case number(Double)
        case text(String?)
    }
    let values: [String: Value]

    init(values: [String: Value], arguments: [String]) {
        self.values = values
        self.arguments = arguments
        if case .integer(let s)? = values["seed"] { seed = UInt64(s) } else { seed = 42 }
        if case .text(let l?)? = values["lang"], let language = Language(rawValue: l) {
            self.language = language
        } else {
            self.language = .en
        }
        if case .text(let path)? = values["report"] { reportPath = path } else { reportPath = nil }
        if case .text(let path)? = values["claims"] { claimsPath = path } else { claimsPath = nil }
        if case .integer(let n)? = values["seeds"] { seeds = n } else { seeds = 5 }
        if case .integer(let n)? = values["from"] { fromCell = n } else { fromCell = 1 }
        if case .integer(let n)? = values["cell"], n > 0 { onlyCell = n } else { onlyCell = nil }
        func bool(_ name: String) -> Bool { values[name] == .flag(true) }
        step = bool("step")
        quiet = bool("quiet")
        traceShapes = bool("trace-shapes")
    }

    /// The defaults of `options` plus the common flags, as if the lesson ran with no arguments.
    public static func defaults(for options: [Option] = []) -> Flags {
        // The defaults always parse; a failure here is a bug in an option's declaration.
        do { return try FlagParser(program: "lesson", options: options).parse([]) } catch {
            preconditionFailure("Flags.defaults: \(error.output)")
        }
    }

    private func value(_ name: String) -> Value {
        guard let v = values[name] else { preconditionFailure("Flags: the lesson declared no option --\(name)") }
        return v
    }

    /// The value of a `.number` option, e.g. `double("lr")`.
    public func double(_ name: String) -> Double {
        guard case .number(let x) = value(name) else { preconditionFailure("Flags: --\(name) is not a number option") }
        return x
    }

    /// The value of an `.integer` option, e.g. `int("epochs")`.
    public func int(_ name: String) -> Int {
        guard case .integer(let n) = value(name) else {
            preconditionFailure("Flags: --\(name) is not an integer option")
        }
        return n
    }

    /// The value of a `.choice` option, e.g. `string("activation")`.
    public func string(_ name: String) -> String {
        guard case .text(let s?) = value(name) else { preconditionFailure("Flags: --\(name) has no text value") }
        return s
    }

    /// The path of a `.file` option, or `nil` when it was not given and has no default.
    public func path(_ name: String) -> String? {
        guard case .text(let s) = value(name) else { preconditionFailure("Flags: --\(name) is not a file option") }
        return s
    }

    /// The value of a `.text` option, or `nil` when it was not given and has no default.
    public func text(_ name: String) -> String? {
        guard case .text(let s) = value(name) else { preconditionFailure("Flags: --\(name) is not a text option") }
        return s
    }

    /// Whether a `.flag` option was given.
    public func isSet(_ name: String) -> Bool {
        guard case .flag(let b) = value(name) else { preconditionFailure("Flags: --\(name) is not a flag") }
        return b
    }
}
