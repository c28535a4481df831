import Dispatch

// Small helpers shared by the benchmarks: timing and printing.

/// Seconds for one call of `body`: the median of `repetitions` measurements, each timing enough
/// back-to-back calls to last at least `minimumSeconds` (so the clock's resolution and one-off
/// hiccups of a noisy machine do not decide the figure).
func medianSeconds(repetitions: Int = 7, minimumSeconds: Double = 0.01, _ body: () -> Void) -> Double {
    body()   // warm up: page in buffers, wake the thread pool
    // Find how many calls fill `minimumSeconds`.
    var calls = 1
    while true {
        let t = secondsFor(calls, body)
        if t >= minimumSeconds || calls >= 1 << 20 { break }
        calls *= t > 0 ? max(2, min(16, Int(minimumSeconds / t) + 1)) : 16
    }
    let samples = (0..<repetitions).map { _ in secondsFor(calls, body) / Double(calls) }
    return samples.sorted()[repetitions / 2]
}

/// Wall-clock seconds for `calls` calls of `body`.
func secondsFor(_ calls: Int, _ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<calls { body() }
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// `value` with `digits` digits after the decimal point, right-aligned in `width` characters.
func formatted(_ value: Double, digits: Int = 1, width: Int = 8) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    var text = "\(rounded)"
    if let dot = text.firstIndex(of: ".") {
        let decimals = text.distance(from: dot, to: text.endIndex) - 1
        if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
        if digits == 0 { text.removeSubrange(dot...) }
    }
    return padded(text, width)
}

/// `text` right-aligned in `width` characters (negative width: left-aligned).
func padded(_ text: String, _ width: Int) -> String {
    let pad = String(repeating: " ", count: max(0, abs(width) - text.count))
    return width < 0 ? text + pad : pad + text
}

/// A JSON string literal (the benchmark's keys and labels need only `"` and `\` escaped).
func jsonString(_ s: String) -> String {
    var out = "\""
    for ch in s {
        if ch == "\"" || ch == "\\" { out.append("\\") }
        out.append(ch)
    }
    return out + "\""
}
