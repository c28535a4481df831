// The NaN guard stops a diverging run with the facts of a diagnosis (LessonKitTests check its
// wording), and stays silent on a healthy one.
import Testing
@testable import Engine

@Suite struct NaNGuardTests {
    /// Linear regression y = x·w on inputs in the hundreds, SGD at lr 0.1, no clipping: every step
    /// overshoots more, and within a few steps the numbers overflow.
    @Test func divergingRunStopsWithADiagnosis() {
        var g = Generator(seed: 5)
        let x = Tensor.randn([16, 3], generator: &g) * 300
        let y = x.sum(dim: 1, keepdim: true)
        let w = Tensor.zeros([3, 1], requiresGrad: true)
        let optimizer = SGD([w], learningRate: 0.1)
        let nanGuard = NaNGuard([("weight", w)], clipMaxNorm: nil)
        var caught: TrainingDiverged?
        do {
            for epoch in 1...50 {
                optimizer.zeroGrad()
                let diff = x.matmul(w) - y
                let loss = (diff * diff).mean()
                loss.backward()
                try nanGuard.check(loss: loss.item, epoch: epoch, step: 1, learningRate: optimizer.learningRate,
                                   inputs: x)
                optimizer.step()
            }
        } catch let error as TrainingDiverged {
            caught = error
        } catch {
            Issue.record("unexpected error \(error)")
        }
        let diagnosis = try! #require(caught)
        #expect(diagnosis.epoch > 1 && diagnosis.epoch < 50 && diagnosis.step == 1)
        #expect(diagnosis.learningRate == 0.1)
        // All three of the seed's causes are suspected here, with their evidence (the batch's numbers).
        #expect(diagnosis.causes.count == 3 && diagnosis.causes.allSatisfy(\.suspected))
        #expect(diagnosis.causes[0].cause == .learningRate(0.1))
        #expect(diagnosis.causes[1].cause == .noClipping)
        guard case .unnormalisedData(let batch?) = diagnosis.causes[2].cause else {
            Issue.record("expected unnormalised data with the batch's numbers, got \(diagnosis.causes[2])")
            return
        }
        #expect(batch.std > 100 && batch.std < 1000)
        if let bad = diagnosis.firstBadParameter { #expect(bad.name == "weight") }
    }

    /// The diagnosis `body` throws, or `nil` if it does not throw one.
    func diagnosis(_ body: () throws -> Void) -> TrainingDiverged? {
        do { try body() } catch let d as TrainingDiverged { return d } catch { return nil }
        return nil
    }

    @Test func firstBadParameterAndHealthyChecks() throws {
        let a = Tensor([1, 2], requiresGrad: true), b = Tensor([3], requiresGrad: true)
        let nanGuard = NaNGuard(parameters: [a, b], clipMaxNorm: 1)
        a.grad = Tensor([0.1, 0.2]); b.grad = Tensor([0.3])
        try nanGuard.check(loss: 0.5, epoch: 1, step: 1, learningRate: 1e-3)      // healthy: no throw

        b.grad = Tensor([.infinity])
        let badGradient = try #require(diagnosis {
            try nanGuard.check(loss: 0.5, epoch: 2, step: 7, learningRate: 1e-3)
        })
        #expect(badGradient.firstBadParameter == BadParameter(name: "parameter 1", inValue: false))
        #expect(badGradient.gradientNorm == .infinity && badGradient.epoch == 2 && badGradient.step == 7)
        // No evidence against any cause: all three are listed in the seed's order, clipping noted as on.
        #expect(badGradient.causes.map(\.cause)
                == [.learningRate(1e-3), .clipping(maxNorm: 1), .unnormalisedData(batch: nil)])
        #expect(badGradient.causes.allSatisfy { !$0.suspected })

        a.scalars[0] = .nan
        let badValue = try #require(diagnosis { try nanGuard.check(loss: .nan, epoch: 3, step: 1, learningRate: 1e-3) })
        #expect(badValue.firstBadParameter == BadParameter(name: "parameter 0", inValue: true))
        #expect(badValue.loss.isNaN)

        // A batch holding NaN is itself the suspect.
        let nanBatch = try #require(diagnosis {
            try nanGuard.check(loss: .nan, epoch: 1, step: 1, learningRate: 1e-3, inputs: Tensor([1, .nan]))
        })
        #expect(nanBatch.causes.first?.cause == .nonFiniteInputs && nanBatch.causes.first?.suspected == true)
    }
}
