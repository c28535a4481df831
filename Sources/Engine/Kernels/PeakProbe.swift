/// How fast can one core multiply and add at best? The benchmark compares the matmul with this.
///
/// Runs the micro-kernel's arithmetic with nothing else: 12 independent SIMD8 accumulators, each
/// updated by `acc = acc * scale + step` (one `*` and one `+` per lane, as in `multiplyAdd`), every
/// operand in a register: no loads, no stores, enough independent chains to hide the latency, so
/// the floating-point units alone set the pace. Performs `iterations × 192` FLOP.
///
/// `scale` must be 1 and `step` small for the values to stay tame; they are parameters only so that
/// the compiler cannot precompute the products (a constant `a * b` would be hoisted out of the loop).
///
/// The sum of the accumulators is written to `result`: a function without side effects could be
/// moved by the optimiser out of the timed region (it did, and the "peak" came out at 10⁷ GFLOP/s).
@inline(never)
package func registerOnlyMultiplyAdds(iterations: Int, scale: Float = 1, step: Float = 1e-3,
                                      result: UnsafeMutablePointer<Float>) {
    let m = SIMD8<Float>(repeating: scale), d = SIMD8<Float>(repeating: step)
    var c0 = d, c1 = d + 1, c2 = d + 2, c3 = d + 3, c4 = d + 4, c5 = d + 5
    var c6 = d + 6, c7 = d + 7, c8 = d + 8, c9 = d + 9, c10 = d + 10, c11 = d + 11
    for _ in 0..<iterations {
        c0 = multiplyAdd(d, c0, m); c1 = multiplyAdd(d, c1, m); c2 = multiplyAdd(d, c2, m)
        c3 = multiplyAdd(d, c3, m); c4 = multiplyAdd(d, c4, m); c5 = multiplyAdd(d, c5, m)
        c6 = multiplyAdd(d, c6, m); c7 = multiplyAdd(d, c7, m); c8 = multiplyAdd(d, c8, m)
        c9 = multiplyAdd(d, c9, m); c10 = multiplyAdd(d, c10, m); c11 = multiplyAdd(d, c11, m)
    }
    let sum = (c0 + c1 + c2 + c3) + (c4 + c5 + c6 + c7) + (c8 + c9 + c10 + c11)
    result.pointee = sum.sum()
}
