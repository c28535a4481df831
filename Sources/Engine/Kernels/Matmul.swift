import Dispatch

// The fast matmul. Same dimension letters and the same signature as `matmulNaive` (read that first):
//   C[M, N] = A[M, K] · B[K, N]      A from a [K, M] buffer when `transA`, B from [N, K] when `transB`.
//
// Three ideas make it 30-50x faster than the naive loop while giving the *same bits*:
//
// 1. Register blocking. The micro-kernel (MatmulMicroKernel.swift) computes a 4 x 16 tile of C at
//    once, kept in eight SIMD8 registers for the whole K loop. Each step loads 16 floats of B and 4
//    of A and does 64 multiply-adds, so arithmetic, not memory, sets the pace.
// 2. Packing. Before multiplying, A is copied into row blocks of 4 and B into column panels of 16,
//    each laid out in exactly the order the micro-kernel reads it (one contiguous stream, padded
//    with zeros at the edges). Transposed operands cost nothing extra: packing reads them with
//    other strides. Padding means the micro-kernel never needs a special case for odd sizes; the
//    padded lanes are simply not written back.
// 3. Two threads for large products, splitting the row blocks of C between them.
//
// Determinism: every element of C is still `sum = 0; for p in 0..<K { sum += A[i,p] * B[p,j] }`
// followed by `C = sum` or `C = C + sum`, with plain `*` and `+` in that order (see the micro-kernel
// for why there is no fused multiply-add). So `matmul` == `matmulNaive` bit for bit, for any size,
// any transposition and any number of threads, on every machine.

/// Rows of C computed together by the micro-kernel.
let microRows = 4
/// Columns of C computed together by the micro-kernel (two SIMD8 vectors).
let microCols = 16

/// Products with at least this many multiply-adds (M·N·K) use two threads.
///
/// Measured with `bench`: below about 256K multiply-adds, waking a second thread costs more than it
/// saves; the model's forward shapes (about 0.6-2.6M) gain 15-40 %.
let parallelThreshold = 256 * 1024

/// Most threads the fast matmul uses: the project's machine has two cores.
public let matmulMaxThreads = 2

/// The fast matmul used by every op: C[M, N] = A[M, K] · B[K, N] (or `C += …` with `accumulate`).
///
/// Same signature and bit-for-bit the same result as `matmulNaive`; see the top of this file for how.
/// Uses two threads when M·N·K reaches `parallelThreshold`.
///
/// - Parameters:
///   - a: `[M, K]` row-major, or `[K, M]` when `transA`.
///   - b: `[K, N]` row-major, or `[N, K]` when `transB`.
///   - c: `[M, N]` row-major output; read first when `accumulate`.
public func matmul(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                   m: Int, k: Int, n: Int, transA: Bool = false, transB: Bool = false,
                   accumulate: Bool = false) {
    let threads = m * n * k >= parallelThreshold ? matmulMaxThreads : 1
    matmul(a, b, c, m: m, k: k, n: n, transA: transA, transB: transB, accumulate: accumulate,
           threads: threads)
}

/// The fast matmul on exactly `threads` threads (the benchmark compares 1 and 2).
///
/// The row blocks of C are split into `threads` contiguous ranges, one per thread: every element of
/// C is computed by one thread, in the same order as with one thread, so the bits do not depend on
/// the thread count or on timing.
public func matmul(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                   m: Int, k: Int, n: Int, transA: Bool, transB: Bool, accumulate: Bool,
                   threads: Int) {
    precondition(m >= 0 && k >= 0 && n >= 0, "matmul: negative size m=\(m) k=\(k) n=\(n)")
    if m == 0 || n == 0 { return }

    // Where A[i, p] and B[p, j] live: a[i * aRowStride + p * aColStride], likewise for b.
    let aStrides = transA ? (row: 1, col: m) : (row: k, col: 1)
    let bStrides = transB ? (row: 1, col: k) : (row: n, col: 1)

    let rowBlocks = (m + microRows - 1) / microRows
    let colPanels = (n + microCols - 1) / microCols

    // B is packed once and shared (read-only) by both threads.
    let packedB = allocateFloats(colPanels * microCols * k)
    defer { packedB.deallocate() }
    packB(b, rowStride: bStrides.row, colStride: bStrides.col, k: k, n: n, into: packedB)

    let threads = max(1, min(threads, rowBlocks))
    if threads == 1 {
        computeRowBlocks(0..<rowBlocks, a: a, aStrides: aStrides, packedB: packedB, c: c,
                         m: m, k: k, n: n, accumulate: accumulate)
        return
    }

    // A @Sendable closure may not capture pointers, so they travel as integers (see SWIFT-NOTES.md).
    let addresses = (a: UInt(bitPattern: a), b: UInt(bitPattern: packedB), c: UInt(bitPattern: c))
    DispatchQueue.concurrentPerform(iterations: threads) { @Sendable thread in
        let blocks = rowBlocks * thread / threads ..< rowBlocks * (thread + 1) / threads
        computeRowBlocks(blocks, a: UnsafePointer(bitPattern: addresses.a)!, aStrides: aStrides,
                         packedB: UnsafePointer(bitPattern: addresses.b)!,
                         c: UnsafeMutablePointer(bitPattern: addresses.c)!,
                         m: m, k: k, n: n, accumulate: accumulate)
    }
}

/// Computes the row blocks `blocks` of C (rows 4·blocks.lowerBound ..< 4·blocks.upperBound):
/// packs those rows of A, then multiplies them by every panel of the packed B.
func computeRowBlocks(_ blocks: Range<Int>, a: UnsafePointer<Float>, aStrides: (row: Int, col: Int),
                      packedB: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
                      m: Int, k: Int, n: Int, accumulate: Bool) {
    let packedA = allocateFloats(blocks.count * microRows * k)
    defer { packedA.deallocate() }
    packA(a, rowStride: aStrides.row, colStride: aStrides.col, rows: blocks, m: m, k: k, into: packedA)

    // Panel-outer order: one B panel (K x 16 floats, at most 20 KB for the model's shapes) stays in
    // the L1 cache while the blocks of A stream past it.
    let colPanels = (n + microCols - 1) / microCols
    for panel in 0..<colPanels {
        let j0 = panel * microCols
        let bPanel = packedB + panel * microCols * k
        for (index, block) in blocks.enumerated() {
            let i0 = block * microRows
            microKernel4x16(packedA + index * microRows * k, bPanel, k: k,
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

/// Packs rows `rows` (in blocks of 4) of A into the order the micro-kernel reads them.
///
///     packed[block][p][r] = A[4·block + r, p]       // [blocks, K, 4], rows past M are 0
///
/// A[i, p] is read at `a[i * rowStride + p * colStride]`, so one loop serves A and Aᵀ.
func packA(_ a: UnsafePointer<Float>, rowStride: Int, colStride: Int, rows blocks: Range<Int>,
           m: Int, k: Int, into packed: UnsafeMutablePointer<Float>) {
    var out = packed
    for block in blocks {
        let i0 = block * microRows
        let valid = min(microRows, m - i0)
        for p in 0..<k {
            for r in 0..<microRows {
                out[r] = r < valid ? a[(i0 + r) * rowStride + p * colStride] : 0
            }
            out += microRows
        }
    }
}

/// Packs all of B into column panels of 16, in the order the micro-kernel reads them.
///
///     packed[panel][p][c] = B[p, 16·panel + c]      // [panels, K, 16], columns past N are 0
///
/// B[p, j] is read at `b[p * rowStride + j * colStride]`, so one function serves B and Bᵀ.
func packB(_ b: UnsafePointer<Float>, rowStride: Int, colStride: Int, k: Int, n: Int,
           into packed: UnsafeMutablePointer<Float>) {
    let panels = (n + microCols - 1) / microCols
    for panel in 0..<panels {
        let j0 = panel * microCols
        let valid = min(microCols, n - j0)
        let out = packed + panel * microCols * k
        if colStride == 1 {
            // B as stored: each panel row is a contiguous run of `valid` floats.
            for p in 0..<k {
                let src = b + p * rowStride + j0
                let dst = out + p * microCols
                for c in 0..<valid { dst[c] = src[c] }
                for c in valid..<microCols { dst[c] = 0 }
            }
        } else {
            // Bᵀ stored as [N, K]: read each column of B (a row of the buffer) contiguously.
            for c in 0..<microCols {
                if c < valid {
                    let src = b + (j0 + c) * colStride
                    for p in 0..<k { out[p * microCols + c] = src[p * rowStride] }
                } else {
                    for p in 0..<k { out[p * microCols + c] = 0 }
                }
            }
        }
    }
}
