import Testing
@testable import Engine
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The fast `matmul` must give exactly the bits of `matmulNaive`: both sum each output's K terms in
// order k = 0, 1, … with plain `*` and `+` (no fused multiply-add), starting from 0.
// Dimension letters: C[M, J] = A[M, K] · B[K, J] (the size arguments `m`, `k`, `n` are M, K, J).

// This file is compiled in debug mode (only the engine is optimised), where generic Swift such as
// `map`, `zip` or `elementsEqual` costs ~100 ns per element: the helpers below use plain pointer
// loops and `memcmp` to keep the whole file well under a second.

/// `count` standard normals from `g`.
func normals(_ count: Int, _ g: inout Generator) -> [Float] {
    [Float](unsafeUninitializedCapacity: count) { out, initialized in
        for i in 0..<count { out[i] = g.nextNormal() }
        initialized = count
    }
}

/// Whether `x` and `y` hold exactly the same bits (so -0 ≠ +0, and a NaN equals the same NaN).
func bitIdentical(_ x: [Float], _ y: [Float]) -> Bool {
    x.count == y.count && x.withUnsafeBytes { xb in
        y.withUnsafeBytes { yb in xb.count == 0 || memcmp(xb.baseAddress!, yb.baseAddress!, xb.count) == 0 }
    }
}

/// Runs `matmul` and `matmulNaive` on seeded inputs, for every combination of `transA`, `transB` and
/// `accumulate`, and expects bit-identical outputs: `matmul` as the ops call it, and each tile (the
/// SIMD8 and the SIMD16 micro-kernel; a build without AVX-512 runs SIMD16 as narrower vectors, with
/// the same arithmetic) on each thread count in `threads`.
func expectFastMatchesNaive(m: Int, k: Int, n: Int, seed: UInt64 = 1, threads: [Int] = [1],
                            sourceLocation: SourceLocation = #_sourceLocation) {
    var g = Generator(seed: seed)
    let a = normals(m * k, &g)    // [M, K], or [K, M] read with transA
    let b = normals(k * n, &g)    // [K, J], or [J, K] read with transB
    let c0 = normals(m * n, &g)   // the existing C, read when `accumulate`
    func run(_ kernel: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
        var c = c0
        c.withUnsafeMutableBufferPointer { kernel($0.baseAddress!) }
        return c
    }
    for transA in [false, true] {
        for transB in [false, true] {
            for accumulate in [false, true] {
                let naive = run {
                    matmulNaive(a, b, $0, m: m, k: k, n: n, transA: transA, transB: transB, accumulate: accumulate)
                }
                let fast = run {
                    matmul(a, b, $0, m: m, k: k, n: n, transA: transA, transB: transB, accumulate: accumulate)
                }
                let what = "m=\(m) k=\(k) n=\(n) transA=\(transA) transB=\(transB) accumulate=\(accumulate)"
                #expect(bitIdentical(fast, naive), "\(what): fast != naive", sourceLocation: sourceLocation)
                for tile in MatmulTile.allCases {
                    for t in threads {
                        let tiled = run {
                            matmul(a, b, $0, m: m, k: k, n: n, transA: transA, transB: transB,
                                   accumulate: accumulate, threads: t, tile: tile)
                        }
                        #expect(bitIdentical(tiled, naive), "\(what) tile=\(tile) threads=\(t): fast != naive",
                                sourceLocation: sourceLocation)
                    }
                }
            }
        }
    }
}

/// The model's matmuls as (M, K, J), each followed by its two backward forms:
/// dA[M, K] = dC[M, J] · Bᵀ, i.e. (M, J, K), and dB[K, J] = Aᵀ · dC, i.e. (K, M, J).
let modelShapes: [(Int, Int, Int)] = [(160, 64, 192), (160, 64, 256), (160, 256, 64), (32, 320, 128)]
    .flatMap { (m, k, n) in [(m, k, n), (m, n, k), (k, m, n)] }

@Test(arguments: modelShapes)
func fastMatchesNaiveOnModelShapes(shape: (Int, Int, Int)) {
    let (m, k, n) = shape
    expectFastMatchesNaive(m: m, k: k, n: n)
}

/// Sizes that do not fill the 4 x 16 or the 8 x 32 register block, in every position.
@Test(arguments: [1, 3, 9, 17, 63])
func fastMatchesNaiveOnOddSizes(m: Int) {
    for k in [1, 3, 17, 63] {
        for n in [1, 3, 17, 33, 63] { expectFastMatchesNaive(m: m, k: k, n: n) }
    }
}

/// Two threads, with edges in both directions and an odd number of row blocks; C wider than tall
/// (cut into column bands) and taller than wide (cut into row bands).
@Test func twoThreadsMatchNaive() {
    expectFastMatchesNaive(m: 67, k: 129, n: 75, threads: [2])
    expectFastMatchesNaive(m: 75, k: 129, n: 67, threads: [2])
}

/// A product large enough for `matmul` to calibrate its thread count: its first runs alternate one
/// and two threads, then it keeps the cheaper; every run gives the naive kernel's bits.
@Test func calibratedProductMatchesNaiveOnEveryRun() {
    let (m, k, n) = (131, 131, 251)
    #expect(m * k * n >= calibrationFloor)
    var g = Generator(seed: 9)
    let a = normals(m * k, &g), b = normals(k * n, &g)
    var naive = [Float](repeating: 0, count: m * n)
    naive.withUnsafeMutableBufferPointer { matmulNaive(a, b, $0.baseAddress!, m: m, k: k, n: n) }
    for run in 0..<(2 * ThreadCalibration.samplesPerSide + 2) {
        var fast = [Float](repeating: 0, count: m * n)
        fast.withUnsafeMutableBufferPointer { matmul(a, b, $0.baseAddress!, m: m, k: k, n: n) }
        #expect(bitIdentical(fast, naive), "run \(run)")
    }
}

/// Any number of threads gives the same bits: each element is summed by one thread, in one order.
@Test(arguments: [(37, 50, 90), (90, 50, 37)])
func threadCountDoesNotChangeBits(shape: (Int, Int, Int)) {
    let (m, k, n) = shape
    var g = Generator(seed: 3)
    let a = normals(m * k, &g)
    let b = normals(k * n, &g)
    let results = MatmulTile.allCases.flatMap { tile in
        [1, 2, 3, 8].map { threads in
            [Float](unsafeUninitializedCapacity: m * n) { c, count in
                matmul(a, b, c.baseAddress!, m: m, k: k, n: n, transA: false, transB: true,
                       accumulate: false, threads: threads, tile: tile)
                count = m * n
            }
        }
    }
    for r in results.dropFirst() { #expect(bitIdentical(r, results[0])) }
}

/// K = 0 is an empty sum: C becomes 0, or stays C + 0.
@Test func emptyInnerDimension() {
    expectFastMatchesNaive(m: 5, k: 0, n: 18)
}

/// Infinities and NaNs travel the same way through both kernels (same operations, same operand order).
@Test func specialValuesMatchNaive() {
    let (m, k, n) = (17, 9, 33)
    var g = Generator(seed: 5)
    var a = normals(m * k, &g)
    var b = normals(k * n, &g)
    a[3] = .infinity; a[40] = -.infinity; a[77] = .nan
    b[5] = .nan; b[100] = .infinity; b[k * n - 1] = -0.0
    for transB in [false, true] {
        var fast = [Float](repeating: 0, count: m * n)
        var naive = fast
        fast.withUnsafeMutableBufferPointer {
            matmul(a, b, $0.baseAddress!, m: m, k: k, n: n, transB: transB)
        }
        naive.withUnsafeMutableBufferPointer {
            matmulNaive(a, b, $0.baseAddress!, m: m, k: k, n: n, transB: transB)
        }
        #expect(bitIdentical(fast, naive))
    }
}

