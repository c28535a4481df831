// `trainingStep`: the one loop body (zero, forward + loss, backward, clip, update) against the same
// step spelled out, and what it reports.
import Testing
@testable import Engine

@Suite struct TrainingStepTests {
    /// A small regressor and a batch, the same for every call with the same seed.
    func setUp(seed: UInt64) -> (Sequential, Tensor, Tensor) {
        var g = Generator(seed: seed)
        let model = Sequential(Linear(4, 8, generator: &g), Tanh(), Linear(8, 1, generator: &g))
        let x = Tensor.randn([16, 4], generator: &g) * 3
        let y = Tensor.randn([16, 1], generator: &g)
        return (model, x, y)
    }

    @Test func isTheSpelledOutStepBitForBit() {
        for maxNorm: Float in [0.05, 100] {                    // once clipping, once not
            let (model, x, y) = setUp(seed: 1)
            let (twin, _, _) = setUp(seed: 1)
            let optimizer = AdamW(model.parameters(), learningRate: 1e-2, weightDecay: 1e-4)
            let twinOptimizer = AdamW(twin.parameters(), learningRate: 1e-2, weightDecay: 1e-4)
            for _ in 0..<3 {
                let result = trainingStep(model.parameters(), optimizer: optimizer, clipMaxNorm: maxNorm) {
                    Tensor.mseLoss(model(x), y)
                }
                twinOptimizer.zeroGrad()
                let loss = Tensor.mseLoss(twin(x), y)
                loss.backward()
                let norm = clipGradNorm(twin.parameters(), maxNorm: maxNorm)
                let after = gradNorm(twin.parameters())
                twinOptimizer.step()

                #expect(result.loss == loss.item)
                #expect(result.gradientNorm == norm)
                #expect(result.clippedGradientNorm == after)
                #expect(result.clipped == (norm > maxNorm))
                #expect(result.clipped == (maxNorm == 0.05))
                if result.clipped { #expect(Swift.abs(result.clippedGradientNorm - maxNorm) < 1e-4 * maxNorm) }
            }
            for (p, q) in zip(model.parameters(), twin.parameters()) { #expect(p.scalars == q.scalars) }
        }
    }

    @Test func zeroesTheGradientsBeforeTheBackwardPass() {
        let (model, x, y) = setUp(seed: 2)
        let optimizer = SGD(model.parameters(), learningRate: 0)   // lr 0: the parameters stay put
        let first = trainingStep(model.parameters(), optimizer: optimizer) { Tensor.mseLoss(model(x), y) }
        let gradients = model.parameters().map { $0.grad!.scalars }
        let second = trainingStep(model.parameters(), optimizer: optimizer) { Tensor.mseLoss(model(x), y) }
        // the same batch twice: the same gradient, not twice it (they would accumulate otherwise)
        #expect(model.parameters().map { $0.grad!.scalars } == gradients)
        #expect(first.gradientNorm == second.gradientNorm && first.loss == second.loss)
        #expect(!first.clipped && first.clippedGradientNorm == first.gradientNorm)
        #expect(first.gradientNorm == gradNorm(model.parameters()) && first.gradientNorm > 0)
    }

    struct Stop: Error {}

    @Test func aThrowingCheckStopsBeforeTheUpdate() {
        let (model, x, y) = setUp(seed: 3)
        let before = model.parameters().map(\.scalars)
        let optimizer = SGD(model.parameters(), learningRate: 0.1)
        var seen: TrainingStepResult?
        #expect(throws: Stop.self) {
            try trainingStep(model.parameters(), optimizer: optimizer, clipMaxNorm: 1,
                             beforeUpdate: { seen = $0; throw Stop() }) { Tensor.mseLoss(model(x), y) }
        }
        #expect(model.parameters().map(\.scalars) == before)
        #expect(seen?.loss == Tensor.mseLoss(model(x), y).item)
        trainingStep(model.parameters(), optimizer: optimizer, clipMaxNorm: 1) { Tensor.mseLoss(model(x), y) }
        #expect(model.parameters().map(\.scalars) != before)
    }
}
