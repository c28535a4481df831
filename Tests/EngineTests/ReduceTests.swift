// sum, mean, max, variance over everything or over chosen dimensions, with and without keepdim.
import Testing
import TestSupport
@testable import Engine

@Suite struct ReduceTests {
    /// [[1, 2, 3], [4, 5, 6]]
    func matrix(requiresGrad: Bool = false) -> Tensor {
        Tensor(rows: [[1, 2, 3], [4, 5, 6]], requiresGrad: requiresGrad)
    }

    @Test func sumAndMeanForward() {
        let x = matrix()
        #expect(x.sum().item == 21)
        #expect(x.sum().shape == [])
        #expect(x.sum(dim: 0).scalars == [5, 7, 9])
        #expect(x.sum(dim: 0).shape == [3])
        #expect(x.sum(dim: 1).scalars == [6, 15])
        #expect(x.sum(dim: -1, keepdim: true).shape == [2, 1])
        #expect(x.sum(dims: [0, 1]).shape == [])
        #expect(x.sum(dims: [0, 1], keepdim: true).shape == [1, 1])
        #expect(x.mean().item == 3.5)
        #expect(x.mean(dim: 0).scalars == [2.5, 3.5, 4.5])
        #expect(x.mean(dim: 1, keepdim: true).scalars == [2, 5])
        #expect(x.mean(dim: 1, keepdim: true).shape == [2, 1])
        let cube = Tensor((0..<24).map(Float.init), shape: [2, 3, 4])
        // Σ over b and k of (12b + 4j + k) = 32j + 60
        #expect(cube.sum(dims: [0, 2]).scalars == [60, 92, 124])
        #expect(cube.sum(dims: [2, 0]).scalars == [60, 92, 124])      // order of dims does not matter
    }

    /// sum() adds in eight lanes, then the lanes, then the tail: every count must land every element.
    @Test func sumCoversBlocksAndTails() {
        for n in [0, 1, 7, 8, 9, 16, 17, 100] {
            let x = Tensor((1...Swift.max(n, 1)).prefix(n).map(Float.init))
            #expect(x.sum().item == Float(n * (n + 1) / 2), "n = \(n)")
            #expect(Tensor(x.scalars, shape: [1, n]).sum(dim: 1).scalars == [Float(n * (n + 1) / 2)], "n = \(n)")
        }
        // a million tenths (exactly 100,000.0015 in the Float nearest 0.1): eight lanes drift far
        // less than one running Float sum does
        let tenths = Tensor.full([1_000_000], value: 0.1).sum().item
        let oneRunningSum = [Float](repeating: 0.1, count: 1_000_000).reduce(0, +)
        #expect(Swift.abs(tenths - 100_000) < 100)
        #expect(Swift.abs(tenths - 100_000) * 5 < Swift.abs(oneRunningSum - 100_000))
    }

    @Test func sumAndMeanGradients() {
        let x = matrix(requiresGrad: true)
        x.sum().backward()
        #expect(x.grad!.scalars == [1, 1, 1, 1, 1, 1])
        x.zeroGrad()
        (x.sum(dim: 0) * Tensor([1, 2, 3])).sum().backward()
        #expect(x.grad!.scalars == [1, 2, 3, 1, 2, 3])               // each column sum's weight, copied down
        x.zeroGrad()
        x.mean().backward()
        expectClose(x.grad!.scalars, [Float](repeating: 1.0 / 6, count: 6))
        x.zeroGrad()
        (x.mean(dim: 1) * Tensor([3, 6])).sum().backward()
        #expect(x.grad!.scalars == [1, 1, 1, 2, 2, 2])               // weight / 3 elements per row
        let c = randomTensor([2, 3, 4], seed: 50)
        expectGradCheck([c]) { $0[0].sum(dims: [0, 2]) }
        expectGradCheck([c]) { $0[0].sum(dim: 1, keepdim: true) }
        expectGradCheck([c]) { $0[0].mean(dims: [-1]) }
        expectGradCheck([c]) { $0[0].mean() }
    }

    @Test func varianceBiasedAndUnbiased() {
        let x = Tensor([1, 2, 3, 4])
        // mean 2.5, squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5
        expectClose(x.variance(unbiased: false).item, 1.25)            // 5 / n
        expectClose(x.variance(unbiased: true).item, 5.0 / 3)          // 5 / (n - 1), PyTorch's default
        expectClose(x.variance().item, 5.0 / 3)
        #expect(x.variance().shape == [])
        let m = matrix()
        expectClose(m.variance(dims: [1], unbiased: false).scalars, [2.0 / 3, 2.0 / 3])
        expectClose(m.variance(dims: [0], unbiased: true).scalars, [4.5, 4.5, 4.5])
        #expect(m.variance(dims: [1], keepdim: true).shape == [2, 1])
        let c = randomTensor([3, 4, 5], seed: 51)
        expectGradCheck([c]) { $0[0].variance(dims: [2], unbiased: false) }
        expectGradCheck([c]) { $0[0].variance(dims: [0, 2], unbiased: true, keepdim: true) }
        expectGradCheck([c]) { $0[0].variance(unbiased: true) }
    }

    @Test func varianceHandGradient() {
        // Biased: d var / dxᵢ = 2 (xᵢ - mean) / n  ->  2 · [-1.5, -0.5, 0.5, 1.5] / 4
        let x = Tensor([1, 2, 3, 4], requiresGrad: true)
        x.variance(unbiased: false).backward()
        expectClose(x.grad!.scalars, [-0.75, -0.25, 0.25, 0.75])
    }

    @Test func maxOfAll() {
        let x = Tensor([3, 7, 1, 5], requiresGrad: true)
        let m = x.max()
        #expect(m.item == 7)
        #expect(m.shape == [])
        m.backward()
        #expect(x.grad!.scalars == [0, 1, 0, 0])
        // Ties share the gradient equally, as PyTorch's full-reduction max does.
        let tied = Tensor([7, 2, 7, 7], requiresGrad: true)
        (tied.max() * 3).backward()
        #expect(tied.grad!.scalars == [1, 0, 1, 1])
        #expect(Tensor([1, .nan, 3]).max().item.isNaN)                 // NaN propagates
        #expect(Tensor([-5, -2, -9]).max().item == -2)
    }

    @Test func maxAlongADimension() {
        let x = Tensor(rows: [[1, 9, 3], [8, 2, 8]], requiresGrad: true)
        let (rows, rowIndices) = x.max(dim: 1)
        #expect(rows.scalars == [9, 8])
        #expect(rows.shape == [2])
        #expect(rowIndices == [1, 0])                                  // first index on a tie
        let (columns, columnIndices) = x.max(dim: 0, keepdim: true)
        #expect(columns.scalars == [8, 9, 8])
        #expect(columns.shape == [1, 3])
        #expect(columnIndices == [1, 0, 1])
        (rows * Tensor([10, 20])).sum().backward()
        #expect(x.grad!.scalars == [0, 10, 0, 20, 0, 0])               // to the position each max came from
        let c = randomTensor([3, 4, 5], seed: 52)                      // continuous values: no ties
        expectGradCheck([c]) { $0[0].max(dim: 1).values }
        expectGradCheck([c]) { $0[0].max(dim: -1, keepdim: true).values }
        expectGradCheck([c]) { $0[0].max() }
    }

    @Test func badDimensionNamesOpAndShape() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).sum(dim: 2)
        }
        expectStandardError(result, contains: "sum: dimension 2 is out of range for shape [2, 3]")
    }
}
