// Outliers: spotting values far from the rest, and taming them. (Deliberate label noise, for
// the lessons' experiments, is in LessonKit: Data/LabelNoise.swift.)

/// How far from the bulk of a column a value may lie before it counts as an outlier.
public enum OutlierRule {
    /// Beyond `threshold` standard deviations from the column's mean: `|x - μ| / σ > threshold`
    /// (3 is usual). The outliers themselves inflate σ, so a few huge values can hide each other.
    case zScore(threshold: Double = 3)
    /// Outside `[Q1 - k·IQR, Q3 + k·IQR]`, IQR = Q3 - Q1 (Tukey's fences, k = 1.5 usual). Quartiles
    /// barely move when outliers are added, so this rule is robust.
    case iqr(k: Double = 1.5)
}

/// The inclusive range `[low, high]` that counts as normal for each column (last dimension), from
/// the present (non-NaN) values.
public func outlierBounds(_ table: Tensor, rule: OutlierRule) -> [(low: Float, high: Float)] {
    columnValues(table).map { column in
        guard !column.isEmpty else { return (-.infinity, .infinity) }
        switch rule {
        case .zScore(let threshold):
            let mean = column.reduce(0, +) / Double(column.count)
            let variance = column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(column.count)
            let spread = threshold * variance.squareRoot()
            return (Float(mean - spread), Float(mean + spread))
        case .iqr(let k):
            let sorted = column.sorted()
            let q1 = quantile(sorted, 0.25), q3 = quantile(sorted, 0.75)
            return (Float(q1 - k * (q3 - q1)), Float(q3 + k * (q3 - q1)))
        }
    }
}

/// Flags outliers: `true` where an element lies outside its column's bounds (NaN is not flagged).
/// The result has one flag per element, in the table's row-major order.
public func flagOutliers(_ table: Tensor, rule: OutlierRule) -> [Bool] {
    let bounds = outlierBounds(table, rule: rule)
    let features = bounds.count
    return table.scalars.enumerated().map { i, v in
        v < bounds[i % features].low || v > bounds[i % features].high
    }
}

/// Clips ("winsorises") every element into its column's bounds, keeping the row. Use bounds from
/// the training split for the other splits: `clipOutliers(test, bounds: outlierBounds(train, …))`.
public func clipOutliers(_ table: Tensor, rule: OutlierRule) -> Tensor {
    clipOutliers(table, bounds: outlierBounds(table, rule: rule))
}

/// Clips every element of feature f into `bounds[f]`.
public func clipOutliers(_ table: Tensor, bounds: [(low: Float, high: Float)]) -> Tensor {
    let features = bounds.count
    precondition(table.shape.last == features, "clipOutliers: \(features) bounds for shape \(table.shape)")
    var values = table.scalars
    for i in values.indices where !values[i].isNaN {
        values[i] = Swift.min(Swift.max(values[i], bounds[i % features].low), bounds[i % features].high)
    }
    return Tensor(values, shape: table.shape)
}
