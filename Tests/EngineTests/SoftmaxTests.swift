// softmax and log-softmax: values by hand, numerical stability on large inputs, any dimension,
// the closed-form backward against gradCheck.
import Foundation
import Testing
import TestSupport
@testable import Engine

@Suite struct SoftmaxTests {
    @Test func handValues() {
        #expect(Tensor([1, 1]).softmax().scalars == [0.5, 0.5])
        expectClose(Tensor([0, Float(log(3.0))]).softmax().scalars, [0.25, 0.75])   // e⁰ : e^(ln 3) = 1 : 3
        expectClose(Tensor([0, 0]).logSoftmax().scalars, [-0.6931472, -0.6931472])
        expectClose(Tensor([1, 2, 3]).softmax().scalars, [0.09003057, 0.24472847, 0.66524096])
    }

    @Test func stableOnLargeInputs() {
        // e^1000 overflows Float; subtracting the row maximum first keeps every exponent ≤ 0.
        #expect(Tensor([1000, 1000]).softmax().scalars == [0.5, 0.5])
        expectClose(Tensor([1000, 0]).softmax().scalars, [1, 0])
        expectClose(Tensor([1000, 0]).logSoftmax().scalars, [0, -1000])
        expectClose(Tensor([-1000, -1000]).logSoftmax().scalars, [-0.6931472, -0.6931472])
        // a masked entry (-inf) gets probability 0
        #expect(Tensor([0, -.infinity, 0]).softmax().scalars == [0.5, 0, 0.5])
    }

    @Test func alongAnyDimension() {
        let x = randomTensor([2, 3, 4], seed: 90)
        for dim in [0, 1, 2, -1] {
            let y = x.softmax(dim: dim)
            #expect(y.shape == x.shape)
            expectClose(y.sum(dim: dim).scalars, [Float](repeating: 1, count: 24 / x.size(dim)), "dim \(dim)")
            expectClose(x.logSoftmax(dim: dim).scalars, y.log().scalars, "dim \(dim)")
        }
        // over dim 0 of [[0, ln 3], [0, 0]]: each column separately
        let m = Tensor(rows: [[0, Float(log(3.0))], [0, 0]])
        expectClose(m.softmax(dim: 0).scalars, [0.5, 0.75, 0.5, 0.25])
    }

    @Test func handGradients() {
        // Σ softmax = 1 whatever x is, so its gradient is 0.
        let x = Tensor([1, 2, 3], requiresGrad: true)
        x.softmax().sum().backward()
        expectClose(x.grad!.scalars, [0, 0, 0])
        // d y₀ / dx = y₀ (δ₀ⱼ - yⱼ); at x = [0, 0]: [0.25, -0.25]
        let z = Tensor([0, 0], requiresGrad: true)
        z.softmax().narrow(dim: 0, start: 0, length: 1).sum().backward()
        expectClose(z.grad!.scalars, [0.25, -0.25])
        // d log y₀ / dx = δ₀ⱼ - yⱼ = [0.5, -0.5]
        let w = Tensor([0, 0], requiresGrad: true)
        w.logSoftmax().narrow(dim: 0, start: 0, length: 1).sum().backward()
        expectClose(w.grad!.scalars, [0.5, -0.5])
    }

    @Test func gradChecks() {
        let x = randomTensor([2, 3, 4], seed: 91)
        for dim in [0, 1, -1] {
            expectGradCheck([x]) { $0[0].softmax(dim: dim) }
            expectGradCheck([x]) { $0[0].logSoftmax(dim: dim) }
        }
        // the fused op against its unfused form: e^x / Σ e^x
        let y = x.copy(), yy = x.copy()
        y.requiresGrad = true; yy.requiresGrad = true
        referenceLoss([y.softmax(dim: 1)]).backward()
        let e = yy.exp()
        referenceLoss([e / e.sum(dim: 1, keepdim: true)]).backward()
        expectClose(y.grad!.scalars, yy.grad!.scalars)
    }
}
