// +, -, *, / with broadcasting, and negation: forward values by hand, gradients by hand where they
// are simple, every op through gradCheck, and the message a shape mismatch stops with.
import Testing
import TestSupport
@testable import Engine

@Suite struct ArithmeticTests {
    // MARK: Forward

    @Test func sameShape() {
        let a = Tensor([1, 2, 3, 4], shape: [2, 2]), b = Tensor([10, 20, 30, 40], shape: [2, 2])
        #expect((a + b).scalars == [11, 22, 33, 44])
        #expect((b - a).scalars == [9, 18, 27, 36])
        #expect((a * b).scalars == [10, 40, 90, 160])
        #expect((b / a).scalars == [10, 10, 10, 10])
        #expect((-a).scalars == [-1, -2, -3, -4])
        #expect((a + b).shape == [2, 2])
    }

    @Test func broadcastingForward() {
        let a = Tensor(rows: [[1, 2, 3], [4, 5, 6]])            // [2, 3]
        let row = Tensor([10, 20, 30])                            // [3]: trailing block
        let column = Tensor([100, 200], shape: [2, 1])            // [2, 1]: general strides
        #expect((a + row).scalars == [11, 22, 33, 14, 25, 36])
        #expect((row + a).scalars == [11, 22, 33, 14, 25, 36])    // the small operand on the left
        #expect((a - column).scalars == [-99, -98, -97, -196, -195, -194])
        #expect((column - a).scalars == [99, 98, 97, 196, 195, 194])
        // [2, 1] with [3] -> [2, 3]: both operands broadcast
        let outer = column * row
        #expect(outer.shape == [2, 3])
        #expect(outer.scalars == [1000, 2000, 3000, 2000, 4000, 6000])
        // [2, 1, 3] with [4, 1] -> [2, 4, 3]
        let big = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 1, 3]) + Tensor([0, 10, 20, 30], shape: [4, 1])
        #expect(big.shape == [2, 4, 3])
        #expect(Array(big.scalars.prefix(6)) == [1, 2, 3, 11, 12, 13])
        #expect(Array(big.scalars.suffix(3)) == [34, 35, 36])
        // a 0-d scalar tensor with anything
        #expect((Tensor(scalar: 2) * a).scalars == [2, 4, 6, 8, 10, 12])
        #expect((a / Tensor(scalar: 2)).shape == [2, 3])
        // empty tensors broadcast like any other
        #expect((Tensor.zeros([2, 0]) + Tensor.zeros([0])).shape == [2, 0])
        #expect((Tensor.zeros([0, 3]) * Tensor.ones([3])).shape == [0, 3])
    }

    @Test func floatsOnEitherSide() {
        let x = Tensor([1, 2, 4])
        #expect((x + 1).scalars == [2, 3, 5])
        #expect((1 + x).scalars == [2, 3, 5])
        #expect((x - 1).scalars == [0, 1, 3])
        #expect((1 - x).scalars == [0, -1, -3])
        #expect((x * 3).scalars == [3, 6, 12])
        #expect((3 * x).scalars == [3, 6, 12])
        #expect((x / 2).scalars == [0.5, 1, 2])
        #expect((4 / x).scalars == [4, 2, 1])
    }

    // MARK: Backward

    @Test func handGradients() {
        let a = Tensor([1, 2, 3], requiresGrad: true), b = Tensor([4, 5, 6], requiresGrad: true)
        (a * b).sum().backward()
        #expect(a.grad!.scalars == [4, 5, 6])         // d(ab)/da = b
        #expect(b.grad!.scalars == [1, 2, 3])         // d(ab)/db = a
        a.zeroGrad(); b.zeroGrad()
        (a / b).sum().backward()
        expectClose(a.grad!.scalars, [1.0 / 4, 1.0 / 5, 1.0 / 6])     // 1/b
        expectClose(b.grad!.scalars, [-1.0 / 16, -2.0 / 25, -3.0 / 36]) // -a/b²
        a.zeroGrad(); b.zeroGrad()
        (a - b).sum().backward()
        #expect(a.grad!.scalars == [1, 1, 1])
        #expect(b.grad!.scalars == [-1, -1, -1])
        a.zeroGrad()
        (-a).sum().backward()
        #expect(a.grad!.scalars == [-1, -1, -1])
    }

    /// Broadcasting's backward sums the gradient over every position an input was repeated to,
    /// so each input's gradient has that input's own shape.
    @Test func broadcastGradientsAreSummedBackToEachShape() {
        let a = Tensor(rows: [[1, 2, 3], [4, 5, 6]], requiresGrad: true)     // [2, 3]
        let row = Tensor([10, 20, 30], requiresGrad: true)                     // [3]
        let column = Tensor([1, 2], shape: [2, 1], requiresGrad: true)       // [2, 1]
        let scalar = Tensor(scalar: 3, requiresGrad: true)                     // []
        ((a * row + column) * scalar).sum().backward()
        #expect(a.grad!.shape == [2, 3])
        #expect(a.grad!.scalars == [30, 60, 90, 30, 60, 90])          // row · scalar
        #expect(row.grad!.shape == [3])
        #expect(row.grad!.scalars == [15, 21, 27])                    // Σ over rows of a, · 3
        #expect(column.grad!.shape == [2, 1])
        #expect(column.grad!.scalars == [9, 9])                       // 3 columns · 3
        #expect(scalar.grad!.shape == [])
        // Σ (a·row + column) = 10+40+90+40+100+180 + 3·1 + 3·2 = 469
        #expect(scalar.grad!.scalars == [469])
    }

    @Test func gradCheckEveryOpWithBroadcasting() {
        let shapes: [([Int], [Int])] = [([2, 3, 4], [2, 3, 4]), ([2, 3, 4], [4]), ([2, 3, 4], [3, 1]),
                                        ([1, 4], [3, 1]), ([], [2, 3]), ([2, 1, 4], [3, 1])]
        for (i, (sa, sb)) in shapes.enumerated() {
            let a = randomTensor(sa, seed: UInt64(10 + i))
            let b = randomTensor(sb, seed: UInt64(20 + i))
            let positive = Tensor(b.scalars.map { Swift.abs($0) + 0.5 }, shape: sb)   // keep away from /0
            expectGradCheck([a, b]) { $0[0] + $0[1] }
            expectGradCheck([a, b]) { $0[0] - $0[1] }
            expectGradCheck([a, b]) { $0[0] * $0[1] }
            expectGradCheck([a, positive]) { $0[0] / $0[1] }
            expectGradCheck([positive, a]) { $0[1] / $0[0] }
        }
        expectGradCheck([randomTensor([3, 2], seed: 30)]) { -$0[0] * 2 + 1 }
    }

    @Test func constantsGetNoGradient() {
        let x = Tensor([1, 2], requiresGrad: true), c = Tensor([3, 4])
        (x * c).sum().backward()
        #expect(c.grad == nil)
        #expect(!c.requiresGrad)
        #expect(x.grad!.scalars == [3, 4])
    }

    @Test func maximumAndMinimum() {
        let a = Tensor([1, 5, 3, .nan], requiresGrad: true), b = Tensor([4, 2, 3, 0], requiresGrad: true)
        let hi = Tensor.maximum(a, b), lo = Tensor.minimum(a, b)
        #expect(Array(hi.scalars.prefix(3)) == [4, 5, 3])
        #expect(Array(lo.scalars.prefix(3)) == [1, 2, 3])
        #expect(hi.scalars[3].isNaN && lo.scalars[3].isNaN)            // NaN wins, as torch.maximum
        (hi * Tensor([1, 10, 100, 1000])).sum().backward()
        #expect(a.grad!.scalars == [0, 10, 50, 1000])                 // the tie (3, 3) splits 100 in half
        #expect(b.grad!.scalars == [1, 0, 50, 0])
        // broadcasting: clamp each row from below by a per-column floor
        let m = Tensor.maximum(Tensor(rows: [[1, 5], [7, 0]]), Tensor([2, 2]))
        #expect(m.scalars == [2, 5, 7, 2])
        let p = randomTensor([3, 4], seed: 31), q = randomTensor([4], seed: 32)
        expectGradCheck([p, q]) { Tensor.maximum($0[0], $0[1]) }
        expectGradCheck([p, q]) { Tensor.minimum($0[0], $0[1]) }
    }

    // MARK: Messages

    @Test func broadcastMismatchNamesOpAndShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]) + Tensor.zeros([4])
        }
        expectStandardError(result, contains: "add: shapes [2, 3] and [4] cannot be broadcast together")
        let mul = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([5, 2]) * Tensor.zeros([3, 2])
        }
        expectStandardError(mul, contains: "mul: shapes [5, 2] and [3, 2] cannot be broadcast together")
    }
}
