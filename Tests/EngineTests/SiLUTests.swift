// SiLU, x·σ(x) (`torch.nn.SiLU`): values and derivatives against PyTorch 2.15
// (Resources/silu.json, made by Tests/scripts/make_silu.py), and a central-difference gradient check.
import Foundation
import Testing
import TestSupport
@testable import Engine

@Suite struct SiLUTests {
    struct Reference: Decodable {
        let x: [Float]
        let y: [Float]
        let grad: [Float]
    }

    func reference() throws -> Reference {
        let url = try #require(Bundle.module.url(forResource: "silu", withExtension: "json", subdirectory: "Resources"))
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }

    @Test func matchesPyTorch() throws {
        let ref = try reference()
        let x = Tensor(ref.x, requiresGrad: true)
        let y = x.silu()
        y.sum().backward()
        expectClose(y.scalars, ref.y, "SiLU(x)")
        expectClose(try #require(x.grad).scalars, ref.grad, "dSiLU/dx")
        #expect(Activation.silu(x).scalars == y.scalars)
        #expect(Activation(rawValue: "silu") == .silu && Activation.silu.pytorchName == "nn.SiLU")
    }

    @Test func byHand() {
        // 0·σ(0) = 0 with slope σ(0) = 0.5; SiLU(1) = σ(1) = 0.7310586
        expectClose(Tensor([0, 1]).silu().scalars, [0, 0.7310586])
        #expect(Tensor([-100, 100]).silu().scalars.allSatisfy { $0.isFinite })
    }

    @Test func gradCheck() {
        expectGradCheck([randomTensor([3, 5], seed: 102)]) { $0[0].silu() }
    }
}
