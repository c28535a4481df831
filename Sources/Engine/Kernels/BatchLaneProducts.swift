// Many tiny products at once, one product per SIMD lane. Same dimension letters as `matmulNaive`:
//   C[t] = A[t] · B[t] for every batch entry t,  each [M, K] · [K, J] -> [M, J].
//
// Attention multiplies one pair of small matrices per (batch entry, head): 128 products of
// [5, 16] · [16, 5] per layer in the blog post's model, and as many again, of three other shapes, in
// backward. One such product is 400 multiply-adds: too few to pay for packing (Matmul.swift), and
// too few, with sums of only K = 5 or 16 terms, to keep a vector unit busy on its own.
//
// Why not vectorise *inside* one product, over its K terms? Because that changes the order of each
// sum: lanes would add up partial sums p = 0, 8, 16, … and p = 1, 9, … and then combine them, and
// float addition is not associative, so the bits would differ from `matmulNaive`. Every kernel in
// this project must agree with it bit for bit.
//
// So vectorise *across* products instead. Take `lanes` (8, or 16) consecutive batch
// entries; lane l of every vector belongs to entry t0 + l:
//
//   1. gather: the vector for A[i, p] holds A[t0 + l][i, p] in lane l (likewise B[p, j]);
//   2. compute each C[i, j] exactly as the naive loop does, `sum = 0; for p in 0..<K
//      { sum = sum + A[i, p] * B[p, j] }` (`multiplyAdd`), but on vectors: 8 products advance at once;
//   3. scatter lane l of every C[i, j] back to entry t0 + l.
//
// Each lane does its own product's arithmetic, in its order, and nothing else: the result is the
// naive one for every product, for any shape, transposition and batch count. In a last, partial
// block the unused lanes repeat the last product and are not written back.
//
// Gathering is a transpose: the block's operands are `lanes` rows (one per product) of M·K values,
// wanted as M·K vectors of `lanes`. Whole `lanes` × `lanes` squares are loaded as rows and transposed
// in registers (`transposeBlock`); scattering C is the same in reverse.

/// The lanes `batchLaneProducts` uses: 8 (one 256-bit vector), on every build. Measured on a Zen 4
/// core (AVX-512 run on 256-bit units; a CPU with full-width AVX-512 may favour 16), 128 products of
/// each of attention's four shapes, microbenchmark, minimum of 6 runs: 8.1-9.6 µs with 8 lanes against
/// 9.3-9.9 with 16 (whose 16 × 16 transposes cost more), and 24-42 µs one product at a time
/// (`matmulDirect`). `lanes: 16` stays available (and tested).
let productLanes = 8

/// Batches with at least this many tiny products go to `batchLaneProducts` (fewer: one by one).
let laneProductMinimumBatches = 8

/// `batches` products `C[t] = A[t] · B[t]`, each `[M, K] · [K, J]` with M·J·K small, computed
/// `lanes` products at a time, one per SIMD lane (see the top of this file). Bit for bit
/// `matmulNaive` for every product.
///
/// With `threads` 2, this thread takes the first blocks of lanes and the helper thread the rest
/// (cut at a multiple of `lanes`); every product is still computed whole by one lane of one thread.
///
/// - Parameters:
///   - a: product t's A at `a + t * aStride`: `[M, K]` row-major, or `[K, M]` when `transA`.
///   - b: product t's B at `b + t * bStride`: `[K, J]` row-major, or `[J, K]` when `transB`.
///   - c: `[batches, M, J]` output (written, not added to).
///   - lanes: 8 or 16 (the tests run both).
// a: [batches, M, K] (strided), b: [batches, K, J] (strided) -> c: [batches, M, J]
func batchLaneProducts(_ a: UnsafePointer<Float>, aStride: Int, _ b: UnsafePointer<Float>, bStride: Int,
                       _ c: UnsafeMutablePointer<Float>, batches: Int, m: Int, k: Int, n: Int,
                       transA: Bool, transB: Bool, threads: Int = 1, lanes: Int = productLanes) {
    precondition(lanes == 8 || lanes == 16, "batchLaneProducts: lanes \(lanes) is neither 8 nor 16")
    precondition(batches >= 0 && m >= 0 && k >= 0 && n >= 0, "batchLaneProducts: negative size")
    if batches == 0 || m == 0 || n == 0 { return }
    func blocks(_ range: Range<Int>) {
        if lanes == 16 {
            laneBlocks(SIMD16<Float>.self, a, aStride, b, bStride, c, range,
                       m: m, k: k, n: n, transA: transA, transB: transB)
        } else {
            laneBlocks(SIMD8<Float>.self, a, aStride, b, bStride, c, range,
                       m: m, k: k, n: n, transA: transA, transB: transB)
        }
    }
    let half = (batches / 2) / lanes * lanes
    if threads > 1 && half > 0 {
        HelperThread.shared.run({ blocks(0..<half) }, { blocks(half..<batches) })
    } else {
        blocks(0..<batches)
    }
}

/// The two vector widths `batchLaneProducts` runs on, with what it needs of each.
protocol LaneVector: SIMD where Scalar == Float {
    /// `multiplyAdd` on this width: `sum + x * y` (fused with `TRAINLAB_FMA`).
    static func step(_ sum: Self, _ x: Self, _ y: Self) -> Self
    /// x's even lanes then y's, and x's odd lanes then y's: one round of `transposeBlock`.
    static func unzip(_ x: Self, _ y: Self) -> (evens: Self, odds: Self)
}

extension SIMD8: LaneVector where Scalar == Float {
    @inline(__always) static func step(_ sum: Self, _ x: Self, _ y: Self) -> Self { multiplyAdd(sum, x, y) }
    @inline(__always) static func unzip(_ x: Self, _ y: Self) -> (evens: Self, odds: Self) {
        (Self(lowHalf: x.evenHalf, highHalf: y.evenHalf), Self(lowHalf: x.oddHalf, highHalf: y.oddHalf))
    }
}

extension SIMD16: LaneVector where Scalar == Float {
    @inline(__always) static func step(_ sum: Self, _ x: Self, _ y: Self) -> Self { multiplyAdd(sum, x, y) }
    @inline(__always) static func unzip(_ x: Self, _ y: Self) -> (evens: Self, odds: Self) {
        (Self(lowHalf: x.evenHalf, highHalf: y.evenHalf), Self(lowHalf: x.oddHalf, highHalf: y.oddHalf))
    }
}

/// The products `range` of `batchLaneProducts`, in blocks of `V.scalarCount` lanes.
@inline(__always)
private func laneBlocks<V: LaneVector>(_: V.Type, _ a: UnsafePointer<Float>, _ aStride: Int,
                                       _ b: UnsafePointer<Float>, _ bStride: Int,
                                       _ c: UnsafeMutablePointer<Float>, _ range: Range<Int>,
                                       m: Int, k: Int, n: Int, transA: Bool, transB: Bool) {
    let lanes = V.scalarCount
    // A[i, p] = a[i * aRow + p * aCol],  B[p, j] = b[p * bRow + j * bCol]  (as in `matmulDirect`)
    let (aRow, aCol) = transA ? (1, m) : (k, 1)
    let (bRow, bCol) = transB ? (1, k) : (n, 1)
    let (aSize, bSize, cSize) = (m * k, k * n, m * n)
    // The block's operands, lane-interleaved: value x of every product's buffer is the vector at
    // x * lanes (its lane l from product t0 + l).
    let scratch = allocateFloats((aSize + bSize + cSize) * lanes)
    defer { scratch.deallocate() }
    let (pa, pb, pc) = (scratch, scratch + aSize * lanes, scratch + (aSize + bSize) * lanes)
    func vector(_ p: UnsafeMutablePointer<Float>) -> V { UnsafeRawPointer(p).load(as: V.self) }
    let (aStep, bStep) = (aCol * lanes, bRow * lanes)

    var t0 = range.lowerBound
    while t0 < range.upperBound {
        let filled = min(lanes, range.upperBound - t0)
        // 1. Gather: lane l of vector x is value x of product t0 + l (lanes past the last product
        //    repeat it, so they compute on real numbers; they are not written back).
        gather(V.self, a, aStride, size: aSize, into: pa, first: t0, filled: filled)
        gather(V.self, b, bStride, size: bSize, into: pb, first: t0, filled: filled)
        // 2. The M·J sums, four independent ones at a time (so the additions of one wait less for
        //    the last); the last group repeats its last element where M·J is not a multiple of 4.
        var e = 0
        while e < cSize {
            let e0 = e, e1 = min(e + 1, cSize - 1), e2 = min(e + 2, cSize - 1), e3 = min(e + 3, cSize - 1)
            let a0 = e0 / n * aRow, a1 = e1 / n * aRow, a2 = e2 / n * aRow, a3 = e3 / n * aRow
            let b0 = e0 % n * bCol, b1 = e1 % n * bCol, b2 = e2 % n * bCol, b3 = e3 % n * bCol
            // Where A[i, p] and B[p, j] of each sum are, moved on one step of p at a time.
            var (x0, x1, x2, x3) = (pa + a0 * lanes, pa + a1 * lanes, pa + a2 * lanes, pa + a3 * lanes)
            var (y0, y1, y2, y3) = (pb + b0 * lanes, pb + b1 * lanes, pb + b2 * lanes, pb + b3 * lanes)
            var s0 = V(), s1 = V(), s2 = V(), s3 = V()
            for _ in 0..<k {
                s0 = V.step(s0, vector(x0), vector(y0))
                s1 = V.step(s1, vector(x1), vector(y1))
                s2 = V.step(s2, vector(x2), vector(y2))
                s3 = V.step(s3, vector(x3), vector(y3))
                (x0, x1, x2, x3) = (x0 + aStep, x1 + aStep, x2 + aStep, x3 + aStep)
                (y0, y1, y2, y3) = (y0 + bStep, y1 + bStep, y2 + bStep, y3 + bStep)
            }
            UnsafeMutableRawPointer(pc + e0 * lanes).storeBytes(of: s0, as: V.self)
            UnsafeMutableRawPointer(pc + e1 * lanes).storeBytes(of: s1, as: V.self)
            UnsafeMutableRawPointer(pc + e2 * lanes).storeBytes(of: s2, as: V.self)
            UnsafeMutableRawPointer(pc + e3 * lanes).storeBytes(of: s3, as: V.self)
            e += 4
        }
        // 3. Scatter: lane l of every C[i, j] to product t0 + l.
        scatter(V.self, pc, size: cSize, to: c, first: t0, filled: filled)
        t0 += lanes
    }
}

/// Gathers `lanes` products' operands (product t at `x + t * stride`, `size` values each) into
/// `pack`, value v of product `first + l` at `pack[v * lanes + l]`; lanes from `filled` on repeat
/// the last product. Whole `lanes` × `lanes` blocks are loaded one row per product and transposed
/// in registers (`transposeBlock`); the last values, fewer than `lanes`, one by one.
@inline(__always)
private func gather<V: LaneVector>(_: V.Type, _ x: UnsafePointer<Float>, _ stride: Int, size: Int,
                                   into pack: UnsafeMutablePointer<Float>, first: Int, filled: Int) {
    let lanes = V.scalarCount, whole = size / lanes * lanes
    for l in 0..<lanes {
        let source = x + (first + min(l, filled - 1)) * stride
        for v0 in Swift.stride(from: 0, to: whole, by: lanes) {
            let row = UnsafeRawPointer(source + v0).loadUnaligned(as: V.self)
            UnsafeMutableRawPointer(pack + (v0 + l) * lanes).storeBytes(of: row, as: V.self)
        }
        for v in whole..<size { pack[v * lanes + l] = source[v] }
    }
    for v0 in Swift.stride(from: 0, to: whole, by: lanes) { transposeBlock(V.self, pack + v0 * lanes) }
}

/// The inverse of `gather` for C: value v of product `first + l` from `pack[v * lanes + l]`, for the
/// `filled` products of the block. Transposes `pack`'s whole blocks in place first.
@inline(__always)
private func scatter<V: LaneVector>(_: V.Type, _ pack: UnsafeMutablePointer<Float>, size: Int,
                                    to c: UnsafeMutablePointer<Float>, first: Int, filled: Int) {
    let lanes = V.scalarCount, whole = size / lanes * lanes
    for v0 in Swift.stride(from: 0, to: whole, by: lanes) { transposeBlock(V.self, pack + v0 * lanes) }
    for l in 0..<filled {
        let target = c + (first + l) * size
        for v0 in Swift.stride(from: 0, to: whole, by: lanes) {
            let row = UnsafeRawPointer(pack + (v0 + l) * lanes).load(as: V.self)
            UnsafeMutableRawPointer(target + v0).storeBytes(of: row, as: V.self)
        }
        for v in whole..<size { target[v] = pack[v * lanes + l] }
    }
}

/// Transposes in place the `lanes` × `lanes` block of floats at `p` (`lanes` vectors one after
/// another): lane c of vector r goes to lane r of vector c.
///
/// In log₂(lanes) rounds. Round `bit` (1, 2, 4, …) unzips each pair of vectors r, r + bit (r without
/// that bit): the even lanes of both go to vector r, the odd lanes to r + bit. Each round moves one
/// bit of the lane's index into the vector's index and one bit of the vector's index into the top of
/// the lane's; after all rounds the two indices have traded places. 8 × 8: 24 half-unzips of two
/// shuffles each (`vshufps`, `vpermpd`) for 64 values; 16 × 16: 64 two-source permutes (`vpermi2ps`,
/// AVX-512) for 256. Either way far fewer instructions than a load and a store per value.
@inline(__always)
private func transposeBlock<V: LaneVector>(_: V.Type, _ p: UnsafeMutablePointer<Float>) {
    let lanes = V.scalarCount
    let raw = UnsafeMutableRawPointer(p)
    var bit = 1
    while bit < lanes {
        for r in 0..<lanes where r & bit == 0 {
            let x = raw.load(fromByteOffset: r * lanes * 4, as: V.self)
            let y = raw.load(fromByteOffset: (r + bit) * lanes * 4, as: V.self)
            let (evens, odds) = V.unzip(x, y)
            raw.storeBytes(of: evens, toByteOffset: r * lanes * 4, as: V.self)
            raw.storeBytes(of: odds, toByteOffset: (r + bit) * lanes * 4, as: V.self)
        }
        bit *= 2
    }
}
