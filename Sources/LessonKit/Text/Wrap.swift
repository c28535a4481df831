/// Wrapping text to the width of a terminal, counting columns as the terminal does
/// (`displayWidth`: a Chinese character takes two).
///
///     wrap("Adam keeps a running average of each gradient.", width: 20)
///     // ["Adam keeps a running", "average of each", "gradient."]
///     wrap("- a bullet whose text is longer than the width", width: 20)
///     // ["- a bullet whose", "  text is longer", "  than the width"]     (hanging indent)
///
/// Where a line may break, kept deliberately simple:
/// - at a space (the space is dropped);
/// - between two characters when either is East Asian wide (Chinese has no spaces between words),
///   except before closing punctuation (`，。、；：？！）」』”’》` and their half-width forms after
///   a wide character) and after opening punctuation (`（「『“‘《`), so a comma never starts a line;
/// - inside a Latin word only when the word alone is wider than the line (then it is cut).
///
/// A line that already fits is returned unchanged, spaces and all, so short output stays byte-identical.
/// Continuation lines keep the line's own indentation, plus the width of a bullet (`- `, `• `, `* `,
/// `1. `, `1) `) when the line starts with one.
public func wrap(_ text: String, width: Int) -> [String] {
    text.split(separator: "\n", omittingEmptySubsequences: false).flatMap { wrapLine(String($0), width: width) }
}

/// `wrap` joined back with newlines.
public func wrapped(_ text: String, width: Int?) -> String {
    guard let width else { return text }
    return wrap(text, width: width).joined(separator: "\n")
}

/// The columns a continuation line of `line` is indented by: its leading spaces, plus a bullet's width.
func hangingIndent(_ line: String) -> Int {
    let spaces = line.prefix { $0 == " " }.count
    let rest = line.dropFirst(spaces)
    for bullet in ["- ", "• ", "* ", "· ", "– "] where rest.hasPrefix(bullet) { return spaces + displayWidth(bullet) }
    let digits = rest.prefix { $0.isASCII && $0.isNumber }
    if !digits.isEmpty, digits.count <= 3 {
        let after = rest.dropFirst(digits.count)
        if after.hasPrefix(". ") || after.hasPrefix(") ") { return spaces + digits.count + 2 }
    }
    return spaces
}

/// Characters that must not begin a line, and ones that must not end it.
private let closing: Set<Character> = ["，", "。", "、", "；", "：", "？", "！", "）", "」", "』", "”", "’", "》",
                                       ",", ".", ";", ":", "?", "!", ")", "%"]
private let opening: Set<Character> = ["（", "「", "『", "“", "‘", "《", "("]

private func isWide(_ ch: Character) -> Bool { displayWidth(String(ch)) == 2 }

/// Whether a line may break between `a` and `b` (no space between them).
func mayBreak(between a: Character, and b: Character) -> Bool {
    guard isWide(a) || isWide(b) else { return false }
    if closing.contains(b) || opening.contains(a) { return false }
    return true
}

/// One unbreakable piece of a line: a word, or a single wide character, and the spaces before it
/// (kept as they are inside a line, so aligned columns stay aligned; dropped where the line breaks).
private struct Piece {
    var text: String
    var spaces: String
    var width: Int { displayWidth(text) }
}

private func pieces(of text: Substring) -> [Piece] {
    var result: [Piece] = []
    var current = ""
    var spaces = ""
    var previous: Character?
    for ch in text {
        if ch == " " {
            if !current.isEmpty { result.append(Piece(text: current, spaces: spaces)); current = ""; spaces = "" }
            spaces.append(" ")
            previous = nil
            continue
        }
        if let p = previous, !current.isEmpty, mayBreak(between: p, and: ch) {
            result.append(Piece(text: current, spaces: spaces))
            current = ""
            spaces = ""
        }
        current.append(ch)
        previous = ch
    }
    if !current.isEmpty { result.append(Piece(text: current, spaces: spaces)) }
    return result
}

private func wrapLine(_ original: String, width: Int) -> [String] {
    guard width > 0, visibleWidth(original) > width else { return [original] }
    // Colour codes take no columns but would be cut in the middle: a line that must wrap loses its colour.
    let line = strippingANSI(original)
    let leading = line.prefix { $0 == " " }.count
    var hang = hangingIndent(line)
    if hang > width / 2 { hang = min(leading, width / 2) }        // a deep indent would leave no room
    var lines: [String] = []
    var current = String(repeating: " ", count: leading)
    var used = leading
    var empty = true                                           // nothing but indentation on `current`
    func newLine() {
        lines.append(current)
        current = String(repeating: " ", count: hang)
        used = hang
        empty = true
    }
    for piece in pieces(of: line.dropFirst(leading)) {
        if !empty && used + piece.spaces.count + piece.width > width { newLine() }
        let gap = empty ? "" : piece.spaces
        if used + gap.count + piece.width <= width || !empty {
            current += gap + piece.text
            used += gap.count + piece.width
            empty = false
            continue
        }
        // A word wider than the whole line: cut it, column by column.
        for ch in piece.text {
            let w = displayWidth(String(ch))
            if !empty && used + w > width { newLine() }
            current.append(ch)
            used += w
            empty = false
        }
    }
    if !empty || lines.isEmpty { lines.append(current) }
    return lines
}

/// The columns `text` occupies on screen, ignoring ANSI colour codes (`ESC [ … m`).
public func visibleWidth(_ text: String) -> Int { displayWidth(strippingANSI(text)) }

/// `text` without ANSI "select graphic rendition" sequences.
func strippingANSI(_ text: String) -> String {
    guard text.contains("\u{1B}") else { return text }
    var out = ""
    var inEscape = false
    for scalar in text.unicodeScalars {
        if inEscape {
            if scalar == "m" { inEscape = false }
            continue
        }
        if scalar == "\u{1B}" { inEscape = true; continue }
        out.unicodeScalars.append(scalar)
    }
    return out
}

/// What a check of printed output against a width found: the lines wider than the width.
///
///     let problems = linesWider(than: 80, in: output.text)
///     #expect(problems.isEmpty, "\(problems)")
public func linesWider(than width: Int, in text: String) -> [(line: Int, columns: Int, text: String)] {
    text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { i, line in
        let w = visibleWidth(String(line))
        return w > width ? (i + 1, w, String(line)) : nil
    }
}
