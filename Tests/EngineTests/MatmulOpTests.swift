// matmul (2-D, 3-D x 2-D, 3-D x 3-D) and the fused linear: values by hand, agreement between the
// shapes and with the plain-loop kernel, gradients, and the shape-mismatch messages.
import Testing
import TestSupport
@testable import Engine

@Suite struct MatmulOpTests {
    @Test func twoByTwo() {
        let a = Tensor(rows: [[1, 2], [3, 4]]), b = Tensor(rows: [[5, 6], [7, 8]])
        let c = a.matmul(b)
        #expect(c.shape == [2, 2])
        #expect(c.scalars == [19, 22, 43, 50])
        let r = Tensor(rows: [[1, 2, 3]]).matmul(Tensor(rows: [[1], [0], [2]]))   // [1, 3] x [3, 1]
        #expect(r.scalars == [7])
    }

    @Test func handGradients() {
        // C = A·B:  dA = dC·Bᵀ,  dB = Aᵀ·dC; with dC all ones: dA[i,k] = Σ_j B[k,j], dB[k,j] = Σ_i A[i,k]
        let a = Tensor(rows: [[1, 2], [3, 4]], requiresGrad: true)
        let b = Tensor(rows: [[5, 6], [7, 8]], requiresGrad: true)
        a.matmul(b).sum().backward()
        #expect(a.grad!.scalars == [11, 15, 11, 15])
        #expect(b.grad!.scalars == [4, 4, 6, 6])
    }

    @Test func batchedShapesAgreeWithTwoD() {
        let a = randomTensor([3, 4, 5], seed: 70)
        let w = randomTensor([5, 2], seed: 71)
        let b = randomTensor([3, 5, 2], seed: 72)
        let aw = a.matmul(w), ab = a.matmul(b)
        #expect(aw.shape == [3, 4, 2])
        #expect(ab.shape == [3, 4, 2])
        for t in 0..<3 {
            let at = a.narrow(dim: 0, start: t, length: 1).reshape([4, 5])
            let bt = b.narrow(dim: 0, start: t, length: 1).reshape([5, 2])
            expectClose(aw.narrow(dim: 0, start: t, length: 1).scalars, at.matmul(w).scalars)
            expectClose(ab.narrow(dim: 0, start: t, length: 1).scalars, at.matmul(bt).scalars)
        }
    }

    @Test func gradChecks() {
        let a = randomTensor([3, 4], seed: 73), b = randomTensor([4, 2], seed: 74)
        let a3 = randomTensor([2, 3, 4], seed: 75), b3 = randomTensor([2, 4, 5], seed: 76)
        expectGradCheck([a, b]) { $0[0].matmul($0[1]) }
        expectGradCheck([a3, b]) { $0[0].matmul($0[1]) }              // dB sums over the batch
        expectGradCheck([a3, b3]) { $0[0].matmul($0[1]) }
        expectGradCheck([a, a.detach()]) { $0[0].matmul($0[1].T) }
    }

    @Test func linearEqualsMatmulPlusBias() {
        let x = randomTensor([2, 3, 4], seed: 77), w = randomTensor([5, 4], seed: 78), b = randomTensor([5], seed: 79)
        let fused = Tensor.linear(x, weight: w, bias: b)
        #expect(fused.shape == [2, 3, 5])
        expectClose(fused.scalars, (x.matmul(w.T) + b).scalars)
        expectClose(Tensor.linear(x, weight: w, bias: nil).scalars, x.matmul(w.T).scalars)
        // hand: [1, 2] · [[1, 0], [0, 1], [1, 1]]ᵀ + [0, 10, 100] = [1, 12, 103]
        let y = Tensor.linear(Tensor([1, 2]), weight: Tensor(rows: [[1, 0], [0, 1], [1, 1]]),
                             bias: Tensor([0, 10, 100]))
        #expect(y.scalars == [1, 12, 103])
        #expect(y.shape == [3])
        expectGradCheck([x, w, b]) { Tensor.linear($0[0], weight: $0[1], bias: $0[2]) }
        expectGradCheck([x, w]) { Tensor.linear($0[0], weight: $0[1], bias: nil) }
        // The fused op against its unfused form, gradient for gradient.
        func grads(_ f: (Tensor, Tensor, Tensor) -> Tensor) -> [[Float]] {
            let (x2, w2, b2) = (x.copy(), w.copy(), b.copy())
            for t in [x2, w2, b2] { t.requiresGrad = true }
            referenceLoss([f(x2, w2, b2)]).backward()
            return [x2, w2, b2].map { $0.grad!.scalars }
        }
        let fusedGrads = grads { Tensor.linear($0, weight: $1, bias: $2) }
        let plainGrads = grads { $0.matmul($1.T) + $2 }
        for (f, p) in zip(fusedGrads, plainGrads) { expectClose(f, p) }
    }

    /// The fast kernel against the plain three-loop reference, on every transpose form and with
    /// accumulation, for shapes that are not multiples of any block size.
    @Test func fastKernelAgreesWithNaive() {
        var g = Generator(seed: 80)
        for (m, k, n) in [(1, 1, 1), (3, 5, 7), (17, 9, 33), (64, 32, 16)] {
            for transA in [false, true] {
                for transB in [false, true] {
                    for accumulate in [false, true] {
                        let a = Tensor.randn([m * k], generator: &g).scalars
                        let b = Tensor.randn([k * n], generator: &g).scalars
                        let start = Tensor.randn([m * n], generator: &g).scalars
                        var fast = start, naive = start
                        a.withUnsafeBufferPointer { a in
                            b.withUnsafeBufferPointer { b in
                                fast.withUnsafeMutableBufferPointer { c in
                                    matmul(a.baseAddress!, b.baseAddress!, c.baseAddress!, m: m, k: k, n: n,
                                           transA: transA, transB: transB, accumulate: accumulate)
                                }
                                naive.withUnsafeMutableBufferPointer { c in
                                    matmulNaive(a.baseAddress!, b.baseAddress!, c.baseAddress!, m: m, k: k, n: n,
                                                transA: transA, transB: transB, accumulate: accumulate)
                                }
                            }
                        }
                        expectClose(fast, naive,
                                    "m \(m) k \(k) n \(n) transA \(transA) transB \(transB) acc \(accumulate)")
                    }
                }
            }
        }
    }

    @Test func emptyInnerDimensionGivesZeros() {
        let c = Tensor.zeros([2, 0]).matmul(Tensor.zeros([0, 3]))
        #expect(c.shape == [2, 3])
        #expect(c.scalars == [Float](repeating: 0, count: 6))
    }

    // MARK: Messages

    @Test func innerDimensionMismatchMessage() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([32, 10]).matmul(Tensor.zeros([64, 1]))
        }
        expectStandardError(result, contains: "matmul: [32, 10] x [64, 1]: inner dimensions 10 and 64 differ")
    }

    @Test func batchMismatchMessage() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3, 4]).matmul(Tensor.zeros([3, 4, 5]))
        }
        expectStandardError(result, contains: "matmul: [2, 3, 4] x [3, 4, 5]: batch sizes 2 and 3 differ")
    }

    @Test func unsupportedRankMessage() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([4]).matmul(Tensor.zeros([4, 2]))
        }
        expectStandardError(result, contains: "matmul: [4] x [4, 2]: supports 2-D x 2-D, 3-D x 2-D and 3-D x 3-D")
    }

    @Test func linearMismatchMessage() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.linear(Tensor.zeros([3, 5]), weight: Tensor.zeros([4, 10]), bias: nil)
        }
        expectStandardError(result,
                            contains: "linear: input [3, 5] x weight [4, 10]: last dimension 5 is not in_features 10")
    }
}
