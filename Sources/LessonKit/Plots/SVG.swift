import Foundation

/// A few helpers to write SVG by hand. Charts are small, so plain strings are clearer than a DOM.
enum SVG {
    /// Escapes text for XML content and attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// A coordinate with at most 2 decimals (keeps files small and diffable).
    static func n(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.2f", rounded)
    }

    /// The opening tag of a chart: a fixed view box that scales to the page width.
    static func open(width: Int, height: Int, title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(width) \(height)\" " +
            "width=\"\(width)\" height=\"\(height)\" font-family=\"sans-serif\" font-size=\"12\" " +
            "role=\"img\" aria-label=\"\(escape(title))\">" +
            "<title>\(escape(title))</title>" +
            "<rect width=\"\(width)\" height=\"\(height)\" fill=\"#ffffff\"/>"
    }

    /// About how wide `s` is drawn at `size` px in a sans-serif font: a column is taken as 0.6 em
    /// (generous for Latin text, exact for a Chinese character, which is two columns, 1.2 em wide).
    static func textWidth(_ s: String, size: Double) -> Double { Double(displayWidth(s)) * size * 0.6 }

    /// A chart's title, centred, always inside a drawing `width` px wide: 14 px bold, smaller when
    /// long, and on several lines when still too long. Returns the markup and the y below it.
    static func title(_ s: String, width: Double) -> (markup: String, bottom: Double) {
        let room = width - 16
        var size = 14.0
        while size > 11 && textWidth(s, size: size) > room { size -= 1 }
        let columns = max(8, Int(room / (size * 0.6)))
        let lines = textWidth(s, size: size) > room ? wrap(s, width: columns) : [s]
        var markup = ""
        for (i, line) in lines.enumerated() {
            markup += text(line, x: width / 2, y: 20 + Double(i) * (size + 3), anchor: "middle",
                           size: Int(size), weight: "bold")
        }
        return (markup, 20 + Double(lines.count - 1) * (size + 3) + 8)
    }

    static func text(_ s: String, x: Double, y: Double, anchor: String = "start",
                     size: Int = 12, weight: String = "normal", fill: String = "#333333") -> String {
        "<text x=\"\(n(x))\" y=\"\(n(y))\" text-anchor=\"\(anchor)\" font-size=\"\(size)\"" +
            (weight == "normal" ? "" : " font-weight=\"\(weight)\"") +
            " fill=\"\(fill)\">\(escape(s))</text>"
    }

    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double,
                     stroke: String = "#333333", width: Double = 1) -> String {
        "<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" " +
            "stroke=\"\(stroke)\" stroke-width=\"\(n(width))\"/>"
    }

    static func rect(x: Double, y: Double, width: Double, height: Double, fill: String) -> String {
        "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(width))\" height=\"\(n(height))\" fill=\"\(fill)\"/>"
    }
}
