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
