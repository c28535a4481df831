import Dispatch


// The fast matmul. Same dimension letters and the same signature as `matmulNaive` (read that first):
//   C[M, J] = A[M, K] · B[K, J]      A from a [K, M] buffer when `transA`, B from [J, K] when `transB`.
//
// Three ideas make it about 20x faster than the naive loop on one core (see `bench`), while giving
// the *same bits*:
//
// 1. Register blocking. The micro-kernel (MatmulMicroKernel.swift) computes a whole tile of C at
//    once, kept in vector registers for the whole K loop: 16 x 16 in sixteen SIMD16 registers on
//    an AVX-512 CPU, 4 x 16 in eight SIMD8 registers otherwise. Each step loads one row of B's
//    panel and broadcasts one value of A per tile row, then does 256 (or 64) multiply-adds, so
//    arithmetic, not memory, sets the pace.
// 2. Packing. Before multiplying, B is copied into column panels as wide as the tile, each laid
//    out in exactly the order the micro-kernel reads it (one contiguous stream, aligned, padded
//    with zeros at the right edge). A needs no copy: the micro-kernel reads its tile rows in place
//    through two strides (so Aᵀ costs nothing extra either); only a last, partial block of rows is
//    copied into a zero-padded scratch block. Padding means the micro-kernel never needs a special
//    case for odd sizes; the padded lanes are simply not written back.
// 3. Two threads where they pay: this thread and a helper thread that stays awake between products
//    (HelperThread.swift) each compute half of C's column panels (or rows), packing included.
//    Whether they pay is measured per shape at its first products (ThreadCalibration.swift).
//
// Determinism: every element of C is still `sum = 0; for p in 0..<K { sum += A[i,p] * B[p,j] }`
// followed by `C = sum` or `C = C + sum`, with plain `*` and `+` in that order (see the micro-kernel
// for why there is no fused multiply-add). So `matmul` == `matmulNaive` bit for bit, for any size,
// any transposition, either tile and any number of threads, on every machine.

/// The register tile of the micro-kernel: how many rows and columns of C it computes at once.
package enum MatmulTile: Sendable, CaseIterable {
    /// 4 x 16 in SIMD8 vectors (`microKernel4x16`): fits the 16 vector registers of AVX2.
    case simd8
    /// 16 x 16 in SIMD16 vectors (`microKernel16x16`): one 512-bit register per row on AVX-512.
    case simd16

    /// Rows of C the tile covers.
    var rows: Int { self == .simd8 ? 4 : 16 }
    /// Columns of C the tile covers (both tiles: 16, the width of one B panel).
    var cols: Int { 16 }
}

/// The tile `matmul` uses: the widest this build's vector unit runs natively (Package.swift sets
/// `TRAINLAB_AVX512` when the build machine has AVX-512). Both give the same bits.
#if TRAINLAB_AVX512
package let defaultMatmulTile = MatmulTile.simd16
#else
package let defaultMatmulTile = MatmulTile.simd8
#endif

/// Products with fewer multiply-adds (M·J·K) than this always run on one thread: a hand-off to the
/// helper costs about as much as such a product (~0.5 µs). Larger ones let `ThreadCalibration`
/// decide by measurement (ThreadCalibration.swift).
let calibrationFloor = 64 * 1024

/// Products with at most this many multiply-adds (M·J·K) skip packing and run the plain loop.
let tinyProductThreshold = 4096

/// The fast matmul used by every op: C[M, J] = A[M, K] · B[K, J] (or `C += …` with `accumulate`);
/// `m`, `k`, `n` are M, K, J.
///
/// Same signature and bit-for-bit the same result as `matmulNaive`; see the top of this file for how.
/// Uses two threads where this thread's calibration measured them cheaper for this shape.
///
/// - Parameters:
///   - a: `[M, K]` row-major, or `[K, M]` when `transA`.
///   - b: `[K, J]` row-major, or `[J, K]` when `transB`.
///   - c: `[M, J]` row-major output; read first when `accumulate`.
package func matmul(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                    m: Int, k: Int, n: Int, transA: Bool = false, transB: Bool = false,
                    accumulate: Bool = false) {
    // Tiny products, like attention's per-head [5, 16] · [16, 5], cost more to pack than to compute:
    // the plain loop does them directly (with the same arithmetic, so the bits do not change).
    if m * n * k <= tinyProductThreshold {
        matmulDirect(a, b, c, m: m, k: k, n: n, transA: transA, transB: transB, accumulate: accumulate)
        return
    }
    guard m * n * k >= calibrationFloor && matmulMaxThreads > 1 else {
        matmul(a, b, c, m: m, k: k, n: n, transA: transA, transB: transB, accumulate: accumulate, threads: 1)
        return
    }
    let operation: WorkKind.Operation = transA ? (transB ? .matmulTransAB : .matmulTransA)
                                               : (transB ? .matmulTransB : .matmul)
    withCalibratedThreads(WorkKind(operation: operation, m: m, k: k, n: n)) { threads in
        matmul(a, b, c, m: m, k: k, n: n, transA: transA, transB: transB, accumulate: accumulate,
               threads: threads)
    }
}

/// The fast matmul on one thread, or (`threads` ≥ 2) on this thread and the helper thread
/// (HelperThread.swift), with the given tile (the benchmark compares 1 and 2 threads, the tests
/// both tiles). The project's machines have two cores, so more than two threads are not used.
///
/// C is cut into two rectangles, one per thread: every element of C is computed by one thread, in
/// the same order as with one thread, so the bits do not depend on the thread count or on timing.
package func matmul(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                    m: Int, k: Int, n: Int, transA: Bool, transB: Bool, accumulate: Bool,
                    threads: Int, tile: MatmulTile = defaultMatmulTile) {
    precondition(m >= 0 && k >= 0 && n >= 0, "matmul: negative size m=\(m) k=\(k) n=\(n)")
    if m == 0 || n == 0 { return }

    // A small A times a wide Bᵀ (the head's dX = dY · Wᵀ, [32, 128] · [128, 320]ᵀ): packing Bᵀ's K·J
    // values would cost more than the product. Compute Cᵀ = B · Aᵀ instead, reading the [J, K] buffer
    // in place as the left operand, packing only Aᵀ's K·M values, and writing each tile of Cᵀ
    // transposed into C. Same terms, same order, and `x * y == y * x` exactly: the same bits.
    if transB && !transA && m * (k + n) < k * n / 2 {
        product(b, aStrides: (row: k, col: 1), a, bStrides: (row: 1, col: k), c, cStrides: (row: 1, col: n),
                m: n, k: k, n: m, accumulate: accumulate, threads: threads, tile: tile)
        return
    }
    // Where A[i, p] and B[p, j] live: a[i * aStrides.row + p * aStrides.col], likewise for b.
    product(a, aStrides: transA ? (row: 1, col: m) : (row: k, col: 1),
            b, bStrides: transB ? (row: 1, col: k) : (row: n, col: 1), c, cStrides: (row: n, col: 1),
            m: m, k: k, n: n, accumulate: accumulate, threads: threads, tile: tile)
}

/// C[M, J] (+)= A[M, K] · B[K, J] with every operand given by strides: A[i, p] at
/// `a[i * aStrides.row + p * aStrides.col]`, likewise B and C. Cuts C between the threads.
func product(_ a: UnsafePointer<Float>, aStrides: (row: Int, col: Int),
             _ b: UnsafePointer<Float>, bStrides: (row: Int, col: Int),
             _ c: UnsafeMutablePointer<Float>, cStrides: (row: Int, col: Int),
             m: Int, k: Int, n: Int, accumulate: Bool, threads: Int, tile: MatmulTile) {
    let rowBlocks = (m + tile.rows - 1) / tile.rows
    let colPanels = (n + tile.cols - 1) / tile.cols

    // Two threads: C is cut into two bands of column panels (or of row blocks when it has a single
    // panel). Each thread packs only its own panels of B; A is read in place by both.
    let splitColumns = colPanels >= 2
    guard threads >= 2 && (splitColumns || rowBlocks >= 2) else {
        computeRectangle(rowBlocks: 0..<rowBlocks, colPanels: 0..<colPanels, tile: tile,
                         a: a, aStrides: aStrides, b: b, bStrides: bStrides, c: c, cStrides: cStrides,
                         m: m, k: k, n: n, accumulate: accumulate)
        return
    }
    let cut = splitColumns ? colPanels / 2 : rowBlocks / 2
    func half(_ share: Range<Int>) -> RectangleJob {
        RectangleJob(rowBlocks: splitColumns ? 0..<rowBlocks : share,
                     colPanels: splitColumns ? share : 0..<colPanels, tile: tile,
                     a: a, aStrides: aStrides, b: b, bStrides: bStrides, c: c, cStrides: cStrides,
                     m: m, k: k, n: n, accumulate: accumulate)
    }
    let first = half(0..<cut), second = half(cut..<(splitColumns ? colPanels : rowBlocks))
    HelperThread.shared.run({ first.run() }, { second.run() })
}

/// One thread's share of a product: the arguments of one `computeRectangle` call.
struct RectangleJob: @unchecked Sendable {
    // @unchecked Sendable: raw pointers. The caller does not touch C's rectangle of this job until
    // `state` says the job is done.
    var rowBlocks: Range<Int>, colPanels: Range<Int>, tile: MatmulTile
    var a: UnsafePointer<Float>, aStrides: (row: Int, col: Int)
    var b: UnsafePointer<Float>, bStrides: (row: Int, col: Int)
    var c: UnsafeMutablePointer<Float>, cStrides: (row: Int, col: Int), m: Int, k: Int, n: Int
    var accumulate: Bool

    func run() {
        computeRectangle(rowBlocks: rowBlocks, colPanels: colPanels, tile: tile, a: a, aStrides: aStrides,
                         b: b, bStrides: bStrides, c: c, cStrides: cStrides, m: m, k: k, n: n,
                         accumulate: accumulate)
    }
}

/// Computes one rectangle of C: the rows of `rowBlocks` (`tile.rows` rows each) times the columns
/// of `colPanels` (`tile.cols` columns each). Packs that part of B, then runs the micro-kernel on
/// every tile, reading A in place.
func computeRectangle(rowBlocks: Range<Int>, colPanels: Range<Int>, tile: MatmulTile,
                      a: UnsafePointer<Float>, aStrides: (row: Int, col: Int),
                      b: UnsafePointer<Float>, bStrides: (row: Int, col: Int),
                      c: UnsafeMutablePointer<Float>, cStrides: (row: Int, col: Int),
                      m: Int, k: Int, n: Int, accumulate: Bool) {
    let (tileRows, tileCols) = (tile.rows, tile.cols)
    // One scratch buffer per thread, kept between calls: the packed panels of B, then one padded
    // block of A (used only for a last, partial block of rows).
    let panelFloats = tileCols * k
    let scratch = packingScratch.value.floats(colPanels.count * panelFloats + tileRows * k)
    let packedB = scratch, edgeBlock = scratch + colPanels.count * panelFloats
    packB(b, rowStride: bStrides.row, colStride: bStrides.col, panels: colPanels, width: tileCols,
          k: k, n: n, into: packedB)
    let lastBlock = rowBlocks.last ?? 0
    let partialRows = m - lastBlock * tileRows
    if !rowBlocks.isEmpty && partialRows < tileRows {
        packA(a, rowStride: aStrides.row, colStride: aStrides.col, block: lastBlock, height: tileRows,
              m: m, k: k, into: edgeBlock)
    }

    // Panel-outer order: one B panel (K x 16 floats, at most 20 KB for the model's shapes) stays in
    // the L1 cache while the blocks of A stream past it.
    for (panelIndex, panel) in colPanels.enumerated() {
        let j0 = panel * tileCols
        let bPanel = packedB + panelIndex * panelFloats
        let cols = min(tileCols, n - j0)
        for block in rowBlocks {
            let i0 = block * tileRows
            let rows = min(tileRows, m - i0)
            // A's tile rows: in place (A[i0 + r, p] at aTile[r * aRow + p * aCol]), or the padded copy.
            let inPlace = rows == tileRows
            let aTile = inPlace ? a + i0 * aStrides.row : UnsafePointer(edgeBlock)
            let (aRow, aCol) = inPlace ? aStrides : (1, tileRows)
            let cTile = c + i0 * cStrides.row + j0 * cStrides.col
            switch tile {
            case .simd16:
                microKernel16x16(aTile, aRow: aRow, aCol: aCol, bPanel, k: k, cTile, ldc: cStrides.row,
                                 cCol: cStrides.col, rows: rows, cols: cols, accumulate: accumulate)
            case .simd8:
                microKernel4x16(aTile, aRow: aRow, aCol: aCol, bPanel, k: k, cTile, ldc: cStrides.row,
                                cCol: cStrides.col, rows: rows, cols: cols, accumulate: accumulate)
            }
        }
    }
}

/// A growable Float buffer, aligned to a cache line, that one thread reuses for packing.
final class PackingScratch {
    private var pointer: UnsafeMutablePointer<Float>
    private var capacity = 0

    init() { pointer = allocateFloats(0) }
    deinit { pointer.deallocate() }

    /// At least `count` floats (their contents are garbage), valid until the next call on this thread.
    func floats(_ count: Int) -> UnsafeMutablePointer<Float> {
        if count > capacity {
            pointer.deallocate()
            capacity = max(count, 2 * capacity)
            pointer = allocateFloats(capacity)
        }
        return pointer
    }
}

/// This thread's packing buffer: no allocation per product once it has grown to the largest one.
let packingScratch = ThreadLocal { PackingScratch() }

// MARK: - Packing

/// An uninitialised Float buffer aligned to a cache line (64 bytes), so SIMD loads never straddle two.
@inline(__always)
func allocateFloats(_ count: Int) -> UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        .bindMemory(to: Float.self, capacity: max(count, 1))
}

/// Packs one block of A (`height` rows, the last ones past M as zeros) in the order the
/// micro-kernel reads it:
///
///     packed[p][r] = A[height·block + r, p]       // [K, height], rows past M are 0
///
/// A[i, p] is read at `a[i * rowStride + p * colStride]`, so one function serves A and Aᵀ.
func packA(_ a: UnsafePointer<Float>, rowStride: Int, colStride: Int, block: Int, height: Int,
           m: Int, k: Int, into packed: UnsafeMutablePointer<Float>) {
    let i0 = block * height
    let valid = min(height, m - i0)
    var out = packed
    for p in 0..<k {
        for r in 0..<height {
            out[r] = r < valid ? a[(i0 + r) * rowStride + p * colStride] : 0
        }
        out += height
    }
}

/// Packs the column panels `panels` of B (`width` = 16 columns each) in the order the
/// micro-kernel reads them:
///
///     packed[panel][p][c] = B[p, width·panel + c]      // [panels, K, width], columns past J are 0
///
/// B[p, j] is read at `b[p * rowStride + j * colStride]`, so one function serves B and Bᵀ.
func packB(_ b: UnsafePointer<Float>, rowStride: Int, colStride: Int, panels: Range<Int>, width: Int,
           k: Int, n: Int, into packed: UnsafeMutablePointer<Float>) {
    for (index, panel) in panels.enumerated() {
        let j0 = panel * width
        let valid = min(width, n - j0)
        let out = packed + index * width * k
        if colStride == 1 && valid == width {
            // B stored as [K, J]: each step's values are adjacent, copy them eight at a time.
            for p in 0..<k {
                let src = UnsafeRawPointer(b + p * rowStride + j0)
                let dst = UnsafeMutableRawPointer(out + p * width)
                var offset = 0
                while offset < width * 4 {   // (a `stride(from:to:by:)` loop here was not inlined)
                    dst.storeBytes(of: src.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self),
                                   toByteOffset: offset, as: SIMD8<Float>.self)
                    offset += 32
                }
            }
        } else if colStride == 1 {
            // The last, partial panel of B: pad with zeros.
            for p in 0..<k {
                let src = b + p * rowStride + j0
                let dst = out + p * width
                for col in 0..<width { dst[col] = col < valid ? src[col] : 0 }
            }
        } else if rowStride == 1 && valid == width && width == 16 {
            // Bᵀ stored as [J, K], a whole panel: transpose 8 x 8 blocks in registers.
            packTransposedPanel(b + j0 * colStride, colStride: colStride, k: k, into: out)
        } else {
            // Bᵀ stored as [J, K]: read each column of B (a row of the buffer) front to back.
            for col in 0..<width {
                if col < valid {
                    let src = b + (j0 + col) * colStride
                    for p in 0..<k { out[p * width + col] = src[p * rowStride] }
                } else {
                    for p in 0..<k { out[p * width + col] = 0 }
                }
            }
        }
    }
}

/// One whole panel of B from a `[J, K]` buffer (Bᵀ, as the linear layer's `x · Wᵀ` reads W):
///
///     packed[p][c] = B[p, c] = src[c * colStride + p]        // [K, 16]
///
/// One column of B is a row of the buffer, contiguous, but the panel wants the 16 columns of one
/// step side by side. Element by element that is 16·K scattered stores; instead 8 rows of 8 steps
/// are loaded as eight SIMD8 vectors and written out transposed, eight steps of 8 columns at a
/// time. Measured for a [192, 64] weight: 1.6-2.1 µs against 4.9-5.3 µs one element at a time
/// (a forward product of that weight takes ~20 µs). A copy: no bit changes.
func packTransposedPanel(_ src: UnsafePointer<Float>, colStride: Int, k: Int,
                         into out: UnsafeMutablePointer<Float>) {
    var p = 0
    while p + 8 <= k {
        for half in 0..<2 {
            let s = src + half * 8 * colStride + p
            func column(_ c: Int) -> SIMD8<Float> {     // B[p..<p+8, 8·half + c]
                UnsafeRawPointer(s + c * colStride).loadUnaligned(as: SIMD8<Float>.self)
            }
            let (r0, r1, r2, r3) = (column(0), column(1), column(2), column(3))
            let (r4, r5, r6, r7) = (column(4), column(5), column(6), column(7))
            let d = UnsafeMutableRawPointer(out + p * 16 + half * 8)
            for q in 0..<8 {                           // step p + q: 8 columns side by side
                let step = SIMD8(r0[q], r1[q], r2[q], r3[q], r4[q], r5[q], r6[q], r7[q])
                d.storeBytes(of: step, toByteOffset: q * 64, as: SIMD8<Float>.self)
            }
        }
        p += 8
    }
    for p in p..<k {
        for c in 0..<16 { out[p * 16 + c] = src[c * colStride + p] }
    }
}

/// `matmulNaive`'s arithmetic for products so small that packing would cost more than the
/// multiplications (attention's per-head [5, 16] · [16, 5]): each C[i, j] still sums its K terms
/// in order p = 0, 1, … from 0, then is stored or added to C.
///
/// The loops run i, p, j rather than i, j, p: the J sums of one row of C advance together, one
/// term each per step p, in a small buffer. One sum alone is a chain of K dependent additions,
/// each waiting ~3 cycles for the last; J independent chains overlap (and vectorise when B's rows
/// are contiguous). Measured (perf, seed workload): attention's per-head products went from 7.6 %
/// to 5.1 % of a training step.
func matmulDirect(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                  m: Int, k: Int, n: Int, transA: Bool, transB: Bool, accumulate: Bool) {
    // A[i, p] = a[i * aRow + p * aCol],  B[p, j] = b[p * bRow + j * bCol]
    let (aRow, aCol) = transA ? (1, m) : (k, 1)
    let (bRow, bCol) = transB ? (1, k) : (n, 1)
    withUnsafeTemporaryAllocation(of: Float.self, capacity: max(n, 1)) { sums in
        let sum = sums.baseAddress!
        for i in 0..<m {
            for j in 0..<n { sum[j] = 0 }
            for p in 0..<k {
                let aip = a[i * aRow + p * aCol]
                let bp = b + p * bRow
                for j in 0..<n { sum[j] = multiplyAdd(sum[j], aip, bp[j * bCol]) }
            }
            let row = c + i * n
            for j in 0..<n { row[j] = accumulate ? row[j] + sum[j] : sum[j] }
        }
    }
}
