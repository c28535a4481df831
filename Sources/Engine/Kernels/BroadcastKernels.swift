// The loops of broadcasting (the index arithmetic is in Tensor/Broadcast.swift): a binary op over
// two broadcast operands, repeating values out to a larger shape, and summing a gradient back.

/// `f` applied to every pair of broadcast elements of `x` (shaped `xShape`) and `y` (`yShape`),
/// giving an array shaped `shape` (their broadcast shape).
///
/// The common cases take a short path: equal shapes, a scalar on either side, and an operand that
/// is a trailing block of the other (`[B, T, D] ∘ [D]`). Each computes `f` on the same pairs as the
/// general strided walk of `broadcastValuesNaive`, so both give the same bits.
@inline(__always)
func broadcastValues(_ x: [Float], _ xShape: [Int], _ y: [Float], _ yShape: [Int], to shape: [Int],
                     _ f: (Float, Float) -> Float) -> [Float] {
    let total = shape.reduce(1, *)
    return [Float](unsafeUninitializedCapacity: total) { out, count in
        x.withUnsafeBufferPointer { x in
            y.withUnsafeBufferPointer { y in
                if total == 0 {
                    // an empty result: nothing to compute
                } else if xShape == yShape {
                    for i in 0..<total { out[i] = f(x[i], y[i]) }
                } else if y.count == 1 {                      // tensor ∘ scalar
                    let s = y[0]
                    for i in 0..<total { out[i] = f(x[i], s) }
                } else if x.count == 1 {                      // scalar ∘ tensor
                    let s = x[0]
                    for i in 0..<total { out[i] = f(s, y[i]) }
                } else if xShape == shape && isTrailingBlock(yShape, of: shape) {
                    // [B, T, D] ∘ [D] (or [T, D]): y repeats every y.count values
                    let run = y.count
                    for start in stride(from: 0, to: total, by: run) {
                        for j in 0..<run { out[start + j] = f(x[start + j], y[j]) }
                    }
                } else if yShape == shape && isTrailingBlock(xShape, of: shape) {
                    let run = x.count
                    for start in stride(from: 0, to: total, by: run) {
                        for j in 0..<run { out[start + j] = f(x[j], y[start + j]) }
                    }
                } else {                                       // the general case: strides, 0 where broadcast
                    let sx = broadcastStrides(xShape, to: shape), sy = broadcastStrides(yShape, to: shape)
                    forEachStridedIndexPair(shape, sx, sy) { o, i, j in out[o] = f(x[i], y[j]) }
                }
            }
        }
        count = total
    }
}

/// `broadcastValues`' plain twin: always the general strided walk, one output element at a time.
func broadcastValuesNaive(_ x: [Float], _ xShape: [Int], _ y: [Float], _ yShape: [Int], to shape: [Int],
                          _ f: (Float, Float) -> Float) -> [Float] {
    var out = [Float](repeating: 0, count: shape.reduce(1, *))
    let sx = broadcastStrides(xShape, to: shape), sy = broadcastStrides(yShape, to: shape)
    forEachStridedIndexPair(shape, sx, sy) { o, i, j in out[o] = f(x[i], y[j]) }
    return out
}

/// Whether `small` is the trailing part of `shape` (e.g. `[D]` or `[T, D]` of `[B, T, D]`), so it
/// repeats as one contiguous block.
@inline(__always)
func isTrailingBlock(_ small: [Int], of shape: [Int]) -> Bool {
    small.count <= shape.count && shape.suffix(small.count).elementsEqual(small)
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
