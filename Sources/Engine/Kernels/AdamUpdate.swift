// Adam's update of one parameter tensor, element by element: the plain loop a student reads first,
// and the same arithmetic eight lanes at a time. Both give the same bits (tested): each lane does
// exactly the operations of one element, in the same order. Dimension letter: R, the elements.

/// The scalars of one Adam step, computed once per tensor in double precision and rounded to Float
/// (as PyTorch's Python floats are): see `Adam.update` for where each comes from.
struct AdamCoefficients {
    /// lr / (1 - β₁ᵗ).
    var stepSize: Float
    /// √(1 - β₂ᵗ).
    var biasCorrection2Sqrt: Float
    /// 1 - lr·λ, AdamW's decoupled decay factor.
    var decay: Float
    /// λ, Adam's L2 factor.
    var l2: Float
    var oneMinusBeta1: Float
    var beta2: Float
    var oneMinusBeta2: Float
    var epsilon: Float
    /// λ ≠ 0.
    var hasDecay: Bool
    /// AdamW (`p·(1 - lr·λ)`) rather than Adam (`g + λ·p`).
    var decoupled: Bool
    /// Climb the gradient instead of descending it (`maximize=True`): g = -g.
    var maximize: Bool
    /// AMSGrad: divide by the largest `v` seen so far (`vMax`), not by the current `v`.
    var amsgrad: Bool
}

/// One Adam step for R elements, the plain loop. `vMax` is read and written only with `amsgrad`.
///
///     g = -g                         maximize
///     p = p·(1 - lr·λ)  or  g = g + λ·p
///     m = m + (1 - β₁)·(g - m)       = β₁m + (1 - β₁)g, PyTorch's exp_avg.lerp_(g, 1 - β₁)
///     v = β₂v + (1 - β₂)·g·g
///     vMax = max(vMax, v)            amsgrad (then vMax replaces v below)
///     p = p - (lr / (1 - β₁ᵗ))·m / (√v / √(1 - β₂ᵗ) + ε)
// p, g, m, v, vMax: [R]
func adamUpdateNaive(_ p: inout [Float], _ g: [Float], _ m: inout [Float], _ v: inout [Float],
                     _ vMax: inout [Float], _ c: AdamCoefficients) {
    for i in 0..<p.count {
        var gi = c.maximize ? -g[i] : g[i]
        if c.hasDecay && c.decoupled { p[i] = p[i] * c.decay }
        if c.hasDecay && !c.decoupled { gi = gi + c.l2 * p[i] }
        m[i] = m[i] + c.oneMinusBeta1 * (gi - m[i])
        v[i] = v[i] * c.beta2
        v[i] = v[i] + c.oneMinusBeta2 * gi * gi
        var second = v[i]
        if c.amsgrad {
            if v[i] > vMax[i] || v[i].isNaN { vMax[i] = v[i] }        // torch.maximum: NaN wins
            second = vMax[i]
        }
        let denom = second.squareRoot() / c.biasCorrection2Sqrt + c.epsilon
        p[i] = p[i] + -c.stepSize * m[i] / denom
    }
}

/// `adamUpdateNaive` on SIMD8 vectors, the same bits. The compiler cannot vectorise the plain loop
/// itself, since it cannot prove p, m and v apart; each lane here is one element's arithmetic.
/// (One optimizer step may update different tensors on two threads at once: `Adam.step`.)
// p, g, m, v, vMax: [R]
func adamUpdate(_ p: inout [Float], _ g: [Float], _ m: inout [Float], _ v: inout [Float],
                _ vMax: inout [Float], _ c: AdamCoefficients) {
    let count = p.count
    guard count > 0 else { return }
    p.withUnsafeMutableBufferPointer { p in
        g.withUnsafeBufferPointer { g in
            m.withUnsafeMutableBufferPointer { m in
                v.withUnsafeMutableBufferPointer { v in
                    vMax.withUnsafeMutableBufferPointer { vMax in
                        adamUpdateLanes(p.baseAddress!, g.baseAddress!, m.baseAddress!, v.baseAddress!,
                                        vMax.baseAddress, 0..<count, c)
                    }
                }
            }
        }
    }
}

/// Steps with fewer parameter elements than this in all stay on one thread (the hand-off would
/// cost as much as the work).
let adamSplitFloor = 8192

/// `adamUpdateNaive`'s arithmetic on the elements `range`, eight lanes at a time. `vMax` is read
/// and written only with `amsgrad`.
///
/// Whole vectors first, then one partial vector for the tail: with the lane count a constant 8 in
/// the main loop, the loads and stores are single 256-bit instructions (a loop that handled the
/// tail inside compiled to 128-bit pieces and lane inserts: 2.3 ns an element).
// p, g, m, v, vMax: [R]
@inline(__always)
func adamUpdateLanes(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
                     _ v: UnsafeMutablePointer<Float>, _ vMax: UnsafeMutablePointer<Float>?, _ range: Range<Int>,
                     _ c: AdamCoefficients) {
    var i = range.lowerBound
    while i + 8 <= range.upperBound {
        adamUpdateVector(p + i, g + i, m + i, v + i, vMax.map { $0 + i }, lanes: 8, c)
        i += 8
    }
    if i < range.upperBound {
        adamUpdateVector(p + i, g + i, m + i, v + i, vMax.map { $0 + i }, lanes: range.upperBound - i, c)
    }
}

/// One vector of `adamUpdateNaive`: `lanes` (1...8) elements from each pointer.
@inline(__always)
func adamUpdateVector(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
                      _ v: UnsafeMutablePointer<Float>, _ vMax: UnsafeMutablePointer<Float>?, lanes: Int,
                      _ c: AdamCoefficients) {
    var pv = loadLanes(p, lanes)
    var gv = loadLanes(g, lanes)
    var mv = loadLanes(m, lanes)
    var vv = loadLanes(v, lanes)
    if c.maximize { gv = -gv }
    if c.hasDecay && c.decoupled { pv = pv * c.decay }          // AdamW: p·(1 - lr·λ)
    if c.hasDecay && !c.decoupled { gv = gv + c.l2 * pv }       // Adam:  g + λ·p
    mv = mv + c.oneMinusBeta1 * (gv - mv)                     // m = β₁m + (1-β₁)g
    vv = vv * c.beta2
    vv = vv + c.oneMinusBeta2 * gv * gv                       // v = β₂v + (1-β₂)g²
    var second = vv
    if c.amsgrad, let vMax {
        var mx = loadLanes(vMax, lanes)
        mx.replace(with: vv, where: (vv .> mx) .| (vv .!= vv))   // max, NaN wins
        storeLanes(mx, vMax, lanes)
        second = mx
    }
    let denom = second.squareRoot() / c.biasCorrection2Sqrt + c.epsilon   // √v̂ + ε
    pv = pv + -c.stepSize * mv / denom                        // p -= lr·m̂ / (√v̂ + ε)
    storeLanes(pv, p, lanes)
    storeLanes(mv, m, lanes)
    storeLanes(vv, v, lanes)
}

/// Up to 8 floats from `x` as one SIMD8 (missing lanes are 0).
@inline(__always)
func loadLanes(_ x: UnsafePointer<Float>, _ lanes: Int) -> SIMD8<Float> {
    if lanes == 8 { return UnsafeRawPointer(x).loadUnaligned(as: SIMD8<Float>.self) }
    var vector = SIMD8<Float>()
    for lane in 0..<lanes { vector[lane] = x[lane] }
    return vector
}

/// Writes the first `lanes` lanes of `vector` to `x`.
@inline(__always)
func storeLanes(_ vector: SIMD8<Float>, _ x: UnsafeMutablePointer<Float>, _ lanes: Int) {
    if lanes == 8 { UnsafeMutableRawPointer(x).storeBytes(of: vector, as: SIMD8<Float>.self); return }
    for lane in 0..<lanes { x[lane] = vector[lane] }
}
