// Checking the numbers read back from a saved state (a checkpoint's metadata) before anything uses
// them. A file can hold any text: "nan", "inf", "1e300", "-3". `Int(Double)` traps on the first
// three, and a NaN learning rate or a negative step count would be accepted silently and ruin the
// run later, far from its cause. So each number is checked by what it means:
//
//     count    a step or epoch counter, a flag: finite, whole, 0 ... 2^53 (exact in a Double)
//     rate     a learning rate, a decay, an epsilon, a factor: finite and not negative
//     finite   any other setting: finite
//     bound    a best-so-far metric: any value but NaN (it starts at +inf or -inf)

/// Why a saved number cannot be used.
public enum NumberProblem: Equatable, Sendable {
    case notANumber
    case notFinite
    case notIntegral
    case outOfRange(String)

    public var code: String {
        switch self {
        case .notANumber: return "not-a-number"
        case .notFinite: return "not-finite"
        case .notIntegral: return "not-integral"
        case .outOfRange: return "out-of-range"
        }
    }
}

/// What a saved number stands for, which decides how it is checked (see the top of this file).
public enum NumberMeaning: Sendable {
    case count, rate, finite, bound
}

/// The largest count accepted: 2^53, the last integer a Double holds exactly.
let maxSavedCount = 1 << 53

/// `x` as a count: finite, whole, in 0 ... 2^53. Never traps, whatever `x` is.
/// - Throws: `CheckpointError` with `.invalidNumber` naming `name`.
public func validCount(_ x: Double, name: String, file: String) throws -> Int {
    func fail(_ problem: NumberProblem) -> CheckpointError {
        CheckpointError(file: file, kind: .invalidNumber(key: name, text: "\(x)", problem: problem))
    }
    guard x.isFinite else { throw fail(x.isNaN ? .notANumber : .notFinite) }
    guard x == x.rounded(.towardZero) else { throw fail(.notIntegral) }
    guard x >= 0 && x <= Double(maxSavedCount) else { throw fail(.outOfRange("0 ... 2^53")) }
    return Int(x)                       // safe: whole and within Int's range
}

/// `x` as a rate (learning rate, decay, epsilon): finite and not negative.
public func validRate(_ x: Double, name: String, file: String) throws -> Double {
    let value = try validFinite(x, name: name, file: file)
    guard value >= 0 else {
        throw CheckpointError(file: file, kind: .invalidNumber(key: name, text: "\(x)", problem: .outOfRange(">= 0")))
    }
    return value
}

/// `x` if it is finite.
public func validFinite(_ x: Double, name: String, file: String) throws -> Double {
    guard x.isFinite else {
        throw CheckpointError(file: file, kind: .invalidNumber(key: name, text: "\(x)",
                                                               problem: x.isNaN ? .notANumber : .notFinite))
    }
    return x
}

/// `x` if it is not NaN (±infinity allowed: a best-so-far that has seen nothing yet).
public func validBound(_ x: Double, name: String, file: String) throws -> Double {
    guard !x.isNaN else {
        throw CheckpointError(file: file, kind: .invalidNumber(key: name, text: "\(x)", problem: .notANumber))
    }
    return x
}

/// Checks `x` by its meaning; returns it unchanged (a count as a whole Double).
public func validNumber(_ x: Double, meaning: NumberMeaning, name: String, file: String) throws -> Double {
    switch meaning {
    case .count: return Double(try validCount(x, name: name, file: file))
    case .rate: return try validRate(x, name: name, file: file)
    case .finite: return try validFinite(x, name: name, file: file)
    case .bound: return try validBound(x, name: name, file: file)
    }
}

/// What each number an optimizer or scheduler saves means, read from their `stateDict()`s and
/// `loadStateDict`s in Optim/ (the one place this list lives; keep it beside any new key):
///
///     optimizer  "<i>.step" (Adam, AdamW: Int per parameter)          count
///                "nesterov", "decoupled_weight_decay" (0 or 1)       count
///                "lr", "weight_decay", "eps", "beta1", "beta2",
///                "momentum", "dampening"                              rate
///     scheduler  "last_epoch" (every scheduler), "num_bad_epochs",
///                "cooldown_counter", "patience", "cooldown"           count
///                "best" (ReduceLROnPlateau: starts at ±inf)           bound
///                "factor", "threshold", "min_lr", "eps"               rate
///
/// Anything else must be finite.
public enum SavedStateKeys {
    static let optimizerCounts: Set<String> = ["nesterov", "decoupled_weight_decay"]
    static let optimizerRates: Set<String> = ["lr", "weight_decay", "eps", "beta1", "beta2", "momentum", "dampening"]
    static let schedulerCounts: Set<String> = ["last_epoch", "num_bad_epochs", "cooldown_counter",
                                               "patience", "cooldown"]
    static let schedulerBounds: Set<String> = ["best"]
    static let schedulerRates: Set<String> = ["factor", "threshold", "min_lr", "eps"]

    /// The meaning of the optimizer's number `key` (without the `optimizer.` prefix).
    public static func optimizerMeaning(_ key: String) -> NumberMeaning {
        if key.hasSuffix(".step") || optimizerCounts.contains(key) { return .count }
        return optimizerRates.contains(key) ? .rate : .finite
    }

    /// The meaning of the scheduler's number `key` (without the `scheduler.` prefix).
    public static func schedulerMeaning(_ key: String) -> NumberMeaning {
        if schedulerCounts.contains(key) { return .count }
        if schedulerBounds.contains(key) { return .bound }
        return schedulerRates.contains(key) ? .rate : .finite
    }
}
