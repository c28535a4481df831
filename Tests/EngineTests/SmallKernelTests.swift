import Testing
@testable import Engine

/// `addRow` (SIMD8) against its plain loop, on lengths that do and do not fill whole vectors.
@Test(arguments: [0, 1, 7, 8, 9, 64, 67])
func addRowMatchesThePlainLoop(count: Int) {
    var g = Generator(seed: UInt64(count))
    let src = (0..<count).map { _ in g.nextNormal() }
    var fast = (0..<count).map { _ in g.nextNormal() }
    var naive = fast
    src.withUnsafeBufferPointer { s in
        fast.withUnsafeMutableBufferPointer { d in
            if count > 0 { addRow(d.baseAddress!, s.baseAddress!, count: count) }
        }
        naive.withUnsafeMutableBufferPointer { d in
            if count > 0 { addRowNaive(d.baseAddress!, s.baseAddress!, count: count) }
        }
    }
    #expect(fast == naive)
}

/// `matmulDirect` (tiny products, no packing) gives the plain loop's bits for every transposition,
/// with and without `accumulate`, on attention's per-head shapes.
@Test func matmulDirectMatchesTheNaiveKernel() {
    var g = Generator(seed: 7)
    for (m, k, n) in [(5, 16, 5), (5, 5, 16), (16, 5, 5), (1, 3, 1), (3, 1, 2)] {
        let a = (0..<(m * k)).map { _ in g.nextNormal() }
        let b = (0..<(k * n)).map { _ in g.nextNormal() }
        let start = (0..<(m * n)).map { _ in g.nextNormal() }
        for transA in [false, true] {
            for transB in [false, true] {
                for accumulate in [false, true] {
                    var direct = start, naive = start
                    a.withUnsafeBufferPointer { a in
                        b.withUnsafeBufferPointer { b in
                            matmulDirect(a.baseAddress!, b.baseAddress!, &direct, m: m, k: k, n: n,
                                         transA: transA, transB: transB, accumulate: accumulate)
                            matmulNaive(a.baseAddress!, b.baseAddress!, &naive, m: m, k: k, n: n,
                                        transA: transA, transB: transB, accumulate: accumulate)
                        }
                    }
                    #expect(direct == naive, "\(m)x\(k)x\(n) transA \(transA) transB \(transB) acc \(accumulate)")
                }
            }
        }
    }
}

/// `sumOfRun` (eight SIMD lanes) against its plain twin, bit for bit, on runs that do and do not
/// fill whole vectors, starting inside the buffer.
@Test(arguments: [0, 1, 7, 8, 9, 16, 63, 64, 100])
func sumOfRunMatchesItsPlainTwin(count: Int) {
    var g = Generator(seed: UInt64(100 + count))
    let x = (0..<(count + 3)).map { _ in g.nextNormal() * 1000 }
    x.withUnsafeBufferPointer { x in
        let fast = sumOfRun(x, from: 3, count: count)
        let naive = sumOfRunNaive(x, from: 3, count: count)
        #expect(fast.bitPattern == naive.bitPattern, "count \(count): \(fast) vs \(naive)")
    }
    // The order matters, so the test can fail: a single running sum rounds differently here.
    if count == 100 {
        var single: Float = 0
        for v in x[3...] { single += v }
        let lanes = x.withUnsafeBufferPointer { sumOfRun($0, from: 3, count: count) }
        #expect(single.bitPattern != lanes.bitPattern)
    }
}

/// `broadcastValues`' short paths (equal shapes, scalars, trailing blocks) and its general walk give
/// the bits of the plain strided twin.
@Test func broadcastValuesMatchesItsPlainTwin() {
    var g = Generator(seed: 11)
    let pairs: [([Int], [Int])] = [([2, 3, 4], [2, 3, 4]), ([2, 3, 4], []), ([], [2, 3, 4]), ([2, 3, 4], [4]),
                                   ([3, 4], [2, 3, 4]), ([2, 1, 4], [3, 1]), ([2, 3, 1], [1, 4]), ([0, 3], [3])]
    for (aShape, bShape) in pairs {
        let shape = broadcastShape(aShape, bShape)!
        let a = (0..<aShape.reduce(1, *)).map { _ in g.nextNormal() }
        let b = (0..<bShape.reduce(1, *)).map { _ in g.nextNormal() }
        let fast = broadcastValues(a, aShape, b, bShape, to: shape) { $0 / $1 - $0 }
        let naive = broadcastValuesNaive(a, aShape, b, bShape, to: shape) { $0 / $1 - $0 }
        #expect(fast.map(\.bitPattern) == naive.map(\.bitPattern), "\(aShape) ∘ \(bShape)")
        #expect(fast.count == shape.reduce(1, *))
    }
}

/// `permuteValues` (whole-run copies when the last dimension stays last) against its plain twin.
@Test func permuteValuesMatchesItsPlainTwin() {
    let shape = [2, 3, 4, 5]
    let x = (0..<120).map { Float($0) }
    for order in [[0, 2, 1, 3], [2, 0, 1, 3], [3, 2, 1, 0], [0, 1, 3, 2], [1, 0, 2, 3]] {
        let fast = permuteValues(x, shape: shape, order: order)
        #expect(fast == permuteValuesNaive(x, shape: shape, order: order), "\(order)")
    }
    // [B, T, H, Dh] -> [B, H, T, Dh]: element (b, t, h, d) lands at ((b·H + h)·T + t)·Dh + d.
    let split = permuteValues(x, shape: shape, order: [0, 2, 1, 3])
    let (b, t, h, d) = (1, 1, 2, 3)
    let source: Int = ((b * 3 + t) * 4 + h) * 5 + d             // [B, T, H, Dh] = [2, 3, 4, 5]
    let target: Int = ((b * 4 + h) * 3 + t) * 5 + d             // [B, H, T, Dh] = [2, 4, 3, 5]
    #expect(split[target] == x[source])
}

/// Dropout's one-pass kernel draws the same stream as the plain `nextFloat() < p` loop: the same
/// mask bit for bit, y = x · mask, and the generator left in the same state, for probabilities whose
/// p · 2²⁴ is and is not a whole number.
@Test(arguments: [Float(0.1), Float(0.25), Float(0.5), Float(1.0 / 3.0), Float(1e-7), Float(0.99999994)])
func dropoutForwardMatchesPlainTwin(p: Float) {
    var g = Generator(seed: 11)
    let x = (0..<1_000).map { _ in g.nextNormal() }
    var fastGenerator = Generator(seed: 5), plainGenerator = fastGenerator
    let (y, mask) = dropoutForward(x, p: p, generator: &fastGenerator)
    let plainMask = dropoutMaskPlain(count: x.count, p: p, generator: &plainGenerator)
    #expect(mask == plainMask)
    #expect(y == zip(x, plainMask).map { $0 * $1 })
    #expect(fastGenerator == plainGenerator)
}

/// Layer norm's forward, four rows at a time, gives the bits of the one-row-at-a-time plain twin,
/// for row counts that do and do not fill the groups of four.
@Test(arguments: [1, 3, 4, 9, 160])
func layerNormForwardMatchesPlainTwin(rows: Int) {
    var g = Generator(seed: 12)
    for l in [7, 64] {
        let x = (0..<rows * l).map { _ in 3 * g.nextNormal() + 1 }
        let w = (0..<l).map { _ in g.nextNormal() }, b = (0..<l).map { _ in g.nextNormal() }
        let fast = layerNormForward(x, w, b, rows: rows, length: l, eps: 1e-5)
        let plain = layerNormForwardPlain(x, w, b, rows: rows, length: l, eps: 1e-5)
        #expect(fast.y == plain.y && fast.xHat == plain.xHat && fast.rstd == plain.rstd, "rows \(rows), L \(l)")
    }
}

/// Layer norm's backward, two rows at a time, gives the bits of the one-row-at-a-time plain twin,
/// for odd and even row counts.
@Test(arguments: [1, 2, 5, 160])
func layerNormBackwardMatchesPlainTwin(rows: Int) {
    var gen = Generator(seed: 13)
    for l in [7, 64] {
        let x = (0..<rows * l).map { _ in 2 * gen.nextNormal() }
        let w = (0..<l).map { _ in gen.nextNormal() }, b = (0..<l).map { _ in gen.nextNormal() }
        let g = (0..<rows * l).map { _ in gen.nextNormal() }
        let forward = layerNormForwardPlain(x, w, b, rows: rows, length: l, eps: 1e-5)
        let fast = layerNormBackward(g, xHat: forward.xHat, w: w, rstd: forward.rstd, rows: rows, length: l,
                                     needX: true)
        let plain = layerNormBackwardPlain(g, xHat: forward.xHat, w: w, rstd: forward.rstd, rows: rows, length: l,
                                           needX: true)
        #expect(fast.dx! == plain.dx! && fast.dw == plain.dw && fast.db == plain.db, "rows \(rows), L \(l)")
    }
}

/// The eight-lane sum of squares and the plain one-chain loop round to the same Float norm (the
/// Double sums may differ in their last bits; the squares are exact and the Float norm is not moved).
@Test func sumOfSquaresMatchesPlainTwinAsAFloatNorm() {
    var g = Generator(seed: 14)
    for count in [0, 1, 7, 8, 9, 1_000, 191_873] {
        let x = (0..<count).map { _ in g.nextNormal() * 1e-3 }
        let fast = Float(sumOfSquaresInDouble(x).squareRoot())
        let plain = Float(sumOfSquaresInDoublePlain(x).squareRoot())
        #expect(fast == plain, "\(count) elements")
        let plainSum = sumOfSquaresInDoublePlain(x)
        #expect(Swift.abs(sumOfSquaresInDouble(x) - plainSum) <= 1e-12 * plainSum)
    }
}
