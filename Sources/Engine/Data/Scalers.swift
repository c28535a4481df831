// Feature scaling, fitted on the training split only.
//
// Why only the training split: the validation and test sets stand in for data the model has never
// seen. If their values help choose the mean and scale, information about them leaks into the
// training inputs, and the scores measured on them come out better than they will be on new data.
// Fit on `train`, then transform `train`, `validation` and `test` with those same numbers.

/// Per-feature statistics of a tensor whose last dimension is the feature (`[N, I]`, `[N, T, I]`, …),
/// computed in Double over every row, skipping NaN (missing) values.
func columnValues(_ x: Tensor) -> [[Double]] {
    let features = x.shape.last ?? 1
    var columns = [[Double]](repeating: [], count: features)
    x.scalars.withUnsafeBufferPointer { v in
        for i in 0..<v.count where !v[i].isNaN { columns[i % features].append(Double(v[i])) }
    }
    return columns
}

/// Applies `(x - shift[f]) / scale[f]` to every element of feature f (the last dimension).
func affineColumns(_ x: Tensor, shift: [Float], scale: [Float]) -> Tensor {
    let features = shift.count
    precondition(x.shape.last == features, "scaler: fitted on \(features) features, got shape \(x.shape)")
    var values = x.scalars
    values.withUnsafeMutableBufferPointer { v in
        for i in 0..<v.count { v[i] = (v[i] - shift[i % features]) / scale[i % features] }
    }
    return Tensor(values, shape: x.shape)
}

/// Undoes `affineColumns`: `z·scale[f] + shift[f]`.
func inverseAffineColumns(_ z: Tensor, shift: [Float], scale: [Float]) -> Tensor {
    let features = shift.count
    precondition(z.shape.last == features, "scaler: fitted on \(features) features, got shape \(z.shape)")
    var values = z.scalars
    values.withUnsafeMutableBufferPointer { v in
        for i in 0..<v.count { v[i] = v[i] * scale[i % features] + shift[i % features] }
    }
    return Tensor(values, shape: z.shape)
}

/// Standardisation (`sklearn.preprocessing.StandardScaler`): each feature to mean 0 and std 1.
///
///     z = (x - μ) / σ        μ, σ per feature, from the training split (σ with divisor N)
///
/// A feature with σ = 0 is only centred (σ is taken as 1), so nothing is divided by zero.
public struct StandardScaler {
    public private(set) var mean: [Float] = []
    public private(set) var std: [Float] = []

    public init() {}

    /// Learns μ and σ of each feature (last dimension) of `x`, ignoring NaN.
    public mutating func fit(_ x: Tensor) {
        let columns = columnValues(x)
        mean = columns.map { c in Float(c.isEmpty ? 0 : c.reduce(0, +) / Double(c.count)) }
        std = zip(columns, mean).map { c, m in
            let variance = c.isEmpty ? 0 : c.reduce(0) { $0 + (($1 - Double(m)) * ($1 - Double(m))) } / Double(c.count)
            let s = Float(variance.squareRoot())
            return s > 0 ? s : 1
        }
    }

    /// `(x - μ) / σ` with the fitted numbers.
    public func transform(_ x: Tensor) -> Tensor {
        precondition(!mean.isEmpty, "StandardScaler: call fit(_:) on the training split first")
        return affineColumns(x, shift: mean, scale: std)
    }

    /// Fits on `x` and transforms it: use on the training split only.
    public mutating func fitTransform(_ x: Tensor) -> Tensor { fit(x); return transform(x) }

    /// `z·σ + μ`: back to the original units (e.g. to read predictions).
    public func inverseTransform(_ z: Tensor) -> Tensor {
        inverseAffineColumns(z, shift: mean, scale: std)
    }
}

/// Min-max scaling (`sklearn.preprocessing.MinMaxScaler`): each feature to the range [0, 1].
///
///     x' = (x - min) / (max - min)     min, max per feature, from the training split
///
/// New data can fall outside [0, 1] when it exceeds the training range; that is expected.
public struct MinMaxScaler {
    public private(set) var minimum: [Float] = []
    public private(set) var maximum: [Float] = []

    public init() {}

    /// Learns each feature's minimum and maximum, ignoring NaN.
    public mutating func fit(_ x: Tensor) {
        let columns = columnValues(x)
        minimum = columns.map { Float($0.min() ?? 0) }
        maximum = columns.map { Float($0.max() ?? 0) }
    }

    var range: [Float] { zip(minimum, maximum).map { $1 > $0 ? $1 - $0 : 1 } }

    /// `(x - min) / (max - min)` with the fitted numbers (a constant feature is only shifted).
    public func transform(_ x: Tensor) -> Tensor {
        precondition(!minimum.isEmpty, "MinMaxScaler: call fit(_:) on the training split first")
        return affineColumns(x, shift: minimum, scale: range)
    }

    public mutating func fitTransform(_ x: Tensor) -> Tensor { fit(x); return transform(x) }

    /// `x'·(max - min) + min`.
    public func inverseTransform(_ z: Tensor) -> Tensor {
        inverseAffineColumns(z, shift: minimum, scale: range)
    }
}
