import Engine
import Foundation

/// A lesson's HTML report: one self-contained file (styles inline, every chart an inline SVG, no
/// scripts, fonts or images from elsewhere) that a teacher can open offline or project.
///
///     var report = HTMLReport(title: "Lesson 1 · Data", command: "lesson1 --seed 7")
///     report.add(.paragraph("We standardise the inputs."))
///     report.add(.chart(Histogram(title: "inputs", values: x.scalars)))
///     try report.write(to: "lesson1.html")
///
/// A `Lesson` builds its report by itself when `--report FILE.html` is given: everything it
/// prints is mirrored here, even under `--quiet`.
public struct HTMLReport: Sendable {
    /// One piece of the page, in the order the lesson produced it.
    public enum Block: Sendable {
        case stage(String)
        case heading(String)
        case paragraph(String)
        /// A headline number, printed even under `--quiet`; shown highlighted.
        case headline(String)
        /// Monospaced text as printed in the terminal (tensors, shape traces).
        case preformatted(String)
        /// Lines that belong apart (a diagnosis, a list of causes): a bulleted list.
        case list([String])
        /// A training run to step through, frame by frame (StepThroughPage.swift).
        case training(TrainingRecord)
        case table(Table)
        case chart(any Chart)
    }

    public var title: String
    public var language: Language
    /// How the run can be repeated, e.g. `lesson1 --seed 7 --lr 0.01`.
    public var command: String?
    public private(set) var blocks: [Block] = []

    public init(title: String, language: Language = .en, command: String? = nil) {
        self.title = title
        self.language = language
        self.command = command
    }

    /// Appends a block; consecutive preformatted blocks merge into one.
    public mutating func add(_ block: Block) {
        if case .preformatted(let more) = block, case .preformatted(let text)? = blocks.last {
            blocks[blocks.count - 1] = .preformatted(text + "\n" + more)
        } else {
            blocks.append(block)
        }
    }

    /// How many charts (and so `<svg>` elements) the page holds.
    public var chartCount: Int {
        blocks.filter { if case .chart = $0 { return true } else { return false } }.count
    }

    /// The whole page.
    public func html() -> String {
        let e = SVG.escape
        var trainingIndex = 0
        var body = "<h1>\(e(title))</h1>\n"
        if let command {
            body += "<p class=\"meta\">\(e(Catalogue.runWith(language))): <code>\(e(command))</code></p>\n"
        }
        for block in blocks {
            switch block {
            case .stage(let s): body += "<h2 class=\"stage\">\(e(s))</h2>\n"
            case .heading(let s): body += "<h3>\(e(s))</h3>\n"
            case .paragraph(let s): body += "<p>\(Self.inline(s))</p>\n"
            case .headline(let s): body += "<p class=\"headline\">\(Self.inline(s))</p>\n"
            case .preformatted(let s):
                // Wider than the column: smaller type, and a scroll bar rather than a clipped edge.
                let wide = s.split(separator: "\n").contains { displayWidth(String($0)) > 96 }
                body += "<div class=\"scroll\"><pre\(wide ? " class=\"wide\"" : "")>\(e(s))</pre></div>\n"
            case .list(let items):
                body += "<ul class=\"lines\">" + items.map { "<li>\(Self.inline($0))</li>" }.joined() + "</ul>\n"
            case .training(let record):
                trainingIndex += 1
                body += StepThroughPage.section(record, index: trainingIndex, language: language) + "\n"
            case .table(let t): body += Self.html(t) + "\n"
            case .chart(let c):
                // The SVG carries its own title (drawn, and as <title> for screen readers).
                body += "<figure>\n\(c.svg())\n</figure>\n"
            }
        }
        return """
            <!DOCTYPE html>
            <html lang="\(language.rawValue)">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(e(title))</title>
            <style>\(Self.style)\(StepThroughPage.style)</style>
            </head>
            <body>
            <main>
            \(body)</main>
            <script>\(StepThroughPage.script)</script>
            </body>
            </html>

            """
    }

    /// Narration as HTML: escaped, a line break kept as `<br>`, and the two bits of markdown the
    /// lessons write turned into markup: `` `code` `` → `<code>`, `*word*` → `<em>` (a `*` opens
    /// only before a non-space and not after a letter or digit, so `2 * 3` and `a*b` stay as they are).
    static func inline(_ text: String) -> String {
        var out = ""
        let chars = Array(text)
        var i = 0
        func closing(_ mark: Character, from start: Int) -> Int? {
            var j = start
            while j < chars.count {
                if chars[j] == mark && (mark == "`" || chars[j - 1] != " ") { return j }
                if chars[j] == "\n" { return nil }
                j += 1
            }
            return nil
        }
        while i < chars.count {
            let ch = chars[i]
            let previousIsWord = i > 0 && (chars[i - 1].isLetter || chars[i - 1].isNumber)
            if ch == "`", let end = closing("`", from: i + 1), end > i + 1 {
                out += "<code>" + SVG.escape(String(chars[(i + 1)..<end])) + "</code>"
                i = end + 1
                continue
            }
            if ch == "*", !previousIsWord, i + 1 < chars.count, chars[i + 1] != " ", chars[i + 1] != "*",
               let end = closing("*", from: i + 2) {
                out += "<em>" + SVG.escape(String(chars[(i + 1)..<end])) + "</em>"
                i = end + 1
                continue
            }
            out += ch == "\n" ? "<br>\n" : SVG.escape(String(ch))
            i += 1
        }
        return out
    }

    /// A table as HTML; numeric columns right-aligned, as in the terminal.
    static func html(_ table: Table) -> String {
        let e = SVG.escape
        func cls(_ c: Int) -> String { table.isNumeric(c) ? " class=\"num\"" : "" }
        var out = "<table>"
        if let title = table.title { out += "<caption>\(e(title))</caption>" }
        out += "<thead><tr>" + table.header.indices.map { "<th\(cls($0))>\(e(table.header[$0]))</th>" }.joined()
        out += "</tr></thead><tbody>"
        for row in table.rows {
            out += "<tr>" + row.indices.map { "<td\(cls($0))>\(e(row[$0].text))</td>" }.joined() + "</tr>"
        }
        return out + "</tbody></table>"
    }

    static let style = """
        body{margin:0;background:#f6f6f3;color:#222;font:16px/1.55 system-ui,-apple-system,"Segoe UI",\
        "Noto Sans CJK SC","PingFang SC",sans-serif}
        main{max-width:860px;margin:0 auto;padding:24px 32px 64px;background:#fff}
        h1{font-size:1.7em;margin:.4em 0}
        h2.stage{margin-top:2em;padding:.4em .7em;border-left:6px solid #1f77b4;background:#eef4fa;font-size:1.25em}
        .meta{color:#666;font-size:.9em} .headline{font-weight:600;font-size:1.1em;color:#0b4f8a}
        div.scroll{max-width:100%;overflow-x:auto} pre.wide{font-size:11px;width:max-content;min-width:100%}
        pre{margin:0 0 1em;background:#f3f3f3;padding:10px 12px;overflow-x:auto;\
        font:13px/1.35 ui-monospace,Menlo,Consolas,monospace}
        table{border-collapse:collapse;margin:1em 0;font-variant-numeric:tabular-nums}
        caption{text-align:left;font-weight:600;padding-bottom:4px}
        th,td{padding:3px 12px;text-align:left} th{border-bottom:2px solid #444} td.num,th.num{text-align:right}
        tbody tr:nth-child(even){background:#f7f7f7}
        figure{margin:1.2em 0} figure svg{max-width:100%;height:auto;display:block}
        """

    /// Writes the page atomically: first to a temporary file beside `path`, then renamed over it,
    /// so a reader (or a crash) never sees half a report.
    public func write(to path: String) throws {
        try writeAtomically(html(), to: path)
    }
}

/// Why a report could not be written.
public struct ReportWriteError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
}

/// Writes `text` to a temporary file in the destination's folder, syncs it, then `rename(2)`s it
/// into place (the engine's `writeUserFileDurably`): a failed or interrupted write leaves the old
/// file, or none, and no temporary file behind.
func writeAtomically(_ text: String, to path: String) throws {
    do {
        try writeUserFileDurably(Array(text.utf8), to: path)
    } catch {
        throw ReportWriteError(path: path, reason: "\(error)")
    }
}
