import Foundation
import Testing
@testable import Engine

// ThreadCalibration's decisions, fed made-up timings (no test here depends on the clock), and the
// kernels that split their work between two threads: the same bits on one thread and on two.

private let shape = WorkKind(operation: .matmul, m: 160, k: 64, n: 192)

/// Feeds one whole calibration: the timings of one thread, then of two, in the alternation asked for.
private func calibrate(_ c: ThreadCalibration, one: [UInt64], two: [UInt64],
                       sourceLocation: SourceLocation = #_sourceLocation) {
    var (i, j) = (0, 0)
    while i < one.count || j < two.count {
        let threads = c.threads(for: shape)
        if threads == 1 { c.record(shape, threads: 1, nanoseconds: one[i]); i += 1 }
        else { c.record(shape, threads: 2, nanoseconds: two[j]); j += 1 }
    }
    #expect(i == one.count && j == two.count, "alternation", sourceLocation: sourceLocation)
}

@Test func calibrationAlternatesThenKeepsTwoThreadsWhenTheyWin() {
    let c = ThreadCalibration()
    let n = ThreadCalibration.samplesPerSide
    #expect(c.threads(for: shape) == 1)
    c.record(shape, threads: 1, nanoseconds: 10_000)
    #expect(c.threads(for: shape) == 2)                      // alternates while calibrating
    c.record(shape, threads: 2, nanoseconds: 6_000)
    calibrate(c, one: Array(repeating: 10_000, count: n - 1), two: Array(repeating: 6_000, count: n - 1))
    #expect(c.threads(for: shape) == 2)
    #expect(c.threads(for: WorkKind(operation: .matmul, m: 32, k: 64, n: 192)) == 1)  // another shape: afresh
}

/// One lucky two-thread run wins the minimum, but the helper was late on most: one thread.
@Test func calibrationKeepsOneThreadWhenTwoLoseTheMedian() {
    let c = ThreadCalibration()
    let n = ThreadCalibration.samplesPerSide
    calibrate(c, one: Array(repeating: 10_000, count: n), two: [5_000] + Array(repeating: 30_000, count: n - 1))
    #expect(c.threads(for: shape) == 1)
}

/// Two threads win the median but not the minimum (a quiet spell for one thread): one thread.
@Test func calibrationKeepsOneThreadWhenTwoLoseTheMinimum() {
    let c = ThreadCalibration()
    let n = ThreadCalibration.samplesPerSide
    calibrate(c, one: [4_000] + Array(repeating: 10_000, count: n - 1), two: Array(repeating: 6_000, count: n))
    #expect(c.threads(for: shape) == 1)
}

/// Two threads chosen, then the second core gets busy: as soon as the two-thread runs have cost more
/// than as many runs (plus one) at one thread's median, the kind goes back to one thread, and is calibrated
/// again only after twice as many runs as before.
@Test func twoThreadsThatGetDearerGoBackToOne() {
    let c = ThreadCalibration()
    let n = ThreadCalibration.samplesPerSide
    calibrate(c, one: Array(repeating: 10_000, count: n), two: Array(repeating: 6_000, count: n))
    #expect(c.threads(for: shape) == 2)
    for _ in 0..<5 { c.record(shape, threads: 2, nanoseconds: 6_000) }     // 30 µs against (5 + 1) · 10
    c.record(shape, threads: 2, nanoseconds: 25_000)                        // 55 µs against 70 µs
    #expect(c.threads(for: shape) == 2)
    c.record(shape, threads: 2, nanoseconds: 30_000)                        // 85 µs against 80 µs
    #expect(c.threads(for: shape) == 1)
    #expect(c.entries[shape]?.recheckAfter == 2 * ThreadCalibration.firstRecheck)
}

/// A calibration with one stall on two threads (lower minimum and median, higher total): one thread.
@Test func calibrationKeepsOneThreadWhenTwoLoseTheTotal() {
    let c = ThreadCalibration()
    let n = ThreadCalibration.samplesPerSide
    calibrate(c, one: Array(repeating: 10_000, count: n), two: [200_000] + Array(repeating: 6_000, count: n - 1))
    #expect(c.threads(for: shape) == 1)
}

/// After `firstRecheck` runs the choice is measured again, so a machine that got quieter gets its
/// second thread back; a choice that comes out the same waits twice as long for its next check.
@Test func calibrationIsRepeatedLessOftenWhileTheChoiceHolds() {
    let c = ThreadCalibration()
    let n = ThreadCalibration.samplesPerSide
    let first = ThreadCalibration.firstRecheck
    calibrate(c, one: Array(repeating: 10_000, count: n), two: Array(repeating: 30_000, count: n))
    for _ in 0..<first { c.record(shape, threads: 1, nanoseconds: 10_000) }
    calibrate(c, one: Array(repeating: 10_000, count: n), two: Array(repeating: 6_000, count: n))
    #expect(c.threads(for: shape) == 2)                      // changed: next check after `first` again
    for _ in 0..<first { c.record(shape, threads: 2, nanoseconds: 6_000) }
    calibrate(c, one: Array(repeating: 10_000, count: n), two: Array(repeating: 6_000, count: n))
    #expect(c.entries[shape]?.recheckAfter == 2 * first)     // the same: twice as long
    for _ in 0..<(2 * first - 1) { c.record(shape, threads: 2, nanoseconds: 6_000) }
    #expect(c.threads(for: shape) == 2)
    c.record(shape, threads: 2, nanoseconds: 6_000)
    #expect(c.threads(for: shape) == 1)                      // calibrating again
}

/// An Adam step with its tensors shared between two threads gives the bits of one thread, and of
/// the plain loop (odd sizes: vector tails).
@Test(arguments: [false, true])
func adamStepOnTwoThreadsMatchesOneThreadAndThePlainLoop(amsgrad: Bool) {
    var g = Generator(seed: 11)
    let shapes = [[200, 37], [3], [64, 64], [1001], [5, 9]]
    func tensors() -> [Tensor] { shapes.map { Tensor.randn($0, generator: &g) } }
    let start = tensors(), grads = [tensors(), tensors(), tensors()]
    func train(threads: Int) -> [[Float]] {
        let params = start.map { Tensor($0.scalars, shape: $0.shape) }
        let adam = AdamW(params, learningRate: 0.01, weightDecay: 0.1, amsgrad: amsgrad)
        for step in grads {
            for (p, grad) in zip(params, step) { p.grad = grad }
            adam.step(threads: threads)
        }
        return params.map(\.scalars) + adam.expAvg.map(\.scalars) + adam.expAvgSq.map(\.scalars)
    }
    let one = train(threads: 1), two = train(threads: 2)
    #expect(one == two)
    // The first tensor by the plain loop, step by step.
    var (p, m, v) = (start[0].scalars, [Float](repeating: 0, count: 7400), [Float](repeating: 0, count: 7400))
    var vMax = amsgrad ? [Float](repeating: 0, count: 7400) : []
    for (t, step) in grads.enumerated() {
        let c1 = 1 - pow(0.9, Double(t + 1)), c2 = 1 - pow(0.999, Double(t + 1))
        let c = AdamCoefficients(stepSize: Float(0.01 / c1), biasCorrection2Sqrt: Float(c2.squareRoot()),
                                 decay: Float(1 - 0.01 * 0.1), l2: 0.1, oneMinusBeta1: Float(1 - 0.9),
                                 beta2: 0.999, oneMinusBeta2: Float(1 - 0.999), epsilon: 1e-8,
                                 hasDecay: true, decoupled: true, maximize: false, amsgrad: amsgrad)
        adamUpdateNaive(&p, step[0].scalars, &m, &v, &vMax, c)
    }
    #expect(one[0] == p)
}

/// A linear layer's dx and dW computed at once on two threads: the same bits as one after the other.
@Test func linearBackwardPairOnTwoThreadsMatchesOneThread() {
    var g = Generator(seed: 12)
    let (rows, outF, inF) = (70, 45, 33)
    let dy = (0..<rows * outF).map { _ in g.nextNormal() }
    let w = (0..<outF * inF).map { _ in g.nextNormal() }
    let x = (0..<rows * inF).map { _ in g.nextNormal() }
    let one = linearBackwardProducts(dy, weight: w, input: x, rows: rows, outF: outF, inF: inF,
                                     needX: true, needW: true, threads: 1)
    let two = linearBackwardProducts(dy, weight: w, input: x, rows: rows, outF: outF, inF: inF,
                                     needX: true, needW: true, threads: 2)
    var naiveDx = [Float](repeating: 0, count: rows * inF), naiveDW = [Float](repeating: 0, count: outF * inF)
    naiveDx.withUnsafeMutableBufferPointer {
        matmulNaive(dy, w, $0.baseAddress!, m: rows, k: outF, n: inF)
    }
    naiveDW.withUnsafeMutableBufferPointer {
        matmulNaive(dy, x, $0.baseAddress!, m: outF, k: rows, n: inF, transA: true)
    }
    #expect(bitIdentical(one.dx!, naiveDx) && bitIdentical(one.dW!, naiveDW))
    #expect(bitIdentical(two.dx!, naiveDx) && bitIdentical(two.dW!, naiveDW))
}

/// Attention-sized batches of small products (split by batch entry where the calibration picks two
/// threads): every run, through the calibration's alternation, gives each product the naive bits.
@Test func batchedSmallProductsMatchNaiveOnEveryRun() {
    var g = Generator(seed: 13)
    let (batches, m, k, n) = (96, 5, 16, 5)
    let a = (0..<batches * m * k).map { _ in g.nextNormal() }
    let b = (0..<batches * n * k).map { _ in g.nextNormal() }
    var naive = [Float](repeating: 0, count: batches * m * n)
    a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            naive.withUnsafeMutableBufferPointer { c in
                for t in 0..<batches {
                    matmulNaive(a.baseAddress! + t * m * k, b.baseAddress! + t * n * k, c.baseAddress! + t * m * n,
                                m: m, k: k, n: n, transB: true)
                }
            }
        }
    }
    for run in 0..<(2 * ThreadCalibration.samplesPerSide + 2) {
        let fast = batchedProduct(a, m * k, b, n * k, batches: batches, m: m, k: k, n: n, transB: true)
        #expect(bitIdentical(fast, naive), "run \(run)")
    }
}
