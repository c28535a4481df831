import Dispatch
import Foundation

// Small helpers shared by the benchmarks: timing and printing.

/// Seconds for one call of `body`: the median of `repetitions` measurements, each timing enough
/// back-to-back calls to last at least `minimumSeconds` (so the clock's resolution and one-off
/// hiccups of a noisy machine do not decide the figure).
func medianSeconds(repetitions: Int = 7, minimumSeconds: Double = 0.01, allowCPU: Bool = true,
                   _ body: () -> Void) -> Double {
    body()   // warm up: page in buffers, wake the thread pool
    // Find how many calls fill `minimumSeconds`.
    var calls = 1
    while true {
        let t = secondsFor(calls, allowCPU: allowCPU, body)
        if t >= minimumSeconds || calls >= 1 << 20 { break }
        calls *= t > 0 ? max(2, min(16, Int(minimumSeconds / t) + 1)) : 16
    }
    let samples = (0..<repetitions).map { _ in secondsFor(calls, allowCPU: allowCPU, body) / Double(calls) }
    return samples.sorted()[repetitions / 2]
}

/// Which clock the benchmark reads: the wall clock (the default: what a user waits), or with
/// `--clock cpu` this thread's CPU time, which a machine busy with other programs inflates much
/// less (a thread that waits for a core is not charged for the wait). CPU time means nothing for
/// work handed to other threads, so two-thread figures are wall-clock always.
nonisolated(unsafe) var useThreadCPUClock = false

/// Nanoseconds on the benchmark's clock (see `useThreadCPUClock`).
func clockNanoseconds(allowCPU: Bool = true) -> UInt64 {
    guard useThreadCPUClock && allowCPU else { return DispatchTime.now().uptimeNanoseconds }
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
}

/// Seconds for `calls` calls of `body`, on the benchmark's clock.
func secondsFor(_ calls: Int, allowCPU: Bool = true, _ body: () -> Void) -> Double {
    let start = clockNanoseconds(allowCPU: allowCPU)
    for _ in 0..<calls { body() }
    return Double(clockNanoseconds(allowCPU: allowCPU) - start) / 1e9
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

/// The process's peak resident memory so far, in megabytes (`getrusage`'s `ru_maxrss`: kilobytes on
/// Linux, bytes on macOS).
func peakMemoryMegabytes() -> Double {
    var usage = rusage()
    #if os(Linux)
    getrusage(RUSAGE_SELF.rawValue, &usage)   // Glibc imports the constant as an enum case
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    #if os(macOS)
    return Double(usage.ru_maxrss) / 1_048_576
    #else
    return Double(usage.ru_maxrss) / 1024
    #endif
}
