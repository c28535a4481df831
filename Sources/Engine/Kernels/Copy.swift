// The loops of the movement ops (Ops/Shape.swift): copying windows, joining blocks, permuting.
// Each view is `[outer, n, inner]` around the dimension the op works on: in every outer block the
// n entries of that dimension are `inner` values each, contiguous.

/// Entries `start ..< start + length` of the middle dimension of `x` viewed as `[outer, n, inner]`
/// (`narrow`'s forward; `cat`'s backward for one input): `[outer, length, inner]`.
func narrowValues(_ x: [Float], outer: Int, n: Int, inner: Int, start: Int, length: Int) -> [Float] {
    let block = length * inner
    return [Float](unsafeUninitializedCapacity: outer * block) { out, count in
        x.withUnsafeBufferPointer { x in
            for o in 0..<outer { copyFloats(x, (o * n + start) * inner, to: out, o * block, count: block) }
        }
        count = outer * block
    }
}

/// `narrowValues`' backward: `g` (`[outer, length, inner]`) put back at entries
/// `start ..< start + length` of a zero array viewed as `[outer, n, inner]`.
func widenValues(_ g: [Float], outer: Int, n: Int, inner: Int, start: Int, length: Int) -> [Float] {
    let block = length * inner
    var gx = [Float](repeating: 0, count: outer * n * inner)
    gx.withUnsafeMutableBufferPointer { gx in
        g.withUnsafeBufferPointer { g in
            for o in 0..<outer { copyFloats(g, o * block, to: gx, (o * n + start) * inner, count: block) }
        }
    }
    return gx
}

/// Joins `parts` along the middle dimension (`cat`'s forward): part t is viewed as
/// `[outer, sizes[t], inner]`, the result as `[outer, Σ sizes, inner]`.
func catValues(_ parts: [[Float]], sizes: [Int], outer: Int, inner: Int) -> [Float] {
    let total = sizes.reduce(0, +)
    var offset = 0                                  // where part t starts along the joined dimension
    return [Float](unsafeUninitializedCapacity: outer * total * inner) { out, count in
        for (t, part) in parts.enumerated() {
            let block = sizes[t] * inner
            part.withUnsafeBufferPointer { x in
                for o in 0..<outer {
                    copyFloats(x, o * block, to: out, (o * total + offset) * inner, count: block)
                }
            }
            offset += sizes[t]
        }
        count = outer * total * inner
    }
}

/// Copies `count` values from `source[from...]` to `target[to...]` (one block move, like `memcpy`).
@inline(__always)
func copyFloats(_ source: UnsafeBufferPointer<Float>, _ from: Int,
                to target: UnsafeMutableBufferPointer<Float>, _ to: Int, count: Int) {
    guard count > 0 else { return }
    (target.baseAddress! + to).initialize(from: source.baseAddress! + from, count: count)
}

/// Copies `values` (shaped `shape`) into the layout where output dimension i is input dimension
/// `order[i]`.
func permuteValues(_ values: [Float], shape: [Int], order: [Int]) -> [Float] {
    let rank = shape.count
    if order == Array(0..<rank) { return values }
    var inStrides = [Int](repeating: 1, count: rank)
    for i in stride(from: rank - 2, through: 0, by: -1) { inStrides[i] = inStrides[i + 1] * shape[i + 1] }
    let outShape = order.map { shape[$0] }
    let strides = order.map { inStrides[$0] }          // stride in the input for each output dim
    let total = values.count
    return [Float](unsafeUninitializedCapacity: total) { out, count in
        values.withUnsafeBufferPointer { x in
            if order[rank - 1] == rank - 1, total > 0 {
                // The last dimension stays last (as when attention splits [B, T, H, Dh] into
                // [B, H, T, Dh]): every run of it is contiguous on both sides, so copy whole runs.
                let run = shape[rank - 1]
                forEachStridedRun(outShape, strides) { o, i in
                    (out.baseAddress! + o).update(from: x.baseAddress! + i, count: run)
                }
            } else {
                forEachStridedIndex(outShape, strides) { o, i in out[o] = x[i] }
            }
        }
        count = total
    }
}

/// `permuteValues`' plain twin: every element on its own, through the strided walk.
func permuteValuesNaive(_ values: [Float], shape: [Int], order: [Int]) -> [Float] {
    let rank = shape.count
    var inStrides = [Int](repeating: 1, count: rank)
    for i in stride(from: rank - 2, through: 0, by: -1) { inStrides[i] = inStrides[i + 1] * shape[i + 1] }
    let outShape = order.map { shape[$0] }
    var out = [Float](repeating: 0, count: values.count)
    forEachStridedIndex(outShape, order.map { inStrides[$0] }) { o, i in out[o] = values[i] }
    return out
}
