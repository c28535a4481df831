// Key i: clip_grad_norm_(max 1.0) on three gradients, one case that clips and one that does not;
// plus the infinity norm and clipping by value, by hand.
import Testing
@testable import Engine

@Suite struct ClippingTests {
    @Test(arguments: ["clipping_active", "no_clipping_needed"])
    func clipGradNormMatchesPyTorch(caseName: String) throws {
        let key = try OptRef.load("i_clip_grad_norm")
        let testCase = (key["cases"] as! [[String: Any]]).first { $0["name"] as? String == caseName }!
        let names = ["g0", "g1", "g2"]
        let params = names.map { name -> Tensor in
            let g = OptRefTensor(OptRef.at(testCase, "gradients", name))
            let p = Tensor.zeros(g.shape, requiresGrad: true)
            p.grad = g.tensor()
            return p
        }
        let expected = OptRef.at(testCase, "results", "float32") as! [String: Any]
        let total = clipGradNorm(params, maxNorm: 1.0)
        optRefExpectClose([total], [OptRef.double(expected["total_norm"])], "\(caseName) total norm")
        for (name, p) in zip(names, params) {
            let clipped = OptRefTensor(OptRef.at(expected, "clipped_grads", name))
            optRefExpectClose(p.grad!.scalars, clipped.values, "\(caseName) clipped \(name)")
        }
    }

    @Test func infinityNormAndValueClipping() {
        let a = Tensor([0, 0], requiresGrad: true), b = Tensor([0], requiresGrad: true)
        a.grad = Tensor([1, -4]); b.grad = Tensor([2])
        let total = clipGradNorm([a, b], maxNorm: 2, normType: .infinity)
        #expect(total == 4)
        let factor = Float(2) / (4 + 1e-6)
        #expect(a.grad!.scalars == [1 * factor, -4 * factor])

        a.grad = Tensor([1, -4]); b.grad = Tensor([0.5])
        clipGradValue([a, b], clipValue: 1)
        #expect(a.grad!.scalars == [1, -1])
        #expect(b.grad!.scalars == [0.5])
    }

    @Test func nanNormPropagates() {
        let a = Tensor([0, 0], requiresGrad: true)
        a.grad = Tensor([1, .nan])
        #expect(clipGradNorm([a], maxNorm: 1).isNaN)
        #expect(gradNorm([a], normType: .infinity).isNaN)
    }
}
