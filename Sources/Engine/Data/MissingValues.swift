// Missing values, the first chore of the seed's "cleaning the ingredients". A missing cell is stored
// as NaN (what the CSV loader writes for an empty cell). Tables are `[N, I]`: N rows, I features.

/// Where values are missing: `(row, column)` of every NaN in a `[N, I]` table, row by row.
public func findMissing(_ table: Tensor) -> [(row: Int, column: Int)] {
    precondition(table.rank == 2, "findMissing: expected a [N, I] table, got shape \(table.shape)")
    let features = table.shape[1]
    var found: [(row: Int, column: Int)] = []
    for (i, v) in table.scalars.enumerated() where v.isNaN { found.append((i / features, i % features)) }
    return found
}

/// How many values are missing in each column of a `[N, I]` table.
public func missingCountPerColumn(_ table: Tensor) -> [Int] {
    precondition(table.rank == 2, "missingCountPerColumn: expected a [N, I] table, got shape \(table.shape)")
    var counts = [Int](repeating: 0, count: table.shape[1])
    for cell in findMissing(table) { counts[cell.column] += 1 }
    return counts
}

/// How to fill a missing value: the column's mean, or its median (robust to outliers: one huge
/// value moves the mean but not the median).
public enum ImputeStrategy { case mean, median }

/// The value each column's gaps are filled with: mean or median of its present values (0 for a
/// column with none).
public func imputeValues(_ table: Tensor, strategy: ImputeStrategy) -> [Float] {
    columnValues(table).map { column in
        guard !column.isEmpty else { return 0 }
        switch strategy {
        case .mean: return Float(column.reduce(0, +) / Double(column.count))
        case .median: return Float(quantile(column.sorted(), 0.5))
        }
    }
}

/// Fills every NaN of a `[N, I]` table with its column's mean or median.
///
/// - Parameters:
///   - table: the table to fill.
///   - strategy: `.mean` or `.median`.
///   - fittedOn: where the fill values come from; pass the training split so that the validation
///     and test splits are filled with training statistics (no leakage). Defaults to `table`.
public func imputeMissing(_ table: Tensor, strategy: ImputeStrategy, fittedOn reference: Tensor? = nil) -> Tensor {
    let fill = imputeValues(reference ?? table, strategy: strategy)
    let features = fill.count
    precondition(table.shape.last == features, "imputeMissing: \(features) fill values for shape \(table.shape)")
    var values = table.scalars
    for i in values.indices where values[i].isNaN { values[i] = fill[i % features] }
    return Tensor(values, shape: table.shape)
}

/// Drops every row that has a missing input or target (`df.dropna()`), keeping inputs and targets
/// aligned. Returns the kept tables and the indices of the rows that were dropped.
public func dropRowsWithMissing(inputs: Tensor, targets: Tensor) -> (inputs: Tensor, targets: Tensor, dropped: [Int]) {
    let n = inputs.shape[0]
    precondition(targets.shape[0] == n, "dropRowsWithMissing: \(n) input rows but \(targets.shape[0]) target rows")
    let xRow = n == 0 ? 0 : inputs.count / n, yRow = n == 0 ? 0 : targets.count / n
    var kept: [Int] = [], dropped: [Int] = []
    for r in 0..<n {
        let bad = inputs.scalars[r * xRow..<(r + 1) * xRow].contains { $0.isNaN }
            || targets.scalars[r * yRow..<(r + 1) * yRow].contains { $0.isNaN }
        if bad { dropped.append(r) } else { kept.append(r) }
    }
    return (gatherRows(inputs, kept), gatherRows(targets, kept), dropped)
}

/// The q-quantile of sorted values by linear interpolation between neighbours (NumPy's default):
/// position `q·(n-1)`, e.g. the median of [1, 2, 3, 4] is 2.5.
func quantile(_ sorted: [Double], _ q: Double) -> Double {
    precondition(!sorted.isEmpty, "quantile: no values")
    let position = q * Double(sorted.count - 1)
    let below = Int(position.rounded(.down))
    let above = Swift.min(below + 1, sorted.count - 1)
    let fraction = position - Double(below)
    return sorted[below] + (sorted[above] - sorted[below]) * fraction
}
