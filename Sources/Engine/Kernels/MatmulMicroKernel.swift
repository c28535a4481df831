// The innermost piece of the fast matmul: a tile of C computed in registers. Two sizes, one per
// vector width (Matmul.swift picks one per build, the tests run both):
//
//                    4 x 16, SIMD8 (AVX2)   16 x 16, SIMD16 (AVX-512)
//   A's tile rows:   [4, K]                 [16, K]    A[i0 + r, p] at aTile[r * aRow + p * aCol], in place
//   packed B panel:  [K, 16]                [K, 16]    B[p, j0 + c] at bPanel[16p + c]
//   C tile:          [4, 16]                [16, 16]   at c[r * ldc + col * cCol]; only `rows` x `cols` written

/// One multiply-add step, `acc + x * y`, rounded twice (after `*` and after `+`) exactly like the
/// naive kernel's `sum += aip * bpj`, so that `matmul` == `matmulNaive` bit for bit.
///
/// Why not a fused multiply-add, `acc.addingProduct(x, y)` (one rounding, one instruction)?
/// Measured with `bench` on the project's VM (AMD EPYC, family 23 = Zen 1, whose 256-bit units are
/// two 128-bit halves: peak 16 FLOP/cycle, ~40 GFLOP/s for a register-only loop), the FMA build of
/// this kernel ran the model's shapes at 32-36 GFLOP/s against 22-24 for mul + add (+45 %); on an
/// AVX2 + FMA machine of the same family (Zen 2/3, ~90 GFLOP/s a core) the same SIMD8 4 x 16 kernel
/// measured 68-79 against 54-59 (+30 %), and on Zen 5 with 512-bit vectors the two ran equally fast.
/// We still choose mul + add because:
/// - results are the same on every machine and every build: `-target-cpu haswell` or not, x86-64
///   or arm64 (Swift never fuses `a * b + c` by itself), so a seed gives the same bits everywhere;
/// - without FMA instructions (baseline x86-64, `TRAINLAB_BASELINE=1`) `addingProduct` becomes a
///   call to the C library's `fmaf` for every lane, ~0.7 GFLOP/s, and Swift cannot test the target
///   CPU's features at compile time to avoid it;
/// - a student can reproduce any entry of C with the plain loop of `matmulNaive`.
/// Opt-in: `TRAINLAB_FMA=1 swift build` (only where the CPU has FMA: x86-64 with AVX2+FMA, arm64)
/// switches this step *and* `matmulNaive` to FMA; they still agree bit for bit with each other.
@inline(__always)
func multiplyAdd(_ acc: SIMD8<Float>, _ x: SIMD8<Float>, _ y: SIMD8<Float>) -> SIMD8<Float> {
    #if TRAINLAB_FMA
    acc.addingProduct(x, y)
    #else
    acc + x * y
    #endif
}

/// The same step on sixteen lanes (the AVX-512 micro-kernel).
@inline(__always)
func multiplyAdd(_ acc: SIMD16<Float>, _ x: SIMD16<Float>, _ y: SIMD16<Float>) -> SIMD16<Float> {
    #if TRAINLAB_FMA
    acc.addingProduct(x, y)
    #else
    acc + x * y
    #endif
}

/// The same step on one number: `acc + x * y` (or fused, with `TRAINLAB_FMA`).
@inline(__always)
func multiplyAdd(_ acc: Float, _ x: Float, _ y: Float) -> Float {
    #if TRAINLAB_FMA
    acc.addingProduct(x, y)
    #else
    acc + x * y
    #endif
}

/// Computes `C[i0..<i0+rows, j0..<j0+cols] (+)= A_block · B_panel` (see the shapes above).
///
/// The 64 sums live in eight SIMD8 registers for the whole K loop; each step broadcasts 4 values of
/// A (one from each tile row, read in place through the strides `aRow`, `aCol`), loads 16 of B,
/// and does 64 multiply-adds. Every sum starts at 0 and takes its K terms in order
/// p = 0, 1, …, then is stored (`C = sum`) or added (`C = C + sum`): the naive kernel's arithmetic.
///
/// - Parameters:
///   - rows: valid rows of the tile, 1...4 (fewer at the bottom edge of C).
///   - cols: valid columns of the tile, 1...16 (fewer at the right edge of C).
@inline(__always)
func microKernel4x16(_ aTile: UnsafePointer<Float>, aRow: Int, aCol: Int,
                     _ bPanel: UnsafePointer<Float>, k: Int,
                     _ c: UnsafeMutablePointer<Float>, ldc: Int, cCol: Int = 1, rows: Int, cols: Int,
                     accumulate: Bool) {
    // c{row}{half}: row r of the tile, columns 0..<8 (half 0) or 8..<16 (half 1).
    var c00 = SIMD8<Float>(), c01 = SIMD8<Float>()
    var c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
    var c20 = SIMD8<Float>(), c21 = SIMD8<Float>()
    var c30 = SIMD8<Float>(), c31 = SIMD8<Float>()

    var a = aTile
    var b = UnsafeRawPointer(bPanel)
    for _ in 0..<k {
        let b0 = b.loadUnaligned(as: SIMD8<Float>.self)
        let b1 = b.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
        let a0 = SIMD8<Float>(repeating: a[0])
        c00 = multiplyAdd(c00, a0, b0); c01 = multiplyAdd(c01, a0, b1)
        let a1 = SIMD8<Float>(repeating: a[1 * aRow])
        c10 = multiplyAdd(c10, a1, b0); c11 = multiplyAdd(c11, a1, b1)
        let a2 = SIMD8<Float>(repeating: a[2 * aRow])
        c20 = multiplyAdd(c20, a2, b0); c21 = multiplyAdd(c21, a2, b1)
        let a3 = SIMD8<Float>(repeating: a[3 * aRow])
        c30 = multiplyAdd(c30, a3, b0); c31 = multiplyAdd(c31, a3, b1)
        a += aCol
        b += 16 * MemoryLayout<Float>.stride
    }

    if rows == 4 && cols == 16 && cCol == 1 {
        // A full tile: store (or add) two vectors per row straight into C.
        storeRow(c, c00, c01, accumulate: accumulate)
        storeRow(c + ldc, c10, c11, accumulate: accumulate)
        storeRow(c + 2 * ldc, c20, c21, accumulate: accumulate)
        storeRow(c + 3 * ldc, c30, c31, accumulate: accumulate)
    } else {
        // An edge tile: only part of it lies inside C. Spill the registers to a [4, 16] buffer on
        // the stack and copy out the part that fits.
        withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 8) { tile in
            tile[0] = c00; tile[1] = c01; tile[2] = c10; tile[3] = c11
            tile[4] = c20; tile[5] = c21; tile[6] = c30; tile[7] = c31
            let sums = UnsafeRawPointer(tile.baseAddress!)
            for r in 0..<rows {
                for col in 0..<cols {
                    let sum = sums.load(fromByteOffset: (r * 16 + col) * 4, as: Float.self)
                    let out = c + r * ldc + col * cCol
                    out.pointee = accumulate ? out.pointee + sum : sum
                }
            }
        }
    }
}

/// Writes 16 sums to `c[0..<16]`, or adds them (`C = C + sum`, the naive kernel's order) with `accumulate`.
@inline(__always)
func storeRow(_ c: UnsafeMutablePointer<Float>, _ low: SIMD8<Float>, _ high: SIMD8<Float>,
              accumulate: Bool) {
    let raw = UnsafeMutableRawPointer(c)
    if accumulate {
        let oldLow = raw.loadUnaligned(as: SIMD8<Float>.self)
        let oldHigh = raw.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
        raw.storeBytes(of: oldLow + low, as: SIMD8<Float>.self)
        raw.storeBytes(of: oldHigh + high, toByteOffset: 32, as: SIMD8<Float>.self)
    } else {
        raw.storeBytes(of: low, as: SIMD8<Float>.self)
        raw.storeBytes(of: high, toByteOffset: 32, as: SIMD8<Float>.self)
    }
}

/// Computes `C[i0..<i0+rows, j0..<j0+cols] (+)= A_tile · B_panel` for a 16 x 16 tile: the same
/// arithmetic as `microKernel4x16`, on SIMD16 vectors (one 512-bit AVX-512 register each).
///
/// The 256 sums live in sixteen SIMD16 registers, one per row of the tile; each step loads one
/// vector of B (16 values) and multiplies it by one value of A per row, broadcast from memory
/// inside the multiply instruction itself (`vmulps zmm, zmm, [a]{1to16}`): 16 multiplies and 16 adds
/// of whole vectors against 17 loads and no shuffles. Measured on a Zen 4 core (whose AVX-512 unit
/// runs each 512-bit operation as two 256-bit halves), this tile ran the model's shapes at
/// 78-103 GFLOP/s against 58-92 for an 8 x 32 tile (two B vectors, broadcasts used twice, so not
/// folded) and 50-92 for the SIMD8 4 x 16 one. Every sum starts at 0 and takes its K terms in
/// order p = 0, 1, …: the naive kernel's arithmetic, so the bits are those of the other kernels.
///
/// - Parameters:
///   - rows: valid rows of the tile, 1...16.
///   - cols: valid columns of the tile, 1...16.
@inline(__always)
func microKernel16x16(_ aTile: UnsafePointer<Float>, aRow: Int, aCol: Int,
                      _ bPanel: UnsafePointer<Float>, k: Int,
                      _ c: UnsafeMutablePointer<Float>, ldc: Int, cCol: Int = 1, rows: Int, cols: Int,
                      accumulate: Bool) {
    typealias V = SIMD16<Float>
    // c{r}: row r of the tile.
    var c0 = V(), c1 = V(), c2 = V(), c3 = V(), c4 = V(), c5 = V(), c6 = V(), c7 = V()
    var c8 = V(), c9 = V(), c10 = V(), c11 = V(), c12 = V(), c13 = V(), c14 = V(), c15 = V()

    var a = aTile
    var b = UnsafeRawPointer(bPanel)
    for _ in 0..<k {
        let bp = b.loadUnaligned(as: V.self)
        c0 = multiplyAdd(c0, V(repeating: a[0]), bp)
        c1 = multiplyAdd(c1, V(repeating: a[1 * aRow]), bp)
        c2 = multiplyAdd(c2, V(repeating: a[2 * aRow]), bp)
        c3 = multiplyAdd(c3, V(repeating: a[3 * aRow]), bp)
        c4 = multiplyAdd(c4, V(repeating: a[4 * aRow]), bp)
        c5 = multiplyAdd(c5, V(repeating: a[5 * aRow]), bp)
        c6 = multiplyAdd(c6, V(repeating: a[6 * aRow]), bp)
        c7 = multiplyAdd(c7, V(repeating: a[7 * aRow]), bp)
        c8 = multiplyAdd(c8, V(repeating: a[8 * aRow]), bp)
        c9 = multiplyAdd(c9, V(repeating: a[9 * aRow]), bp)
        c10 = multiplyAdd(c10, V(repeating: a[10 * aRow]), bp)
        c11 = multiplyAdd(c11, V(repeating: a[11 * aRow]), bp)
        c12 = multiplyAdd(c12, V(repeating: a[12 * aRow]), bp)
        c13 = multiplyAdd(c13, V(repeating: a[13 * aRow]), bp)
        c14 = multiplyAdd(c14, V(repeating: a[14 * aRow]), bp)
        c15 = multiplyAdd(c15, V(repeating: a[15 * aRow]), bp)
        a += aCol
        b += 16 * MemoryLayout<Float>.stride
    }

    if rows == 16 && cols == 16 && cCol == 1 {
        // A full tile: store (or add) one vector per row straight into C.
        storeRow(c, c0, accumulate: accumulate); storeRow(c + ldc, c1, accumulate: accumulate)
        storeRow(c + 2 * ldc, c2, accumulate: accumulate); storeRow(c + 3 * ldc, c3, accumulate: accumulate)
        storeRow(c + 4 * ldc, c4, accumulate: accumulate); storeRow(c + 5 * ldc, c5, accumulate: accumulate)
        storeRow(c + 6 * ldc, c6, accumulate: accumulate); storeRow(c + 7 * ldc, c7, accumulate: accumulate)
        storeRow(c + 8 * ldc, c8, accumulate: accumulate); storeRow(c + 9 * ldc, c9, accumulate: accumulate)
        storeRow(c + 10 * ldc, c10, accumulate: accumulate); storeRow(c + 11 * ldc, c11, accumulate: accumulate)
        storeRow(c + 12 * ldc, c12, accumulate: accumulate); storeRow(c + 13 * ldc, c13, accumulate: accumulate)
        storeRow(c + 14 * ldc, c14, accumulate: accumulate); storeRow(c + 15 * ldc, c15, accumulate: accumulate)
    } else {
        // An edge tile: spill to a [16, 16] buffer on the stack, copy out the part inside C.
        withUnsafeTemporaryAllocation(of: V.self, capacity: 16) { tile in
            tile[0] = c0; tile[1] = c1; tile[2] = c2; tile[3] = c3
            tile[4] = c4; tile[5] = c5; tile[6] = c6; tile[7] = c7
            tile[8] = c8; tile[9] = c9; tile[10] = c10; tile[11] = c11
            tile[12] = c12; tile[13] = c13; tile[14] = c14; tile[15] = c15
            let sums = UnsafeRawPointer(tile.baseAddress!)
            for r in 0..<rows {
                for col in 0..<cols {
                    let sum = sums.load(fromByteOffset: (r * 16 + col) * 4, as: Float.self)
                    let out = c + r * ldc + col * cCol
                    out.pointee = accumulate ? out.pointee + sum : sum
                }
            }
        }
    }
}

/// Writes 16 sums to `c[0..<16]`, or adds them (`C = C + sum`) with `accumulate`.
@inline(__always)
func storeRow(_ c: UnsafeMutablePointer<Float>, _ sums: SIMD16<Float>, accumulate: Bool) {
    let raw = UnsafeMutableRawPointer(c)
    if accumulate {
        raw.storeBytes(of: raw.loadUnaligned(as: SIMD16<Float>.self) + sums, as: SIMD16<Float>.self)
    } else {
        raw.storeBytes(of: sums, as: SIMD16<Float>.self)
    }
}
