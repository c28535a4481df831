import Testing
@testable import Engine

// The fast `matmul` must give exactly the bits of `matmulNaive`: both sum each output's K terms in
// order k = 0, 1, … with plain `*` and `+` (no fused multiply-add), starting from 0.
// Dimension letters: C[M, N] = A[M, K] · B[K, N].

/// Every combination of the three flags: (transA, transB, accumulate).
let flagCombinations: [(Bool, Bool, Bool)] = [false, true].flatMap { tA in
    [false, true].flatMap { tB in [false, true].map { acc in (tA, tB, acc) } }
}

/// Runs `matmul` and `matmulNaive` on seeded inputs, for every combination of the flags, and expects
/// bit-identical outputs.
func expectFastMatchesNaive(m: Int, k: Int, n: Int, seed: UInt64 = 1,
                            sourceLocation: SourceLocation = #_sourceLocation) {
    var g = Generator(seed: seed)
    let a = (0..<m * k).map { _ in g.nextNormal() }    // [M, K], or [K, M] read with transA
    let b = (0..<k * n).map { _ in g.nextNormal() }    // [K, N], or [N, K] read with transB
    let c0 = (0..<m * n).map { _ in g.nextNormal() }   // the existing C, read when `accumulate`
    for (transA, transB, accumulate) in flagCombinations {
        var fast = c0
        var naive = c0
        fast.withUnsafeMutableBufferPointer { c in
            matmul(a, b, c.baseAddress!, m: m, k: k, n: n,
                   transA: transA, transB: transB, accumulate: accumulate)
        }
        naive.withUnsafeMutableBufferPointer { c in
            matmulNaive(a, b, c.baseAddress!, m: m, k: k, n: n,
                        transA: transA, transB: transB, accumulate: accumulate)
        }
        // Compare raw bytes: this test file is built in debug mode, where a per-element loop is slow.
        let identical = fast.withUnsafeBytes { f in naive.withUnsafeBytes { r in f.elementsEqual(r) } }
        #expect(identical,
                "m=\(m) k=\(k) n=\(n) transA=\(transA) transB=\(transB) accumulate=\(accumulate): fast != naive",
                sourceLocation: sourceLocation)
    }
}

/// The model's matmuls as (M, K, N), each followed by its two backward forms:
/// dA[M, K] = dC[M, N] · Bᵀ, i.e. (M, N, K), and dB[K, N] = Aᵀ · dC, i.e. (K, M, N).
let modelShapes: [(Int, Int, Int)] = [(160, 64, 192), (160, 64, 256), (160, 256, 64), (32, 320, 128)]
    .flatMap { (m, k, n) in [(m, k, n), (m, n, k), (k, m, n)] }

@Test(arguments: modelShapes)
func fastMatchesNaiveOnModelShapes(shape: (Int, Int, Int)) {
    let (m, k, n) = shape
    expectFastMatchesNaive(m: m, k: k, n: n)
}

/// Sizes that do not fill the 4 x 16 register block, in every position.
@Test(arguments: [1, 3, 17, 63])
func fastMatchesNaiveOnOddSizes(m: Int) {
    for k in [1, 3, 17, 63] {
        for n in [1, 3, 17, 63] { expectFastMatchesNaive(m: m, k: k, n: n) }
    }
}

/// Large enough for two threads, with edges in both directions and an odd number of row blocks.
@Test func twoThreadsMatchNaive() {
    expectFastMatchesNaive(m: 67, k: 129, n: 75)
    #expect(67 * 129 * 75 >= parallelThreshold)
}

/// K = 0 is an empty sum: C becomes 0, or stays C + 0.
@Test func emptyInnerDimension() {
    expectFastMatchesNaive(m: 5, k: 0, n: 18)
}

@Test func transposedSwapsRowsAndColumns() {
    let x: [Float] = (0..<6 * 11).map(Float.init)   // [6, 11]
    let t = transposed(x, rows: 6, cols: 11)       // [11, 6]
    for r in 0..<6 {
        for c in 0..<11 { #expect(t[c * 6 + r] == x[r * 11 + c]) }
    }
}
