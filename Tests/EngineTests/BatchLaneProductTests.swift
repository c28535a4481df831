import Testing
@testable import Engine

// `batchLaneProducts` (one tiny product per SIMD lane) against `matmulNaive` run product by product:
// the same bits for every shape, transposition, batch count, stride and lane width.

/// A batch of operands: `batches` products' A and B, `aStride`/`bStride` apart (0: one matrix shared
/// by every product), normal values with about one in eight set to 0 (and -0 now and then).
private struct Operands {
    var a: [Float], b: [Float], aStride: Int, bStride: Int

    init(batches: Int, m: Int, k: Int, n: Int, aStride: Int, bStride: Int, generator g: inout Generator) {
        func values(_ count: Int) -> [Float] {
            (0..<count).map { _ in
                let x = g.nextNormal(), u = g.nextFloat()
                return u < 0.1 ? 0 : (u < 0.125 ? -0.0 : x)
            }
        }
        self.aStride = aStride
        self.bStride = bStride
        a = values(max(batches - 1, 0) * aStride + m * k)
        b = values(max(batches - 1, 0) * bStride + k * n)
    }

    /// Each product by `matmulNaive`: `[batches, M, J]`.
    func naive(batches: Int, m: Int, k: Int, n: Int, transA: Bool, transB: Bool) -> [Float] {
        var c = [Float](repeating: .nan, count: batches * m * n)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    for t in 0..<batches {
                        matmulNaive(a.baseAddress! + t * aStride, b.baseAddress! + t * bStride,
                                    c.baseAddress! + t * m * n, m: m, k: k, n: n, transA: transA, transB: transB)
                    }
                }
            }
        }
        return c
    }

    /// All products by `batchLaneProducts`: `[batches, M, J]`.
    func lanes(batches: Int, m: Int, k: Int, n: Int, transA: Bool, transB: Bool,
               threads: Int = 1, lanes: Int) -> [Float] {
        var c = [Float](repeating: .nan, count: batches * m * n)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    batchLaneProducts(a.baseAddress!, aStride: aStride, b.baseAddress!, bStride: bStride,
                                      c.baseAddress!, batches: batches, m: m, k: k, n: n,
                                      transA: transA, transB: transB, threads: threads, lanes: lanes)
                }
            }
        }
        return c
    }
}

/// Seeded random shapes (M, K, J each in 1…20), the edges, and attention's four per-head shapes.
private let shapes: [(m: Int, k: Int, n: Int)] = {
    var g = Generator(seed: 2026)
    var list = [(1, 1, 1), (20, 20, 10), (1, 20, 1), (20, 1, 20), (5, 16, 5), (5, 5, 16), (16, 5, 5)]
    for _ in 0..<20 {
        list.append((1 + Int(g.nextFloat() * 20) % 20, 1 + Int(g.nextFloat() * 20) % 20,
                     1 + Int(g.nextFloat() * 20) % 20))
    }
    return list.map { (m: $0.0, k: $0.1, n: $0.2) }
}()

/// Every shape, all four transpositions, batch counts that do and do not fill whole blocks of lanes.
@Test(arguments: [8, 16])
func batchLaneProductsMatchTheNaiveKernel(lanes: Int) {
    var g = Generator(seed: UInt64(lanes))
    for (m, k, n) in shapes {
        let operands = Operands(batches: 40, m: m, k: k, n: n, aStride: m * k, bStride: k * n, generator: &g)
        for transA in [false, true] {
            for transB in [false, true] {
                for batches in [1, 7, 8, 9, 15, 16, 17, 31, 33, 40] {
                    let fast = operands.lanes(batches: batches, m: m, k: k, n: n, transA: transA, transB: transB,
                                              lanes: lanes)
                    let naive = operands.naive(batches: batches, m: m, k: k, n: n, transA: transA, transB: transB)
                    #expect(bitIdentical(fast, naive),
                            "[\(m), \(k)] · [\(k), \(n)], transA \(transA), transB \(transB), \(batches) products")
                }
            }
        }
    }
}

/// Operands that are not packed back to back: a gap between products, or one B shared by all
/// (stride 0, as `matmul` broadcasts a rank-2 operand).
@Test(arguments: [8, 16])
func batchLaneProductsFollowTheStrides(lanes: Int) {
    var g = Generator(seed: 99)
    let (m, k, n, batches) = (5, 16, 5, 37)
    for (aStride, bStride) in [(m * k + 3, k * n + 11), (m * k, 0), (0, k * n)] {
        let operands = Operands(batches: batches, m: m, k: k, n: n, aStride: aStride, bStride: bStride,
                                generator: &g)
        for (transA, transB) in [(false, false), (false, true), (true, false)] {
            let fast = operands.lanes(batches: batches, m: m, k: k, n: n, transA: transA, transB: transB,
                                      lanes: lanes)
            let naive = operands.naive(batches: batches, m: m, k: k, n: n, transA: transA, transB: transB)
            #expect(bitIdentical(fast, naive), "strides \(aStride), \(bStride), transA \(transA), transB \(transB)")
        }
    }
}

/// Two threads (the batch cut at a multiple of the lanes) give one thread's bits, on attention's
/// shapes in the blog post's model (128 problems) and on batch counts that leave partial blocks.
@Test func batchLaneProductsGiveTheSameBitsOnTwoThreads() {
    var g = Generator(seed: 5)
    for (m, k, n, transA, transB) in [(5, 16, 5, false, true), (5, 5, 16, false, false), (5, 5, 16, true, false)] {
        for batches in [128, 40, 17] {
            let operands = Operands(batches: batches, m: m, k: k, n: n, aStride: m * k, bStride: k * n, generator: &g)
            let naive = operands.naive(batches: batches, m: m, k: k, n: n, transA: transA, transB: transB)
            for lanes in [8, 16] {
                let one = operands.lanes(batches: batches, m: m, k: k, n: n, transA: transA, transB: transB,
                                         threads: 1, lanes: lanes)
                let two = operands.lanes(batches: batches, m: m, k: k, n: n, transA: transA, transB: transB,
                                         threads: 2, lanes: lanes)
                #expect(bitIdentical(one, naive) && bitIdentical(two, naive), "\(batches) products, \(lanes) lanes")
            }
        }
    }
}

/// `batchedProduct` on attention's products (routed to the lanes): the naive bits, with the
/// default (calibrated) threads and with 1 and 2 forced.
@Test func batchedProductOfTinyProductsMatchesTheNaiveKernel() {
    var g = Generator(seed: 21)
    let batches = 128
    for (m, k, n, transA, transB) in [(5, 16, 5, false, true), (5, 5, 16, false, false), (5, 5, 16, true, false),
                                      (5, 16, 5, false, false), (3, 4, 2, true, true)] {
        let operands = Operands(batches: batches, m: m, k: k, n: n, aStride: m * k, bStride: k * n, generator: &g)
        let naive = operands.naive(batches: batches, m: m, k: k, n: n, transA: transA, transB: transB)
        for threads in [nil, 1, 2] as [Int?] {
            let fast = batchedProduct(operands.a, m * k, operands.b, k * n, batches: batches, m: m, k: k, n: n,
                                      transA: transA, transB: transB, threads: threads)
            #expect(bitIdentical(fast, naive), "[\(m), \(k)] · [\(k), \(n)], threads \(String(describing: threads))")
        }
    }
}
