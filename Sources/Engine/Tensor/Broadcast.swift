// Broadcasting, as NumPy and PyTorch define it: align shapes at their last dimension; two sizes are
// compatible when equal or when one of them is 1 (a missing dimension counts as 1); the result takes
// the larger size. A size-1 (or missing) dimension is read with stride 0: the same value, repeated.

/// The shape two broadcast operands produce, or `nil` when they are incompatible.
public func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
    let rank = max(a.count, b.count)
    var out = [Int](repeating: 1, count: rank)
    for i in 0..<rank {
        let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
        let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
        guard da == db || da == 1 || db == 1 else { return nil }
        out[i] = da == 1 ? db : da
    }
    return out
}

/// Row-major strides of `shape` as seen from the (larger) `outShape`: 0 on every dimension that is
/// broadcast (missing or size 1), so walking the output reads the right input element.
func broadcastStrides(_ shape: [Int], to outShape: [Int]) -> [Int] {
    var strides = [Int](repeating: 0, count: outShape.count)
    var step = 1
    for i in (0..<shape.count).reversed() {
        let o = i + outShape.count - shape.count
        strides[o] = shape[i] == 1 ? 0 : step
        step *= shape[i]
    }
    return strides
}

/// Calls `body(outStart, inStart)` once per run of the last dimension of `outShape`: the run covers
/// output elements `outStart ..< outStart + outShape.last` and reads the input from `inStart` with
/// step `strides.last` (0 when the input is broadcast along that dimension). An odometer over the
/// outer dimensions moves `inStart` along the input's strides.
@inline(__always)
func forEachStridedRun(_ outShape: [Int], _ strides: [Int], _ body: (Int, Int) -> Void) {
    let rank = outShape.count
    let total = outShape.reduce(1, *)
    if total == 0 { return }
    if rank == 0 { body(0, 0); return }
    var counter = [Int](repeating: 0, count: rank)
    var inIndex = 0
    let inner = outShape[rank - 1]
    var out = 0
    while out < total {
        body(out, inIndex)
        out += inner
        // Advance the odometer over the outer dimensions.
        var d = rank - 2
        while d >= 0 {
            counter[d] += 1
            inIndex += strides[d]
            if counter[d] < outShape[d] { break }
            inIndex -= strides[d] * counter[d]
            counter[d] = 0
            d -= 1
        }
    }
}

/// Calls `body(outIndex, inIndex)` for every element of `outShape` in row-major order, with the flat
/// index of the matching element of an input whose broadcast strides are `strides`.
@inline(__always)
func forEachStridedIndex(_ outShape: [Int], _ strides: [Int], _ body: (Int, Int) -> Void) {
    let inner = outShape.last ?? 1, innerStride = strides.last ?? 0
    forEachStridedRun(outShape, strides) { out, inIndex in
        for j in 0..<inner { body(out + j, inIndex + j * innerStride) }
    }
}

/// Like `forEachStridedIndex`, for two inputs at once: calls `body(outIndex, aIndex, bIndex)` for every
/// element of `outShape`, walking one odometer for both (the general case of a broadcast binary op).
@inline(__always)
func forEachStridedIndexPair(_ outShape: [Int], _ stridesA: [Int], _ stridesB: [Int],
                             _ body: (Int, Int, Int) -> Void) {
    let rank = outShape.count
    let total = outShape.reduce(1, *)
    if total == 0 { return }
    if rank == 0 { body(0, 0, 0); return }
    var counter = [Int](repeating: 0, count: rank)
    var ia = 0, ib = 0
    let inner = outShape[rank - 1], innerA = stridesA[rank - 1], innerB = stridesB[rank - 1]
    var out = 0
    while out < total {
        for j in 0..<inner { body(out + j, ia + j * innerA, ib + j * innerB) }
        out += inner
        var d = rank - 2
        while d >= 0 {
            counter[d] += 1
            ia += stridesA[d]
            ib += stridesB[d]
            if counter[d] < outShape[d] { break }
            ia -= stridesA[d] * counter[d]
            ib -= stridesB[d] * counter[d]
            counter[d] = 0
            d -= 1
        }
    }
}

/// Σ x[from ..< from + count], in a fixed order: eight running sums (lanes of a SIMD register) over
/// blocks of eight, then the eight lanes pairwise, then the leftover elements one by one.
///
/// A single running sum waits for each add to finish before the next (about 4 cycles apiece), and
/// its rounding error grows with the count; eight sums overlap eight adds and each collects an
/// eighth of the terms. The order is fixed by the code, so the result is the same on every run.
@inline(__always)
func sumOfRun(_ x: UnsafeBufferPointer<Float>, from start: Int, count: Int) -> Float {
    guard count > 0, let base = x.baseAddress else { return 0 }
    let p = UnsafeRawPointer(base + start)
    var lanes = SIMD8<Float>.zero
    var j = 0
    while j + 8 <= count {
        lanes += p.loadUnaligned(fromByteOffset: j * MemoryLayout<Float>.stride, as: SIMD8<Float>.self)
        j += 8
    }
    // The lanes pairwise, written out so the order is ours, not the compiler's.
    var total = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]))
    while j < count {
        total += base[start + j]
        j += 1
    }
    return total
}

/// Sums a gradient shaped like the broadcast result back down to an input's `shape`: every output
/// element that read input element `i` adds its gradient to `i` (the backward of broadcasting).
func sumToShape(_ grad: [Float], from outShape: [Int], to shape: [Int]) -> [Float] {
    if outShape == shape { return grad }
    var result = [Float](repeating: 0, count: shape.reduce(1, *))
    let strides = broadcastStrides(shape, to: outShape)
    let inner = outShape.last ?? 1, innerStride = strides.last ?? 0
    result.withUnsafeMutableBufferPointer { r in
        grad.withUnsafeBufferPointer { g in
            forEachStridedRun(outShape, strides) { o, i in
                if innerStride == 0 {
                    // Reducing the last dimension: sum the run in registers, then store once
                    // (adding into r[i] element by element waits on memory at every step).
                    r[i] += sumOfRun(g, from: o, count: inner)
                } else {
                    for j in 0..<inner { r[i + j * innerStride] += g[o + j] }
                }
            }
        }
    }
    return result
}

/// Repeats `values` (shaped `shape`) out to `outShape` (the forward of broadcasting).
func expandValues(_ values: [Float], from shape: [Int], to outShape: [Int]) -> [Float] {
    if shape == outShape { return values }
    let total = outShape.reduce(1, *)
    if values.count == 1 { return [Float](repeating: values[0], count: total) }   // a scalar, repeated
    let strides = broadcastStrides(shape, to: outShape)
    return [Float](unsafeUninitializedCapacity: total) { out, count in
        values.withUnsafeBufferPointer { v in
            forEachStridedIndex(outShape, strides) { o, i in out[o] = v[i] }
        }
        count = total
    }
}
