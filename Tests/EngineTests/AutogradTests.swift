// The autograd machinery: accumulation, reuse, repeated and seeded backward, no-grad mode, detach,
// zeroGrad, retainGrad, very long chains, freeing graphs, and gradCheck itself.
import Foundation
import Testing
import TestSupport
@testable import Engine

@Suite struct AutogradTests {
    @Test func squareSumGradient() {
        let x = Tensor([1, 2, 3, 4], shape: [2, 2], requiresGrad: true)
        let y = (x * x).sum()
        #expect(y.item == 30)
        y.backward()
        #expect(x.grad!.scalars == [2, 4, 6, 8])
        #expect(x.grad!.shape == [2, 2])
    }

    @Test func requiresGradPropagatesAndLeavesAreLeaves() {
        let x = Tensor([1, 2], requiresGrad: true), c = Tensor([3, 4])
        let y = x * c
        #expect(y.requiresGrad)
        #expect(!y.isLeaf)
        #expect(y.gradFn?.name == "MulBackward")
        #expect(x.isLeaf)
        #expect(!(c * c).requiresGrad)                                // no input needs a gradient
        #expect((c * c).gradFn == nil)
    }

    /// A tensor used twice receives both contributions: d(x·x + 3x)/dx = 2x + 3.
    @Test func tensorUsedTwiceAccumulatesBothContributions() {
        let x = Tensor([1, 2, 3], requiresGrad: true)
        (x * x + 3 * x).sum().backward()
        #expect(x.grad!.scalars == [5, 7, 9])
        // A diamond: a = 2x feeds both factors of c = a·(a + 1); dc/dx = 2(2a + 1) = 8x + 2.
        let z = Tensor([1, 2], requiresGrad: true)
        let a = z * 2
        (a * (a + 1)).sum().backward()
        #expect(z.grad!.scalars == [10, 18])
    }

    /// `backward()` twice adds the same gradient again: the graph is kept (pullbacks hold values, not
    /// tensors), as PyTorch with `retain_graph=True`. Hence `zeroGrad()` between steps.
    @Test func backwardTwiceAddsTheSameGradientAgain() {
        let x = Tensor([1, 2, 3], requiresGrad: true)
        let y = (x * x).sum()
        y.backward()
        #expect(x.grad!.scalars == [2, 4, 6])
        y.backward()
        #expect(x.grad!.scalars == [4, 8, 12])
        x.zeroGrad()
        #expect(x.grad == nil)
        y.backward()
        #expect(x.grad!.scalars == [2, 4, 6])
    }

    @Test func backwardWithAnExplicitUpstreamGradient() {
        let x = Tensor([1, 2, 3], requiresGrad: true)
        let y = x * x                                                 // not a scalar
        y.backward(Tensor([1, 10, 100]))                              // dL/dy given: dL/dx = g · 2x
        #expect(x.grad!.scalars == [2, 40, 600])
        let leaf = Tensor([5, 6], requiresGrad: true)
        leaf.backward(Tensor([1, 2]))                                  // a leaf's gradient is the seed itself
        #expect(leaf.grad!.scalars == [1, 2])
        let s = Tensor(scalar: 3, requiresGrad: true)
        s.backward()
        #expect(s.grad!.scalars == [1])
    }

    @Test func noGradScope() throws {
        let x = Tensor([1, 2], requiresGrad: true)
        #expect(isGradEnabled)
        let y = withNoGrad {
            #expect(!isGradEnabled)
            let inner = withNoGrad { x * 3 }                           // nested: still off afterwards
            #expect(!isGradEnabled)
            return inner + x
        }
        #expect(isGradEnabled)                                        // restored
        #expect(y.scalars == [4, 8])
        #expect(!y.requiresGrad)
        #expect(y.gradFn == nil)
        struct Oops: Error {}
        #expect(throws: Oops.self) { try withNoGrad { throw Oops() } }
        #expect(isGradEnabled)                                        // restored after a throw too
    }

    @Test func detachCutsTheGraph() {
        let x = Tensor([1, 2, 3], requiresGrad: true)
        let d = (x * 2).detach()
        #expect(d.scalars == [2, 4, 6])
        #expect(!d.requiresGrad)
        #expect(d.gradFn == nil)
        (d * x).sum().backward()                                      // only the x path counts
        #expect(x.grad!.scalars == [2, 4, 6])
    }

    @Test func retainGradKeepsAnIntermediateGradient() {
        let x = Tensor([1, 2], requiresGrad: true)
        let h = x * 3
        let other = h + 1
        h.retainGrad()
        (other * other).sum().backward()                              // d/dh = 2(h + 1)
        #expect(h.grad!.scalars == [8, 14])
        #expect(other.grad == nil)                                    // not retained: not stored
        #expect(x.grad!.scalars == [24, 42])
    }

    @Test func hundredThousandNodeChainBackwardAndFree() {
        weak var head: GradNode?
        do {
            let x = Tensor([1, 2], requiresGrad: true)
            var y = x
            for _ in 0..<100_000 { y = y * 1.0 }
            y.sum().backward()
            #expect(x.grad!.scalars == [1, 1])
            head = y.gradFn
            #expect(head != nil)
        }
        #expect(head == nil)                                          // freed, iteratively, without overflow
    }

    /// Pullbacks capture values, never their output tensor, so nothing holds a graph but its tensors:
    /// when the last one goes, every node goes.
    @Test func graphsAreFreedWhenTheirLastTensorGoes() {
        weak var node: GradNode?
        weak var hidden: Tensor?
        var nodes: [() -> GradNode?] = []
        do {
            let x = randomTensor([2, 3, 4], seed: 1), w = randomTensor([5, 4], seed: 2), b = randomTensor([5], seed: 3)
            for t in [x, w, b] { t.requiresGrad = true }
            let h = Tensor.linear(x, weight: w, bias: b).gelu()
            hidden = h
            var g = Generator(seed: 4)
            let mask = (0..<9).map { $0 % 2 == 0 }
            let parts = [
                h.softmax(dim: -1), h.logSoftmax(dim: 1), h.matmul(w), h.relu().tanh().sigmoid(),
                Tensor.cat([h, h], dim: 1), h.permute([2, 0, 1]).reshape([5, -1]).sum(dim: 0).mean(),
                h.narrow(dim: 2, start: 1, length: 2).variance(dims: [2]), h.max(dim: 1).values,
                h.dropout(p: 0.5, generator: &g),
                h.narrow(dim: 1, start: 0, length: 3).narrow(dim: 2, start: 0, length: 3)
                    .maskedFill(mask, maskShape: [3, 3], value: 0),
                Tensor.where([true, false, true, true, false], conditionShape: [5], h, h * 2), h.pow(3).exp().log(),
            ]
            let loss = parts.map { $0.sum() }.reduce(Tensor(scalar: 0), +)
            loss.backward()
            node = loss.gradFn
            for p in parts { weak let n = p.gradFn; nodes.append { n } }
            #expect(node != nil)
        }
        #expect(node == nil)
        #expect(hidden == nil)
        for (i, n) in nodes.enumerated() { #expect(n() == nil, "part \(i) is still alive") }
    }

    /// Regression: the visit marks of the topological sort once came from a per-thread counter, so a
    /// graph swept on one thread could look "already visited" to a sweep on another.
    @Test func backwardOnAnotherThreadSeesTheWholeGraph() {
        let x = Tensor([1, 2], requiresGrad: true)
        nonisolated(unsafe) let y = ((x * x) * 2).sum()
        // Two fresh threads: each one's first sweep. Both must reach x.
        for _ in 0..<2 {
            let done = DispatchSemaphore(value: 0)
            let thread = Thread {
                y.backward()
                done.signal()
            }
            thread.start()
            done.wait()
        }
        #expect(x.grad!.scalars == [8, 16])                          // 4x, twice
    }

    // MARK: gradCheck itself

    @Test func gradCheckCatchesAWrongBackward() {
        // x² with a deliberately wrong derivative (x instead of 2x)
        func wrongSquare(_ x: Tensor) -> Tensor {
            let values = x.scalars
            return Tensor.result(values.map { $0 * $0 }, shape: x.shape, op: "WrongBackward", inputs: [x]) { g in
                [zip(g, values).map { $0 * $1 }]
            }
        }
        let x = randomTensor([4], seed: 9)
        let results = gradCheck([x]) { wrongSquare($0[0]) }
        #expect(results.count == 1)
        #expect(!results[0].passed)
        #expect(results[0].description.contains("MISMATCH"))
        let right = gradCheck([x]) { $0[0] * $0[0] }
        #expect(right[0].passed)
        #expect(right[0].maxAbsoluteError < 1e-2)
    }

    @Test func gradCheckLeavesItsInputsAsTheyWere() {
        let x = Tensor([1, 2, 3])
        let y = Tensor([4, 5], requiresGrad: true)
        y.grad = Tensor([7, 7])
        _ = gradCheck([x, y]) { $0[0].sum() * $0[1] }
        #expect(x.scalars == [1, 2, 3])
        #expect(!x.requiresGrad)
        #expect(x.grad == nil)
        #expect(y.grad!.scalars == [7, 7])
    }

    // MARK: Messages

    @Test func nonScalarBackwardNeedsAGradient() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let x = Tensor([1, 2], requiresGrad: true)
            (x * 2).backward()
        }
        expectStandardError(result, contains: "backward: a tensor of shape [2] needs an explicit gradient")
        let mismatch = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let x = Tensor([1, 2], requiresGrad: true)
            (x * 2).backward(Tensor([1, 2, 3]))
        }
        expectStandardError(mismatch, contains: "backward: gradient of shape [3] does not match tensor of shape [2]")
    }

    @Test func backwardWithoutRequiresGradMessage() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            Tensor([1, 2]).sum().backward()
        }
        expectStandardError(result, contains: "backward: this tensor does not require grad")
    }
}
