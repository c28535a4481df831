// exp, log, sqrt, abs, sin, cos, pow, clamp: values by hand, derivatives by hand at chosen points,
// and gradCheck on random inputs kept away from each function's kinks and poles.
import Foundation
import Testing
import TestSupport
@testable import Engine

@Suite struct UnaryTests {
    @Test func forwardValues() {
        let x = Tensor([0, 1, 4])
        expectClose(x.exp().scalars, [1, 2.7182817, 54.59815])
        expectClose(Tensor([1, 2.7182817, 0.5]).log().scalars, [0, 1, -0.6931472])
        #expect(x.sqrt().scalars == [0, 1, 2])
        #expect(Tensor([-2, 0, 3]).abs().scalars == [2, 0, 3])
        expectClose(Tensor([0, Float.pi / 2, Float.pi]).sin().scalars, [0, 1, 0], abs: 1e-6)
        expectClose(Tensor([0, Float.pi / 2, Float.pi]).cos().scalars, [1, 0, -1], abs: 1e-6)
        #expect(Tensor([-3, 2]).pow(2).scalars == [9, 4])
        #expect(Tensor([2, 3]).pow(3).scalars == [8, 27])
        expectClose(Tensor([4, 9]).pow(0.5).scalars, [2, 3])
        #expect(Tensor([0, 5]).pow(0).scalars == [1, 1])
        let c = Tensor([-2, -1, 0, 1, 2])
        #expect(c.clamp(min: -1, max: 1).scalars == [-1, -1, 0, 1, 1])
        #expect(c.clamp(min: 0).scalars == [0, 0, 0, 1, 2])
        #expect(c.clamp(max: 0).scalars == [-2, -1, 0, 0, 0])
    }

    @Test func handDerivatives() {
        func grad(_ values: [Float], _ f: (Tensor) -> Tensor) -> [Float] {
            let x = Tensor(values, requiresGrad: true)
            f(x).sum().backward()
            return x.grad!.scalars
        }
        expectClose(grad([0, 1]) { $0.exp() }, [1, 2.7182817])              // eˣ
        expectClose(grad([1, 4]) { $0.log() }, [1, 0.25])                    // 1/x
        expectClose(grad([1, 4]) { $0.sqrt() }, [0.5, 0.25])                 // 1/(2√x)
        #expect(grad([-2, 0, 3]) { $0.abs() } == [-1, 0, 1])                  // sign, 0 at 0 (PyTorch)
        expectClose(grad([0, Float.pi]) { $0.sin() }, [1, -1], abs: 1e-6)    // cos x
        expectClose(grad([0, Float.pi / 2]) { $0.cos() }, [0, -1], abs: 1e-6) // -sin x
        #expect(grad([2, -3]) { $0.pow(3) } == [12, 27])                      // 3x²
        #expect(grad([0, 5]) { $0.pow(0) } == [0, 0])                         // constant, even at 0
        #expect(grad([-3, 2]) { $0.pow(2) } == [-6, 4])
        // clamp: 1 inside [min, max] (bounds included, as PyTorch), 0 where clipped
        #expect(grad([-2, -1, 0, 1, 2]) { $0.clamp(min: -1, max: 1) } == [0, 1, 1, 1, 0])
    }

    @Test func gradChecks() {
        let x = randomTensor([3, 4], seed: 40)
        let positive = randomTensor([3, 4], seed: 41).abs() + 0.5
        let awayFromZero = Tensor(x.scalars.map { $0 >= 0 ? $0 + 0.1 : $0 - 0.1 }, shape: [3, 4])
        expectGradCheck([x]) { $0[0].exp() }
        expectGradCheck([positive.detach()]) { $0[0].log() }
        expectGradCheck([positive.detach()]) { $0[0].sqrt() }
        expectGradCheck([awayFromZero]) { $0[0].abs() }
        expectGradCheck([x]) { $0[0].sin() }
        expectGradCheck([x]) { $0[0].cos() }
        expectGradCheck([x]) { $0[0].pow(2) }
        expectGradCheck([x]) { $0[0].pow(3) }
        expectGradCheck([positive.detach()]) { $0[0].pow(-1.5) }
        // clamp, with no input within ε of a bound
        let spread = Tensor([-2, -0.5, 0.3, 0.7, 1.5, 3], shape: [2, 3])
        expectGradCheck([spread]) { $0[0].clamp(min: -1, max: 1) }
    }

    @Test func gradFnNames() {
        let x = Tensor([1, 2], requiresGrad: true)
        #expect(x.exp().gradFn?.name == "ExpBackward")
        #expect(x.pow(2).gradFn?.name == "PowBackward")
        #expect((x * x).gradFn?.name == "MulBackward")
        #expect(x.gradFn == nil)
    }
}
