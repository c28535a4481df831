// Broadcasting, as NumPy and PyTorch define it: align shapes at their last dimension; two sizes are
// compatible when equal or when one of them is 1 (a missing dimension counts as 1); the result takes
// the larger size. A size-1 (or missing) dimension is read with stride 0: the same value, repeated.
// This file holds the index arithmetic; the loops that move values (`broadcastValues`, `sumToShape`,
// `expandValues`) are in Kernels/BroadcastKernels.swift.

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
