// Hand-computed single steps for the options key j does not cover: Nesterov, dampening, weight
// decay in SGD, Adam's L2 against AdamW's decoupled decay, skipped parameters and settable lr.
import Testing
@testable import Engine

@Suite struct OptimizerBehaviourTests {
    @Test func sgdNesterovDampeningAndWeightDecay() {
        let p = Tensor([1.0], requiresGrad: true)
        let sgd = SGD([p], learningRate: 0.5, momentum: 0.5, weightDecay: 0.1, nesterov: true)
        p.grad = Tensor([2.0])
        sgd.step()
        // d = 2 + 0.1·1 = 2.1; b = 2.1; nesterov: d + 0.5·b = 3.15; p = 1 - 0.5·3.15 = -0.575
        #expect(sgd.momentumBuffers[0]!.scalars == [2.1])
        #expect(Swift.abs(p.scalars[0] - -0.575) < 1e-6)

        let q = Tensor([0.0], requiresGrad: true)
        let damped = SGD([q], learningRate: 1, momentum: 0.5, dampening: 0.5)
        q.grad = Tensor([1.0]); damped.step()      // b = 1 (first step ignores dampening), q = -1
        q.grad = Tensor([1.0]); damped.step()      // b = 0.5·1 + 0.5·1 = 1, q = -2
        #expect(damped.momentumBuffers[0]!.scalars == [1])
        #expect(q.scalars == [-2])
    }

    @Test func adamL2DiffersFromDecoupledDecay() {
        // With a zero gradient, Adam's L2 term becomes the whole gradient and Adam takes a full
        // lr-sized step; AdamW only shrinks the weight by lr·λ.
        let a = Tensor([1.0], requiresGrad: true), b = Tensor([1.0], requiresGrad: true)
        let adam = Adam([a], learningRate: 0.1, weightDecay: 0.01)
        let adamW = AdamW([b], learningRate: 0.1, weightDecay: 0.01)
        a.grad = Tensor([0.0]); b.grad = Tensor([0.0])
        adam.step(); adamW.step()
        #expect(Swift.abs(a.scalars[0] - 0.9) < 1e-5)
        #expect(b.scalars[0] == Float(1 - 0.1 * 0.01))
    }

    @Test func parametersWithoutGradientsAreSkippedAndLearningRateIsSettable() {
        let p = Tensor([1.0], requiresGrad: true), q = Tensor([1.0], requiresGrad: true)
        let adam = AdamW([p, q], learningRate: 0.1, weightDecay: 0)
        p.grad = Tensor([1.0])
        adam.step()
        #expect(q.scalars == [1])
        #expect(adam.state[0].step == 1 && adam.state[1].step == 0)
        adam.learningRate = 0.01
        p.grad = Tensor([1.0])
        adam.step()
        // m̂ = 1, v̂ = 1 for a constant gradient of 1, so each step moves lr (up to ε).
        #expect(Swift.abs(p.scalars[0] - (1 - 0.1 - 0.01)) < 1e-5)
        adam.zeroGrad()
        #expect(p.grad == nil)
    }

    @Test func stateDictRoundTrips() throws {
        let p = Tensor([1, 2], requiresGrad: true)
        let adam = AdamW([p])
        p.grad = Tensor([0.5, -0.5]); adam.step()
        let saved = adam.stateDict()
        let p2 = Tensor([1, 2], requiresGrad: true)
        let restored = AdamW([p2])
        try restored.loadStateDict(saved)
        #expect(restored.stepCount == 1)
        #expect(restored.expAvg[0].scalars == adam.expAvg[0].scalars)
        #expect(throws: OptimizerStateError.self) { try AdamW([Tensor([1, 2, 3])]).loadStateDict(saved) }
    }
}
