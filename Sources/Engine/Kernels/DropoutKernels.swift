// The loops of dropout (Ops/Masking.swift). Each element draws one 64-bit number from the
// generator, in order, and is dropped when the number's top 24 bits, read as a uniform in [0, 1),
// fall below p: the same random stream, and so the same masks, as `generator.nextFloat() < p`.

/// The plain twin: a mask of 0 (dropped) or 1/(1-p) (kept) per element, one `nextFloat()` each.
func dropoutMaskPlain(count: Int, p: Float, generator: inout Generator) -> [Float] {
    let scale = 1 / (1 - p)
    var mask = [Float](repeating: 0, count: count)
    for i in 0..<count { mask[i] = generator.nextFloat() < p ? 0 : scale }
    return mask
}

/// Dropout's mask, fast: 0 (dropped) or 1/(1-p) (kept) per element, `[count]`.
///
/// The same stream as `dropoutMaskPlain`, drawn faster: `nextFloat() < p` is `Float(u) · 2⁻²⁴ < p`
/// for the top 24 bits u, and since both sides are exact (u < 2²⁴, and scaling by a power of two
/// is exact), that is the integer test `u < ⌈p · 2²⁴⌉`: no conversion to Float per element. The
/// generator's state stays in registers for the whole loop (a local copy, written back at the end).
/// Used by dropout (`dropoutForward`) and by attention's dropout on its weights (`attentionWeights`).
func dropoutMask(count: Int, p: Float, generator: inout Generator) -> [Float] {
    let scale = 1 / (1 - p)
    let threshold = UInt64((p * 16_777_216).rounded(.up))
    var g = generator
    defer { generator = g }
    return [Float](unsafeUninitializedCapacity: count) { mask, initialized in
        for i in 0..<count { mask[i] = g.next() >> 40 < threshold ? 0 : scale }
        initialized = count
    }
}

/// Dropout's forward: the mask (`dropoutMask`) and `y = x · mask`, for `x` of any shape.
func dropoutForward(_ x: [Float], p: Float, generator: inout Generator) -> (y: [Float], mask: [Float]) {
    let mask = dropoutMask(count: x.count, p: p, generator: &generator)
    let y = [Float](unsafeUninitializedCapacity: x.count) { y, count in
        x.withUnsafeBufferPointer { x in
            mask.withUnsafeBufferPointer { mask in
                for i in 0..<x.count { y[i] = x[i] * mask[i] }
            }
        }
        count = x.count
    }
    return (y, mask)
}
