/// A command-line option a lesson declares: its name, what values it accepts, its default and its
/// help text. The parser checks every value against the declaration, so a lesson never sees a
/// learning rate of `abc` or a dropout of `1.5`.
///
///     let options: [Option] = [
///         .learningRate(default: 1e-3),                       // --lr X, a ready-made knob
///         .integer("layers", default: 3, in: 1...12,
///                  help: Localized(en: "encoder layers", zh: "编码器层数")),
///     ]
///
///     .text("target", help: Localized(en: "the column to predict", zh: "要预测的列")),   // --target NAME
///
/// The ready-made knobs (`--lr`, `--epochs`, `--batch-size`, `--activation`, `--clip`,
/// `--weight-decay`, `--dropout`, `--data`) are in `Option+Knobs.swift`.
public struct Option: Sendable {
    /// What an option accepts.
    public enum Kind: Sendable, Equatable {
        /// No value: present or absent (`--step`).
        case flag
        /// A whole number within `range` (`--epochs 50`).
        case integer(default: Int, range: ClosedRange<Int>)
        /// A real number within `range` (`--lr 0.001`, `--lr 1e-3`).
        case number(default: Double, range: ClosedRange<Double>)
        /// One word from a fixed list (`--activation relu`).
        case choice(default: String, among: [String])
        /// A file path with the given extension (`--data points.csv`); `mustExist` checks it is there.
        case file(default: String?, extension: String, mustExist: Bool)
        /// Any non-empty word (`--target price`): a column name, a label.
        case text(default: String?)
    }

    /// The name without dashes: `"lr"` for `--lr`.
    public let name: String
    public let kind: Kind
    public let help: Localized
    /// The word standing for the value in the usage: `N`, `X`, `NAME`, `FILE.csv`.
    public let placeholder: String

    public init(_ name: String, kind: Kind, help: Localized, placeholder: String? = nil) {
        precondition(!name.hasPrefix("-") && !name.isEmpty, "Option: give the name without dashes")
        self.name = name
        self.kind = kind
        self.help = help
        switch kind {
        case .flag: self.placeholder = placeholder ?? ""
        case .integer: self.placeholder = placeholder ?? "N"
        case .number: self.placeholder = placeholder ?? "X"
        case .choice: self.placeholder = placeholder ?? "NAME"
        case .file(_, let ext, _): self.placeholder = placeholder ?? "FILE.\(ext)"
        case .text: self.placeholder = placeholder ?? "NAME"
        }
    }

    /// `--name`, present or not.
    public static func flag(_ name: String, help: Localized) -> Option {
        Option(name, kind: .flag, help: help)
    }

    /// `--name N`, a whole number in `range`.
    public static func integer(_ name: String, default value: Int, in range: ClosedRange<Int>,
                               help: Localized) -> Option {
        precondition(range.contains(value), "Option --\(name): default \(value) is outside \(range)")
        return Option(name, kind: .integer(default: value, range: range), help: help)
    }

    /// `--name X`, a real number in `range`.
    public static func number(_ name: String, default value: Double, in range: ClosedRange<Double>,
                              help: Localized) -> Option {
        precondition(range.contains(value), "Option --\(name): default \(value) is outside \(range)")
        return Option(name, kind: .number(default: value, range: range), help: help)
    }

    /// `--name WORD`, one of `among`.
    public static func choice(_ name: String, default value: String, among: [String],
                              help: Localized) -> Option {
        precondition(among.contains(value), "Option --\(name): default \(value) is not one of \(among)")
        return Option(name, kind: .choice(default: value, among: among), help: help)
    }

    /// `--name FILE.ext`; `nil` when not given and there is no default.
    public static func file(_ name: String, extension ext: String, default value: String? = nil,
                            mustExist: Bool = true, help: Localized) -> Option {
        Option(name, kind: .file(default: value, extension: ext, mustExist: mustExist), help: help)
    }

    /// `--name NAME`, any non-empty text; `nil` when not given and there is no default.
    public static func text(_ name: String, default value: String? = nil, help: Localized) -> Option {
        Option(name, kind: .text(default: value), help: help)
    }

    /// The usage's note on the default and the accepted values, after the help text:
    /// ` (default 0.001, 1e-06…10)`, or in Chinese with full-width punctuation `（默认 0.001，1e-06…10）`;
    /// empty for a flag and for a file or text option without a default.
    func constraintNote(_ language: Language) -> String {
        let zh = language == .zh
        let comma = zh ? "，" : ", ", semicolon = zh ? "；" : "; ", listSeparator = zh ? "、" : ", "
        let d = Catalogue.defaultWord(language)
        let note: String
        switch kind {
        case .flag: return ""
        case .integer(let value, let range) where range.upperBound == Int.max:
            note = "\(d) \(value)\(comma)≥ \(range.lowerBound)"
        case .integer(let value, let range):
            note = "\(d) \(value)\(comma)\(range.lowerBound)…\(range.upperBound)"
        case .number(let value, let range):
            let bounds = "\(formatNumber(range.lowerBound))…\(formatNumber(range.upperBound))"
            note = "\(d) \(formatNumber(value))\(comma)\(bounds)"
        case .choice(let value, let among):
            // A choice that is punctuation (a CSV separator `,`) is quoted, so the list stays readable.
            func shown(_ word: String) -> String {
                word.contains { $0.isLetter || $0.isNumber } ? word : "'\(word)'"
            }
            note = "\(d) \(shown(value))\(semicolon)\(Catalogue.oneOf(language)) "
                + among.map(shown).joined(separator: listSeparator)
        case .file(let value, _, _), .text(let value):
            guard let value else { return "" }
            note = "\(d) \(value)"
        }
        return zh ? "（\(note)）" : " (\(note))"
    }
}

/// A number as a person would write it on the command line: `0.001`, `1e-06`, `50`.
func formatNumber(_ value: Double) -> String {
    String(format: "%g", value)
}
