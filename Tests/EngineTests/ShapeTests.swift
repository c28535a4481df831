// reshape / view / flatten / squeeze / unsqueeze, permute / transpose, narrow, cat, stack:
// values moved by hand, gradients moved back, and the messages of impossible requests.
import Testing
import TestSupport
@testable import Engine

@Suite struct ShapeTests {
    let x = Tensor((0..<6).map(Float.init), shape: [2, 3])       // [[0, 1, 2], [3, 4, 5]]

    @Test func reshapeViewFlatten() {
        #expect(x.reshape([3, 2]).shape == [3, 2])
        #expect(x.reshape([3, 2]).scalars == x.scalars)             // same row-major order
        #expect(x.reshape([-1]).shape == [6])
        #expect(x.reshape([3, -1]).shape == [3, 2])
        #expect(x.view([1, 6]).shape == [1, 6])
        let c = Tensor.zeros([2, 3, 4, 5])
        #expect(c.flatten().shape == [120])
        #expect(c.flatten(startDim: 1).shape == [2, 60])
        #expect(c.flatten(startDim: 1, endDim: 2).shape == [2, 12, 5])
        #expect(Tensor(scalar: 3).flatten().shape == [1])
        #expect(x.unsqueeze(0).shape == [1, 2, 3])
        #expect(x.unsqueeze(-1).shape == [2, 3, 1])
        #expect(x.unsqueeze(1).squeeze(1).shape == [2, 3])
        #expect(x.squeeze(0).shape == [2, 3])                        // not size 1: unchanged, as PyTorch
    }

    @Test func reshapeGradient() {
        let a = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3], requiresGrad: true)
        (a.reshape([3, 2]) * Tensor(rows: [[1, 2], [3, 4], [5, 6]])).sum().backward()
        #expect(a.grad!.shape == [2, 3])
        #expect(a.grad!.scalars == [1, 2, 3, 4, 5, 6])
        expectGradCheck([randomTensor([2, 3, 4], seed: 60)]) {
            $0[0].reshape([4, -1]).flatten().unsqueeze(0).view([6, 4])
        }
        expectGradCheck([randomTensor([2, 1, 4], seed: 69)]) { $0[0].squeeze(1).unsqueeze(-1).flatten(startDim: 1) }
    }

    @Test func permuteAndTranspose() {
        #expect(x.T.shape == [3, 2])
        #expect(x.T.scalars == [0, 3, 1, 4, 2, 5])
        #expect(x.transpose(0, 1).scalars == [0, 3, 1, 4, 2, 5])
        let c = Tensor((0..<24).map(Float.init), shape: [2, 3, 4])
        let p = c.permute([2, 0, 1])                                  // p[k, i, j] = c[i, j, k]
        #expect(p.shape == [4, 2, 3])
        for i in 0..<2 { for j in 0..<3 { for k in 0..<4 { #expect(p[k, i, j] == c[i, j, k]) } } }
        #expect(c.transpose(-1, -2).shape == [2, 4, 3])
        #expect(c.transpose(1, 2)[1, 3, 2] == c[1, 2, 3])
        #expect(c.permute([0, 1, 2]).scalars == c.scalars)
        expectGradCheck([randomTensor([2, 3, 4], seed: 61)]) { $0[0].permute([2, 0, 1]) }
        expectGradCheck([randomTensor([2, 3, 4], seed: 62)]) { $0[0].transpose(0, 2) }
    }

    @Test func narrowForwardAndBackward() {
        let m = Tensor((0..<12).map(Float.init), shape: [3, 4], requiresGrad: true)
        let columns = m.narrow(dim: 1, start: 1, length: 2)
        #expect(columns.shape == [3, 2])
        #expect(columns.scalars == [1, 2, 5, 6, 9, 10])
        let rows = m.narrow(dim: 0, start: 2, length: 1)
        #expect(rows.scalars == [8, 9, 10, 11])
        (columns * Tensor(rows: [[1, 2], [3, 4], [5, 6]])).sum().backward()
        #expect(m.grad!.scalars == [0, 1, 2, 0, 0, 3, 4, 0, 0, 5, 6, 0])   // zeros outside the window
        #expect(m.narrow(dim: -1, start: 0, length: 0).shape == [3, 0])
        expectGradCheck([randomTensor([2, 5, 3], seed: 63)]) { $0[0].narrow(dim: 1, start: 1, length: 3) }
    }

    @Test func catForwardAndBackward() {
        let a = Tensor(rows: [[1, 2], [3, 4]], requiresGrad: true)
        let b = Tensor(rows: [[5, 6]], requiresGrad: true)
        let c = Tensor(rows: [[7], [8]], requiresGrad: true)
        let rows = Tensor.cat([a, b], dim: 0)
        #expect(rows.shape == [3, 2])
        #expect(rows.scalars == [1, 2, 3, 4, 5, 6])
        let columns = Tensor.cat([a, c], dim: 1)
        #expect(columns.shape == [2, 3])
        #expect(columns.scalars == [1, 2, 7, 3, 4, 8])
        #expect(Tensor.cat([a, c], dim: -1).scalars == columns.scalars)
        (columns * Tensor(rows: [[1, 2, 3], [4, 5, 6]])).sum().backward()
        #expect(a.grad!.scalars == [1, 2, 4, 5])                     // each input gets its own slice back
        #expect(c.grad!.scalars == [3, 6])
        #expect(c.grad!.shape == [2, 1])
        let p = randomTensor([2, 3, 4], seed: 64), q = randomTensor([2, 1, 4], seed: 65)
        let r = randomTensor([2, 2, 4], seed: 66)
        expectGradCheck([p, q, r]) { Tensor.cat($0, dim: 1) }
        expectGradCheck([p, p.detach()]) { Tensor.cat($0, dim: 2) }
    }

    @Test func catOfTheSameTensorTwiceAddsBothGradients() {
        let a = Tensor([1, 2], requiresGrad: true)
        (Tensor.cat([a, a]) * Tensor([1, 2, 3, 4])).sum().backward()
        #expect(a.grad!.scalars == [4, 6])
    }

    @Test func stack() {
        let a = Tensor([1, 2, 3]), b = Tensor([4, 5, 6])
        let s0 = Tensor.stack([a, b])
        #expect(s0.shape == [2, 3])
        #expect(s0.scalars == [1, 2, 3, 4, 5, 6])
        let s1 = Tensor.stack([a, b], dim: 1)
        #expect(s1.shape == [3, 2])
        #expect(s1.scalars == [1, 4, 2, 5, 3, 6])
        #expect(Tensor.stack([a, b], dim: -1).scalars == s1.scalars)
        expectGradCheck([randomTensor([2, 3], seed: 67), randomTensor([2, 3], seed: 68)]) { Tensor.stack($0, dim: 1) }
    }

    @Test func sizeRankCount() {
        #expect(x.rank == 2)
        #expect(x.count == 6)
        #expect(x.size(-1) == 3)
        #expect(x.size(0) == 2)
    }

    // MARK: Messages

    @Test func reshapeMismatchMessage() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).reshape([4, 2])
        }
        expectStandardError(result, contains: "reshape: cannot reshape [2, 3] (6 elements) into [4, 2]")
    }

    @Test func catMismatchMessage() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.cat([Tensor.zeros([2, 3]), Tensor.zeros([2, 4])], dim: 0)
        }
        expectStandardError(result, contains: "cat: shapes [2, 3] and [2, 4] differ outside dimension 0")
    }

    @Test func permuteAndStackMessages() async {
        let permute = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3, 4]).permute([0, 0, 1])
        }
        expectStandardError(permute,
                            contains: "permute: [0, 0, 1] is not a permutation of the 3 dimensions of [2, 3, 4]")
        let stack = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.stack([Tensor.zeros([2, 3]), Tensor.zeros([3, 2])])
        }
        expectStandardError(stack, contains: "stack: shapes [2, 3] and [3, 2] differ")
    }

    @Test func narrowOutOfBoundsMessage() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).narrow(dim: 1, start: 2, length: 2)
        }
        expectStandardError(result, contains: "narrow: range 2..<4 is out of bounds for dimension 1 of shape [2, 3]")
    }
}
