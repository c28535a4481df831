import Testing
import TestSupport
@testable import Engine

// `std` with correction, dims and keepdim against PyTorch 2.15 (Tests/scripts/make_std.py), its
// gradient by central differences, and PyTorch's zero gradient where the deviation is 0.
@Suite struct StdTests {
    @Test(arguments: 0..<8)
    func stdMatchesPyTorch(caseIndex: Int) throws {
        let file = try NNRef.load("std")
        let ref = file["cases"][caseIndex]
        let x = nnRefTensor(file["x"])
        x.requiresGrad = true
        let dims: [Int]? = ref["dims"].exists ? ref["dims"].ints : nil
        let correction = ref["correction"].double
        let keepdim = (ref["keepdim"].value as? Bool) ?? false
        let out = x.std(dims: dims, correction: correction, keepdim: keepdim)
        let name = "std(dims: \(String(describing: dims)), correction: \(correction), keepdim: \(keepdim))"
        #expect(out.shape == ref["shape"].ints, "\(name) shape")
        expectClose(out.scalars, reference: ref["out64"].doubles, "\(name) out")
        (out * NNRef.lossWeights(out.shape)).sum().backward()
        expectClose(x.grad!.scalars, reference: ref["grad64"].doubles, "\(name) grad")
    }

    @Test func stdPassesGradCheck() {
        let x = randomTensor([3, 4], seed: 21)
        let weights = randomTensor([3], seed: 22)
        expectGradCheck([x]) { ts in (ts[0].std(dim: 1, correction: 0) * weights).sum() }
        expectGradCheck([x]) { ts in ts[0].std() }
    }

    @Test func stdIsTheRootOfTheVariance() {
        let x = randomTensor([4, 6], seed: 23)
        expectClose(x.std(dim: 1).scalars, x.variance(dims: [1]).sqrt().scalars)
        expectClose(x.std(dims: [0], correction: 0).scalars, x.variance(dims: [0], unbiased: false).sqrt().scalars)
    }
}
