// The innermost piece of the fast matmul: a 4 x 16 tile of C computed in registers.
//
//   packed A block: [K, 4]    (A[i0 + r, p] at aBlock[4p + r])
//   packed B panel: [K, 16]   (B[p, j0 + c] at bPanel[16p + c])
//   C tile:         [4, 16]   (at c[r * ldc + col], only the first `rows` x `cols` are written)

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
/// A, loads 16 of B, and does 64 multiply-adds. Every sum starts at 0 and takes its K terms in order
/// p = 0, 1, …, then is stored (`C = sum`) or added (`C = C + sum`): the naive kernel's arithmetic.
///
/// - Parameters:
///   - rows: valid rows of the tile, 1...4 (fewer at the bottom edge of C).
///   - cols: valid columns of the tile, 1...16 (fewer at the right edge of C).
@inline(__always)
func microKernel4x16(_ aBlock: UnsafePointer<Float>, _ bPanel: UnsafePointer<Float>, k: Int,
                     _ c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, cols: Int,
                     accumulate: Bool) {
    // c{row}{half}: row r of the tile, columns 0..<8 (half 0) or 8..<16 (half 1).
    var c00 = SIMD8<Float>(), c01 = SIMD8<Float>()
    var c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
    var c20 = SIMD8<Float>(), c21 = SIMD8<Float>()
    var c30 = SIMD8<Float>(), c31 = SIMD8<Float>()

    var a = aBlock
    var b = UnsafeRawPointer(bPanel)
    for _ in 0..<k {
        let b0 = b.loadUnaligned(as: SIMD8<Float>.self)
        let b1 = b.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
        let a0 = SIMD8<Float>(repeating: a[0])
        c00 = multiplyAdd(c00, a0, b0); c01 = multiplyAdd(c01, a0, b1)
        let a1 = SIMD8<Float>(repeating: a[1])
        c10 = multiplyAdd(c10, a1, b0); c11 = multiplyAdd(c11, a1, b1)
        let a2 = SIMD8<Float>(repeating: a[2])
        c20 = multiplyAdd(c20, a2, b0); c21 = multiplyAdd(c21, a2, b1)
        let a3 = SIMD8<Float>(repeating: a[3])
        c30 = multiplyAdd(c30, a3, b0); c31 = multiplyAdd(c31, a3, b1)
        a += microRows
        b += microCols * MemoryLayout<Float>.stride
    }

    if rows == microRows && cols == microCols {
        // A full tile: store (or add) two vectors per row straight into C.
        storeRow(c, c00, c01, accumulate: accumulate)
        storeRow(c + ldc, c10, c11, accumulate: accumulate)
        storeRow(c + 2 * ldc, c20, c21, accumulate: accumulate)
        storeRow(c + 3 * ldc, c30, c31, accumulate: accumulate)
    } else {
        // An edge tile: only part of it lies inside C. Spill the registers to a [4, 16] buffer on
        // the stack and copy out the part that fits.
        withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 2 * microRows) { tile in
            tile[0] = c00; tile[1] = c01; tile[2] = c10; tile[3] = c11
            tile[4] = c20; tile[5] = c21; tile[6] = c30; tile[7] = c31
            let sums = UnsafeRawPointer(tile.baseAddress!)
            for r in 0..<rows {
                for col in 0..<cols {
                    let sum = sums.load(fromByteOffset: (r * microCols + col) * 4, as: Float.self)
                    let out = c + r * ldc + col
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
