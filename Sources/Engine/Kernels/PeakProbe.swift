/// How fast can one core multiply and add at best? The benchmark compares the matmul with this.
///
/// Runs the micro-kernel's arithmetic with nothing else: 12 independent vector accumulators, each
/// updated by `acc = acc * scale + step` (one `*` and one `+` per lane, as in `multiplyAdd`), every
/// operand in a register: no loads, no stores, enough independent chains to hide the latency, so
/// the floating-point units alone set the pace. Performs `iterations × 24 × width` FLOP.
///
/// `width` is the vector width in floats: 4, 8 or 16 (SIMD4 is one SSE register, SIMD8 one AVX2
/// register, SIMD16 one AVX-512 register; a build without the wider unit splits the vector into
/// halves or quarters). The benchmark takes the best width as the machine's peak.
///
/// `scale` must be 1 and `step` small for the values to stay tame; they are parameters only so that
/// the compiler cannot precompute the products (a constant `a * b` would be hoisted out of the loop).
///
/// The sum of the accumulators is written to `result`: a function without side effects could be
/// moved by the optimiser out of the timed region (it did, and the "peak" came out at 10⁷ GFLOP/s).
@inline(never)
package func registerOnlyMultiplyAdds(iterations: Int, width: Int = 8, scale: Float = 1, step: Float = 1e-3,
                                      result: UnsafeMutablePointer<Float>) {
    switch width {
    case 4: result.pointee = probe(SIMD4<Float>.self, iterations: iterations, scale: scale, step: step)
    case 16: result.pointee = probe(SIMD16<Float>.self, iterations: iterations, scale: scale, step: step)
    default: result.pointee = probe(SIMD8<Float>.self, iterations: iterations, scale: scale, step: step)
    }
}

/// The probe's loop for one vector type (specialised for each width by the compiler).
@inline(__always)
private func probe<V: SIMD>(_: V.Type, iterations: Int, scale: Float, step: Float) -> Float
where V.Scalar == Float {
    let m = V(repeating: scale), d = V(repeating: step)
    var c0 = d, c1 = d + 1, c2 = d + 2, c3 = d + 3, c4 = d + 4, c5 = d + 5
    var c6 = d + 6, c7 = d + 7, c8 = d + 8, c9 = d + 9, c10 = d + 10, c11 = d + 11
    @inline(__always) func update(_ acc: V) -> V {
        #if TRAINLAB_FMA
        d.addingProduct(acc, m)
        #else
        d + acc * m
        #endif
    }
    for _ in 0..<iterations {
        c0 = update(c0); c1 = update(c1); c2 = update(c2); c3 = update(c3); c4 = update(c4); c5 = update(c5)
        c6 = update(c6); c7 = update(c7); c8 = update(c8); c9 = update(c9); c10 = update(c10); c11 = update(c11)
    }
    let sum = (c0 + c1 + c2 + c3) + (c4 + c5 + c6 + c7) + (c8 + c9 + c10 + c11)
    return sum.sum()
}
