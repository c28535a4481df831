// dropout (seeded mask, 1/(1-p) scaling, identity in eval), maskedFill and where.
import Testing
import TestSupport
@testable import Engine

@Suite struct MaskingTests {
    @Test func dropoutIsSeededAndScalesSurvivors() {
        let x = Tensor.ones([1000])
        var g1 = Generator(seed: 7), g2 = Generator(seed: 7), g3 = Generator(seed: 8)
        let a = x.dropout(p: 0.25, generator: &g1)
        let b = x.dropout(p: 0.25, generator: &g2)
        let c = x.dropout(p: 0.25, generator: &g3)
        #expect(a.scalars == b.scalars)                              // same seed, same mask
        #expect(a.scalars != c.scalars)
        // every element is 0 (dropped) or 1/(1 - 0.25) (kept, scaled)
        let scale: Float = 1 / 0.75
        #expect(a.scalars.allSatisfy { $0 == 0 || $0 == scale })
        let kept = a.scalars.filter { $0 != 0 }.count
        #expect(kept > 700 && kept < 800)                            // ≈ 750 of 1000
    }

    @Test func dropoutKeepsTheMeanOnLargeInputs() {
        var g = Generator(seed: 11)
        let y = Tensor.full([100_000], value: 2).dropout(p: 0.5, generator: &g)
        let mean = y.mean().item
        #expect(Swift.abs(mean - 2) < 0.03)                          // E[y] = x: inverted dropout
    }

    @Test func dropoutGradientUsesTheSameMask() {
        var g = Generator(seed: 12)
        let x = Tensor([1, 2, 3, 4, 5, 6, 7, 8], requiresGrad: true)
        let y = x.dropout(p: 0.5, generator: &g)
        y.sum().backward()
        for i in 0..<8 {
            // kept: y = 2x and dy/dx = 2; dropped: both 0
            #expect(x.grad!.scalars[i] == (y.scalars[i] == 0 ? 0 : 2))
        }
    }

    @Test func dropoutGradCheck() {
        // A fresh generator with the same seed on every call gives gradCheck the same mask each time.
        expectGradCheck([randomTensor([4, 5], seed: 17)]) { inputs in
            var g = Generator(seed: 18)
            return inputs[0].dropout(p: 0.3, generator: &g)
        }
    }

    @Test func dropoutIdentityInEvalAndEdgeProbabilities() {
        var g = Generator(seed: 13)
        let x = Tensor([1, 2, 3], requiresGrad: true)
        let before = g
        #expect(x.dropout(p: 0.5, training: false, generator: &g) === x)   // eval: the input itself
        #expect(x.dropout(p: 0, generator: &g) === x)
        #expect(g == before)                                          // and no random numbers drawn
        #expect(x.dropout(p: 1, generator: &g).scalars == [0, 0, 0])
    }

    @Test func dropoutFromTheDefaultGenerator() {
        manualSeed(21)
        let a = Tensor.ones([64]).dropout(p: 0.5)
        manualSeed(21)
        let b = Tensor.ones([64]).dropout(p: 0.5)
        #expect(a.scalars == b.scalars)
    }

    @Test func maskedFill() {
        let x = Tensor(rows: [[1, 2], [3, 4]], requiresGrad: true)
        let y = x.maskedFill([false, true, false, false], maskShape: [2, 2], value: -9)
        #expect(y.scalars == [1, -9, 3, 4])
        (y * Tensor(rows: [[1, 2], [3, 4]])).sum().backward()
        #expect(x.grad!.scalars == [1, 0, 3, 4])                     // no gradient to the replaced element
        // A causal mask [T, T] broadcast over a batch [B, T, T], then softmax: no weight on the future.
        let scores = Tensor.zeros([2, 3, 3])
        let future = (0..<3).flatMap { i in (0..<3).map { j in j > i } }
        let weights = scores.maskedFill(future, maskShape: [3, 3], value: -.infinity).softmax(dim: -1)
        expectClose(Array(weights.scalars.prefix(9)), [1, 0, 0, 0.5, 0.5, 0, 1.0 / 3, 1.0 / 3, 1.0 / 3])
        // the same with a 0/1 tensor mask
        let tensorMask = Tensor(future.map { $0 ? 1 : 0 }, shape: [3, 3])
        let byBool = scores.maskedFill(future, maskShape: [3, 3], value: -1)
        #expect(scores.maskedFill(tensorMask, value: -1).scalars == byBool.scalars)
        expectGradCheck([randomTensor([2, 3, 3], seed: 14)]) {
            $0[0].maskedFill(future, maskShape: [1, 3, 3], value: 0.5)
        }
    }

    @Test func whereChoosesAndRoutesGradients() {
        let a = Tensor([1, 2, 3], requiresGrad: true), b = Tensor([10, 20, 30], requiresGrad: true)
        let y = Tensor.where([true, false, true], conditionShape: [3], a, b)
        #expect(y.scalars == [1, 20, 3])
        y.sum().backward()
        #expect(a.grad!.scalars == [1, 0, 1])
        #expect(b.grad!.scalars == [0, 1, 0])
        // broadcasting: condition [2, 1], a [3], b a scalar
        let z = Tensor.where(Tensor([1, 0], shape: [2, 1]), Tensor([1, 2, 3]), Tensor(scalar: -1))
        #expect(z.shape == [2, 3])
        #expect(z.scalars == [1, 2, 3, -1, -1, -1])
        let p = randomTensor([2, 3], seed: 15), q = randomTensor([3], seed: 16)
        let condition = [true, false, false, true, true, false]
        expectGradCheck([p, q]) { Tensor.where(condition, conditionShape: [2, 3], $0[0], $0[1]) }
    }

    @Test func whereMismatchMessage() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.where([true, false], conditionShape: [2], Tensor.zeros([3]), Tensor.zeros([3]))
        }
        expectStandardError(result, contains: "where: shapes [2], [3] and [3] cannot be broadcast together")
    }

    @Test func maskMismatchMessage() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).maskedFill([true, false], maskShape: [2], value: 0)
        }
        expectStandardError(result, contains: "maskedFill: mask of shape [2] does not broadcast to [2, 3]")
    }
}
