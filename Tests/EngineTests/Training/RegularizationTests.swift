// L1/L2 penalties (values and gradients) and early stopping with best-weight restore.
import Testing
@testable import Engine

@Suite struct RegularizationTests {
    @Test func penaltiesAndTheirGradients() {
        let a = Tensor([1, -2], requiresGrad: true), b = Tensor([0.5], shape: [1, 1], requiresGrad: true)
        let l1 = l1Penalty([a, b])
        #expect(l1.item == 3.5)
        l1.backward()
        #expect(a.grad!.scalars == [1, -1] && b.grad!.scalars == [1])
        a.zeroGrad(); b.zeroGrad()
        let l2 = l2Penalty([a, b])
        #expect(l2.item == 5.25)
        l2.backward()
        #expect(a.grad!.scalars == [2, -4] && b.grad!.scalars == [1])
    }

    @Test func l2PenaltyUnderSGDEqualsWeightDecay() {
        let p = Tensor([1, -3], requiresGrad: true), q = Tensor([1, -3], requiresGrad: true)
        let withPenalty = SGD([p], learningRate: 0.1), withDecay = SGD([q], learningRate: 0.1, weightDecay: 0.02)
        (p.sum() + 0.01 * l2Penalty([p])).backward()
        q.sum().backward()
        withPenalty.step(); withDecay.step()
        for (x, y) in zip(p.scalars, q.scalars) { #expect(Swift.abs(x - y) < 1e-6) }
    }

    @Test func earlyStoppingRestoresBestWeights() {
        let w = Tensor([0], requiresGrad: true)
        let stopper = EarlyStopping(patience: 2, minDelta: 0.01)
        let losses = [1.0, 0.5, 0.495, 0.6, 0.4]
        var stoppedAt = 0
        for (i, loss) in losses.enumerated() {
            w.scalars = [Float(i)]      // pretend training changed the weight
            if stopper.step(loss, tensors: [w]) { stoppedAt = i + 1; break }
        }
        // 0.495 is not better than 0.5 by 0.01: checks 3 and 4 are bad, so it stops at check 4.
        #expect(stoppedAt == 4)
        #expect(stopper.best == 0.5 && stopper.bestEpoch == 2)
        stopper.restoreBest(into: [w])
        #expect(w.scalars == [1])
    }
}

/// A one-parameter module for tests that need a `Module`.
final class RegTinyModule: Module {
    var training = true
    let weight = Tensor([0, 0], requiresGrad: true)
    var ownParameters: [NamedTensor] { [("weight", weight)] }
    var ownBuffers: [NamedTensor] { [] }
    var children: [NamedModule] { [] }
}

@Test func earlyStoppingOnAModule() {
    let model = RegTinyModule()
    let stopper = EarlyStopping(patience: 1, mode: .max)
    model.weight.scalars = [1, 2]
    stopper.step(0.9, model: model)          // an accuracy: higher is better
    model.weight.scalars = [3, 4]
    #expect(stopper.step(0.8, model: model))
    stopper.restoreBest(into: model)
    #expect(model.weight.scalars == [1, 2])
}
