// Missing values (find, impute by mean or median, drop rows), outliers (z-score, IQR; flag and
// clip) and label noise.
import Testing
@testable import Engine

@Suite struct CleaningTests {
    let nan = Float.nan

    @Test func findAndImputeMissing() {
        let table = Tensor(rows: [[1, nan], [2, 4], [nan, 5], [100, 6]])
        #expect(findMissing(table).map { [$0.row, $0.column] } == [[0, 1], [2, 0]])
        #expect(missingCountPerColumn(table) == [1, 1])
        // mean of [1, 2, 100] = 34.33…, median = 2: the median ignores the outlier
        let byMean = imputeMissing(table, strategy: .mean)
        #expect(Swift.abs(byMean[2, 0] - 34.3333) < 1e-3 && byMean[0, 1] == 5)
        let byMedian = imputeMissing(table, strategy: .median)
        #expect(byMedian[2, 0] == 2 && byMedian[0, 1] == 5)
        // Validation data filled with the training split's statistics
        let validation = Tensor(rows: [[nan, nan]])
        #expect(imputeMissing(validation, strategy: .median, fittedOn: table).scalars == [2, 5])
    }

    @Test func dropRowsWithMissingKeepsInputsAndTargetsAligned() {
        let x = Tensor(rows: [[1, 2], [nan, 3], [4, 5], [6, 7]])
        let y = Tensor([10, 20, nan, 40], shape: [4, 1])
        let (kx, ky, dropped) = dropRowsWithMissing(inputs: x, targets: y)
        #expect(dropped == [1, 2])
        #expect(kx.scalars == [1, 2, 6, 7] && ky.scalars == [10, 40])
    }

    @Test func outliersByZScoreAndIQR() {
        // 19 ordinary values and one far away
        let values: [Float] = (0..<19).map { Float($0 % 5) } + [50]
        let column = Tensor(values, shape: [20, 1])
        let zFlags = flagOutliers(column, rule: .zScore(threshold: 3))
        #expect(zFlags.enumerated().filter(\.element).map(\.offset) == [19])
        let iqrFlags = flagOutliers(column, rule: .iqr(k: 1.5))
        #expect(iqrFlags.enumerated().filter(\.element).map(\.offset) == [19])
        // Quartiles of the sorted values: Q1 = 1, Q3 = 3, so the fences are -2 and 6.
        let bounds = outlierBounds(column, rule: .iqr())
        #expect(bounds[0].low == -2 && bounds[0].high == 6)
        let clipped = clipOutliers(column, rule: .iqr())
        #expect(clipped.scalars[19] == 6 && Array(clipped.scalars[0..<19]) == Array(values[0..<19]))
    }
}
