import Foundation

// One run proves little. Train the same model twice with two different random seeds (a different
// initialisation, a different shuffle, different dropout masks) and the final loss differs: that
// difference is *seed noise*. A lesson that compares two settings therefore runs each on several
// seeds, the same seeds for both, and calls a difference an effect only when it clearly exceeds
// what the seeds alone produce.
//
// The test used here is the paired t-test a statistics course teaches first: for every seed i take
// the difference d_i = a_i − b_i of the two settings' measurements, then ask whether the mean of
// the d_i is further from zero than t·s/√n (s the standard deviation of the d_i, n the number of
// seeds, t Student's 97.5 % quantile for n − 1 degrees of freedom). Pairing by seed removes the
// part of the noise both settings share (the same data split, the same first batch).

/// A quantity measured once per seed: `0.0123 ± 0.0021` (mean ± sample standard deviation).
public struct SeedSample: Codable, Equatable, Sendable {
    /// One measurement per seed, in seed order.
    public let values: [Double]

    public init(_ values: [Double]) { self.values = values }
    public init(_ values: [Float]) { self.values = values.map(Double.init) }

    public var count: Int { values.count }
    /// Every value finite (no run diverged to NaN or infinity).
    public var isFinite: Bool { values.allSatisfy(\.isFinite) }
    /// The mean over seeds.
    public var mean: Double { values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count) }
    /// The sample standard deviation over seeds (n − 1 in the denominator); 0 for a single seed.
    public var spread: Double { standardDeviation(values) }
    /// The smallest and the largest value.
    public var range: ClosedRange<Double>? {
        guard let lo = values.min(), let hi = values.max() else { return nil }
        return lo...hi
    }
}

/// The sample standard deviation (n − 1 in the denominator), 0 when there are fewer than two values.
public func standardDeviation(_ values: [Double]) -> Double {
    guard values.count > 1 else { return 0 }
    let mean = values.reduce(0, +) / Double(values.count)
    let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
    return (squares / Double(values.count - 1)).squareRoot()
}

/// Student's t quantile t(0.975, df): a 95 % two-sided interval is mean ± t·s/√n.
///
/// Exact to three decimals for 1–30 degrees of freedom (the usual printed table), then the normal
/// quantile 1.96, which it approaches.
public func studentT975(degreesOfFreedom df: Int) -> Double {
    let table: [Double] = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                           2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                           2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]
    guard df >= 1 else { return .infinity }
    return df <= table.count ? table[df - 1] : 1.96
}

/// What a comparison of two settings over the same seeds shows.
public enum Verdict: String, Codable, Sendable, CaseIterable {
    /// The first setting's measurement is lower, by more than the seed noise.
    case lower
    /// The first setting's measurement is higher, by more than the seed noise.
    case higher
    /// The difference is inside the seed-to-seed noise: no measurable difference at this budget.
    case noMeasurableDifference
    /// At least one run of either setting ended non-finite (or above the divergence limit).
    case diverged
    /// Fewer than two seeds: there is no spread to judge a difference by.
    case tooFewSeeds
}

/// Two settings measured on the same seeds, `a` against `b`, and what the difference shows.
public struct Comparison: Codable, Equatable, Sendable {
    public let a: SeedSample
    public let b: SeedSample
    /// Runs whose measurement exceeds this count as diverged (e.g. a loss far above its start).
    public let divergenceLimit: Double?

    public init(_ a: SeedSample, _ b: SeedSample, divergenceLimit: Double? = nil) {
        precondition(a.count == b.count, "Comparison: \(a.count) and \(b.count) seeds: pair them seed by seed")
        self.a = a
        self.b = b
        self.divergenceLimit = divergenceLimit
    }

    /// The per-seed differences a_i − b_i.
    public var differences: [Double] { zip(a.values, b.values).map { $0 - $1 } }
    /// The mean of the differences (= mean(a) − mean(b)).
    public var meanDifference: Double { SeedSample(differences).mean }
    /// Half the width of the 95 % interval of the mean difference: t·s/√n.
    public var noiseBand: Double {
        let n = differences.count
        guard n > 1 else { return .infinity }
        return studentT975(degreesOfFreedom: n - 1) * standardDeviation(differences) / Double(n).squareRoot()
    }

    /// Whether a run diverged: non-finite, or above `divergenceLimit`.
    public var diverged: Bool {
        let all = a.values + b.values
        return !all.allSatisfy(\.isFinite) || (divergenceLimit.map { limit in all.contains { $0 > limit } } ?? false)
    }

    public var verdict: Verdict {
        if diverged { return .diverged }
        if a.count < 2 { return .tooFewSeeds }
        let d = meanDifference
        // An effect only when the whole interval lies on one side of zero, and the difference is
        // not zero to the float's own precision (identical runs give s = 0 and d = 0).
        guard abs(d) > noiseBand, d != 0 else { return .noMeasurableDifference }
        return d < 0 ? .lower : .higher
    }
}
