// ReLU, LeakyReLU, tanh, sigmoid, GELU (erf and tanh forms): values and derivatives by hand at
// chosen points (including the kinks at 0, with PyTorch's conventions), and gradCheck elsewhere.
import Testing
import TestSupport
@testable import Engine

@Suite struct ActivationTests {
    func derivative(_ values: [Float], _ f: (Tensor) -> Tensor) -> [Float] {
        let x = Tensor(values, requiresGrad: true)
        f(x).sum().backward()
        return x.grad!.scalars
    }

    @Test func relu() {
        #expect(Tensor([-2, 0, 3]).relu().scalars == [0, 0, 3])
        #expect(derivative([-2, 0, 3]) { $0.relu() } == [0, 0, 1])               // 0 at 0, as PyTorch
        #expect(Tensor([.nan]).relu().scalars[0].isNaN)                           // NaN passes, as PyTorch
    }

    @Test func leakyRelu() {
        expectClose(Tensor([-2, 0, 3]).leakyRelu().scalars, [-0.02, 0, 3])
        expectClose(Tensor([-2]).leakyRelu(negativeSlope: 0.2).scalars, [-0.4])
        expectClose(derivative([-2, 0, 3]) { $0.leakyRelu() }, [0.01, 0.01, 1])  // slope at 0, as PyTorch
    }

    @Test func tanhAndSigmoid() {
        expectClose(Tensor([0, 1, -1]).tanh().scalars, [0, 0.7615942, -0.7615942])
        expectClose(derivative([0, 1]) { $0.tanh() }, [1, 0.41997434])           // 1 - tanh²
        expectClose(Tensor([0, 2]).sigmoid().scalars, [0.5, 0.8807971])
        expectClose(derivative([0, 2]) { $0.sigmoid() }, [0.25, 0.10499359])     // σ(1 - σ)
        // no overflow at the extremes
        #expect(Tensor([-100, 100]).sigmoid().scalars.allSatisfy { $0.isFinite })
        expectClose(Tensor([-100, 100]).sigmoid().scalars, [0, 1])
    }

    @Test func gelu() {
        // x·Φ(x): Φ(0) = 0.5, Φ(1) = 0.8413447, Φ(-1) = 0.1586553
        expectClose(Tensor([0, 1, -1]).gelu().scalars, [0, 0.8413447, -0.1586553])
        // d/dx = Φ(x) + x·φ(x): 0.5 at 0; Φ(1) + φ(1) = 0.8413447 + 0.2419707 at 1
        expectClose(derivative([0, 1]) { $0.gelu() }, [0.5, 1.0833155])
        // tanh form: ½x(1 + tanh(√(2/π)(x + 0.044715x³))), close to the exact one
        expectClose(Tensor([0, 1, -1]).gelu(approximate: .tanh).scalars, [0, 0.8411920, -0.1588080])
        expectClose(derivative([0]) { $0.gelu(approximate: .tanh) }, [0.5])
    }

    @Test func gradChecks() {
        // kept at least 0.1 from 0, where ReLU and LeakyReLU bend
        let x = Tensor(randomTensor([3, 5], seed: 100).scalars.map { $0 >= 0 ? $0 + 0.1 : $0 - 0.1 }, shape: [3, 5])
        expectGradCheck([x]) { $0[0].relu() }
        expectGradCheck([x]) { $0[0].leakyRelu(negativeSlope: 0.1) }
        expectGradCheck([x]) { $0[0].tanh() }
        expectGradCheck([x]) { $0[0].sigmoid() }
        expectGradCheck([x]) { $0[0].gelu() }
        expectGradCheck([x]) { $0[0].gelu(approximate: .tanh) }
    }
}
