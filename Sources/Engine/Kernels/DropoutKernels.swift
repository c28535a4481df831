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

/// One element of dropout's mask, drawn fast: 0 (dropped) or 1/(1-p) (kept), from the same stream
/// as `dropoutMaskPlain`.
///
/// `nextFloat() < p` is `Float(u) · 2⁻²⁴ < p` for the top 24 bits u, and since both sides are exact
/// (u < 2²⁴, and scaling by a power of two is exact), that is the integer test `u < ⌈p · 2²⁴⌉`: no
/// conversion to Float per element.
struct DropoutDraw {
    let scale: Float, threshold: UInt64

    init(p: Float) {
        scale = 1 / (1 - p)
        threshold = UInt64((p * 16_777_216).rounded(.up))
    }

    @inline(__always)
    func next(_ g: inout Generator) -> Float { g.next() >> 40 < threshold ? 0 : scale }
}

/// Dropout's mask, `[count]` values 0 or 1/(1-p) (`DropoutDraw`): attention's dropout on its weights
/// (`attentionWeights`). The generator's state stays in registers for the whole loop (a local copy,
/// written back at the end).
func dropoutMask(count: Int, p: Float, generator: inout Generator) -> [Float] {
    let draw = DropoutDraw(p: p)
    var g = generator
    defer { generator = g }
    return [Float](unsafeUninitializedCapacity: count) { mask, initialized in
        for i in 0..<count { mask[i] = draw.next(&g) }
        initialized = count
    }
}

/// Dropout's forward in one pass: the mask (as `dropoutMask`) and `y = x · mask`, for `x` of any shape.
func dropoutForward(_ x: [Float], p: Float, generator: inout Generator) -> (y: [Float], mask: [Float]) {
    let draw = DropoutDraw(p: p)
    var g = generator
    defer { generator = g }
    // Both arrays are written whole by the loop: no zero-fill first (it had cost ~1 % of a step).
    var mask: [Float] = []
    let y = [Float](unsafeUninitializedCapacity: x.count) { y, yCount in
        mask = [Float](unsafeUninitializedCapacity: x.count) { mask, maskCount in
            x.withUnsafeBufferPointer { x in
                for i in 0..<x.count {
                    let keep = draw.next(&g)
                    mask[i] = keep
                    y[i] = x[i] * keep
                }
            }
            maskCount = x.count
        }
        yCount = x.count
    }
    return (y, mask)
}
