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
