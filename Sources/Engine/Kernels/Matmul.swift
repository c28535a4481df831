import Dispatch

// The fast matmul. Same dimension letters and the same signature as `matmulNaive` (read that first):
//   C[M, J] = A[M, K] · B[K, J]      A from a [K, M] buffer when `transA`, B from [J, K] when `transB`.
//
// Three ideas make it about 20x faster than the naive loop on one core (see `bench`), while giving
// the *same bits*:
//
// 1. Register blocking. The micro-kernel (MatmulMicroKernel.swift) computes a 4 x 16 tile of C at
//    once, kept in eight SIMD8 registers for the whole K loop. Each step loads 16 floats of B and 4
//    of A and does 64 multiply-adds, so arithmetic, not memory, sets the pace.
// 2. Packing. Before multiplying, A is copied into row blocks of 4 and B into column panels of 16,
//    each laid out in exactly the order the micro-kernel reads it (one contiguous stream, padded
//    with zeros at the edges). Transposed operands cost nothing extra: packing reads them with
//    other strides. Padding means the micro-kernel never needs a special case for odd sizes; the
//    padded lanes are simply not written back.
// 3. Two threads for large products, each computing its own rectangle of C (half of the rows, or
//    half of the columns) from start to finish, packing included.
//
// Determinism: every element of C is still `sum = 0; for p in 0..<K { sum += A[i,p] * B[p,j] }`
// followed by `C = sum` or `C = C + sum`, with plain `*` and `+` in that order (see the micro-kernel
// for why there is no fused multiply-add). So `matmul` == `matmulNaive` bit for bit, for any size,
// any transposition and any number of threads, on every machine.

/// Rows of C computed together by the micro-kernel.
let microRows = 4
/// Columns of C computed together by the micro-kernel (two SIMD8 vectors).
let microCols = 16

/// Products with at least this many multiply-adds (M·J·K) use two threads.
///
/// Measured here: `concurrentPerform` costs ~0.3 µs when its worker thread is awake and several µs
/// when it must be woken, while 512K multiply-adds take ~40 µs on one core. On an idle machine
/// the model's shapes (1.3M-2.6M) ran 1.5-1.8x faster on two threads; on a machine busy with other
/// work, two threads were often *slower* (see `matmulMaxThreads`).
let parallelThreshold = 512 * 1024

/// Products with at most this many multiply-adds (M·J·K) skip packing and run the plain loop.
let tinyProductThreshold = 4096

/// Most threads `matmul` uses for a large product (the project's machine has two cores).
///
/// Set it to 1 when the machine is busy with other work: a second thread only pays when a core is
/// free for it, and waiting for a thread that the operating system has not yet scheduled can make
/// a product several times slower. (Set it before training starts, not while a matmul is running.)
nonisolated(unsafe) public var matmulMaxThreads = 2

/// The fast matmul used by every op: C[M, J] = A[M, K] · B[K, J] (or `C += …` with `accumulate`);
/// `m`, `k`, `n` are M, K, J.
///
/// Same signature and bit-for-bit the same result as `matmulNaive`; see the top of this file for how.
/// Uses two threads when M·J·K reaches `parallelThreshold`.
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
    let threads = m * n * k >= parallelThreshold ? matmulMaxThreads : 1
    matmul(a, b, c, m: m, k: k, n: n, transA: transA, transB: transB, accumulate: accumulate,
           threads: threads)
}

/// The fast matmul on exactly `threads` threads (the benchmark compares 1 and 2).
///
/// C is cut into `threads` rectangles (bands of rows, or of columns when C is wider than tall), one
/// per thread: every element of C is computed by one thread, in the same order as with one thread,
/// so the bits do not depend on the thread count or on timing.
package func matmul(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                    m: Int, k: Int, n: Int, transA: Bool, transB: Bool, accumulate: Bool,
                    threads: Int) {
    precondition(m >= 0 && k >= 0 && n >= 0, "matmul: negative size m=\(m) k=\(k) n=\(n)")
    if m == 0 || n == 0 { return }

    // Where A[i, p] and B[p, j] live: a[i * aStrides.row + p * aStrides.col], likewise for b.
    let aStrides = transA ? (row: 1, col: m) : (row: k, col: 1)
    let bStrides = transB ? (row: 1, col: k) : (row: n, col: 1)
    let rowBlocks = (m + microRows - 1) / microRows
    let colPanels = (n + microCols - 1) / microCols

    // Split C into one rectangle per thread. Each thread packs the parts of A and B it needs, so
    // packing runs in parallel too; cut across the larger of M and J, so that the operand every
    // thread packs in full (B when cutting rows, A when cutting columns) is the smaller one.
    let splitRows = m >= n
    let threads = max(1, min(threads, splitRows ? rowBlocks : colPanels))
    if threads == 1 {
        computeRectangle(rowBlocks: 0..<rowBlocks, colPanels: 0..<colPanels, a: a, aStrides: aStrides,
                         b: b, bStrides: bStrides, c: c, m: m, k: k, n: n, accumulate: accumulate)
        return
    }
    // A @Sendable closure may not capture raw pointers; each thread writes only its own rectangle of C.
    let (sharedA, sharedB, sharedC) = (SendablePointer(a), SendablePointer(b), SendablePointer(c))
    DispatchQueue.concurrentPerform(iterations: threads) { @Sendable t in
        let cut = splitRows ? rowBlocks : colPanels
        let share = cut * t / threads ..< cut * (t + 1) / threads
        computeRectangle(rowBlocks: splitRows ? share : 0..<rowBlocks,
                         colPanels: splitRows ? 0..<colPanels : share,
                         a: sharedA.readOnly, aStrides: aStrides,
                         b: sharedB.readOnly, bStrides: bStrides,
                         c: sharedC.pointer,
                         m: m, k: k, n: n, accumulate: accumulate)
    }
}

/// Computes one rectangle of C: the rows of `rowBlocks` (4 rows each) times the columns of
/// `colPanels` (16 columns each). Packs that part of A and of B, then runs the micro-kernel on
/// every 4 x 16 tile.
func computeRectangle(rowBlocks: Range<Int>, colPanels: Range<Int>,
                      a: UnsafePointer<Float>, aStrides: (row: Int, col: Int),
                      b: UnsafePointer<Float>, bStrides: (row: Int, col: Int),
                      c: UnsafeMutablePointer<Float>, m: Int, k: Int, n: Int, accumulate: Bool) {
    let packedA = allocateFloats(rowBlocks.count * microRows * k)
    let packedB = allocateFloats(colPanels.count * microCols * k)
    defer { packedA.deallocate(); packedB.deallocate() }
    packA(a, rowStride: aStrides.row, colStride: aStrides.col, blocks: rowBlocks, m: m, k: k, into: packedA)
    packB(b, rowStride: bStrides.row, colStride: bStrides.col, panels: colPanels, k: k, n: n, into: packedB)

    // Panel-outer order: one B panel (K x 16 floats, at most 20 KB for the model's shapes) stays in
    // the L1 cache while the blocks of A stream past it.
    for (panelIndex, panel) in colPanels.enumerated() {
        let j0 = panel * microCols
        let bPanel = packedB + panelIndex * microCols * k
        for (blockIndex, block) in rowBlocks.enumerated() {
            let i0 = block * microRows
            microKernel4x16(packedA + blockIndex * microRows * k, bPanel, k: k,
                            c + i0 * n + j0, ldc: n,
                            rows: min(microRows, m - i0), cols: min(microCols, n - j0),
                            accumulate: accumulate)
        }
    }
}

// MARK: - Packing

/// An uninitialised Float buffer aligned to a cache line (64 bytes), so SIMD loads never straddle two.
@inline(__always)
func allocateFloats(_ count: Int) -> UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        .bindMemory(to: Float.self, capacity: max(count, 1))
}

/// Packs the row blocks `blocks` of A (4 rows each) in the order the micro-kernel reads them.
///
///     packed[block][p][r] = A[4·block + r, p]       // [blocks, K, 4], rows past M are 0
///
/// A[i, p] is read at `a[i * rowStride + p * colStride]`, so one function serves A and Aᵀ.
func packA(_ a: UnsafePointer<Float>, rowStride: Int, colStride: Int, blocks: Range<Int>,
           m: Int, k: Int, into packed: UnsafeMutablePointer<Float>) {
    var out = packed
    for block in blocks {
        let i0 = block * microRows
        let valid = min(microRows, m - i0)
        if valid == microRows && rowStride == 1 {
            // Aᵀ stored as [K, M]: the 4 values of step p are adjacent, copy them as one SIMD4.
            for p in 0..<k {
                let src = UnsafeRawPointer(a + p * colStride + i0)
                UnsafeMutableRawPointer(out).storeBytes(of: src.loadUnaligned(as: SIMD4<Float>.self),
                                                        as: SIMD4<Float>.self)
                out += microRows
            }
        } else if valid == microRows {
            // A stored as [M, K]: interleave four rows, each read front to back.
            let row0 = a + i0 * rowStride, row1 = row0 + rowStride
            let row2 = row1 + rowStride, row3 = row2 + rowStride
            for p in 0..<k {
                out[0] = row0[p]; out[1] = row1[p]; out[2] = row2[p]; out[3] = row3[p]
                out += microRows
            }
        } else {
            // The last, partial block: pad with zeros.
            for p in 0..<k {
                for r in 0..<microRows {
                    out[r] = r < valid ? a[(i0 + r) * rowStride + p * colStride] : 0
                }
                out += microRows
            }
        }
    }
}

/// Packs the column panels `panels` of B (16 columns each) in the order the micro-kernel reads them.
///
///     packed[panel][p][c] = B[p, 16·panel + c]      // [panels, K, 16], columns past J are 0
///
/// B[p, j] is read at `b[p * rowStride + j * colStride]`, so one function serves B and Bᵀ.
func packB(_ b: UnsafePointer<Float>, rowStride: Int, colStride: Int, panels: Range<Int>, k: Int, n: Int,
           into packed: UnsafeMutablePointer<Float>) {
    for (index, panel) in panels.enumerated() {
        let j0 = panel * microCols
        let valid = min(microCols, n - j0)
        let out = packed + index * microCols * k
        if colStride == 1 && valid == microCols {
            // B stored as [K, J]: each step's 16 values are adjacent, copy them as two SIMD8s.
            for p in 0..<k {
                let src = UnsafeRawPointer(b + p * rowStride + j0)
                let dst = UnsafeMutableRawPointer(out + p * microCols)
                dst.storeBytes(of: src.loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
                dst.storeBytes(of: src.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self),
                               toByteOffset: 32, as: SIMD8<Float>.self)
            }
        } else if colStride == 1 {
            // The last, partial panel of B: pad with zeros.
            for p in 0..<k {
                let src = b + p * rowStride + j0
                let dst = out + p * microCols
                for col in 0..<microCols { dst[col] = col < valid ? src[col] : 0 }
            }
        } else {
            // Bᵀ stored as [J, K]: read each column of B (a row of the buffer) front to back.
            for col in 0..<microCols {
                if col < valid {
                    let src = b + (j0 + col) * colStride
                    for p in 0..<k { out[p * microCols + col] = src[p * rowStride] }
                } else {
                    for p in 0..<k { out[p * microCols + col] = 0 }
                }
            }
        }
    }
}

/// `matmulNaive`'s loops and arithmetic, with the transposition decided once (as strides) instead of
/// at every term: for products so small that packing would cost more than the multiplications.
func matmulDirect(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                  m: Int, k: Int, n: Int, transA: Bool, transB: Bool, accumulate: Bool) {
    // A[i, p] = a[i * aRow + p * aCol],  B[p, j] = b[p * bRow + j * bCol]
    let (aRow, aCol) = transA ? (1, m) : (k, 1)
    let (bRow, bCol) = transB ? (1, k) : (n, 1)
    for i in 0..<m {
        for j in 0..<n {
            var sum: Float = 0
            var pa = a + i * aRow, pb = b + j * bCol
            for _ in 0..<k {
                sum = multiplyAdd(sum, pa.pointee, pb.pointee)
                pa += aCol
                pb += bRow
            }
            c[i * n + j] = accumulate ? c[i * n + j] + sum : sum
        }
    }
}
