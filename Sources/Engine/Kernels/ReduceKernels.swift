// The loops of the maximum reductions (Ops/Reduce.swift): the largest value, and the largest along
// one dimension with where it was. NaN wins in both, as in PyTorch.

/// The largest value of `x` (NaN if any is NaN) and how many elements equal it.
func maxAndTies(_ x: [Float]) -> (best: Float, ties: Int) {
    var best: Float = 0
    var ties = 0
    x.withUnsafeBufferPointer { x in
        best = x[0]
        for v in x where v > best || (v.isNaN && !best.isNaN) { best = v }
        for v in x where v == best || (v.isNaN && best.isNaN) { ties += 1 }
    }
    return (best, ties)
}

/// The largest of each run of `n` candidates lying `inner` apart, `x` viewed as `[outer, n, inner]`,
/// and the index (0..<n) of the first one that holds it. Both come out shaped `[outer, inner]`.
func maxAlong(_ x: [Float], outer: Int, n: Int, inner: Int) -> (values: [Float], indices: [Int]) {
    var values = [Float](repeating: 0, count: outer * inner)
    var indices = [Int](repeating: 0, count: outer * inner)
    x.withUnsafeBufferPointer { x in
        values.withUnsafeMutableBufferPointer { values in
            indices.withUnsafeMutableBufferPointer { indices in
                for o in 0..<outer {
                    for i in 0..<inner {
                        let base = o * n * inner + i
                        var best = 0, bestValue = x[base]
                        for j in 1..<n {
                            let v = x[base + j * inner]
                            if v > bestValue || (v.isNaN && !bestValue.isNaN) { best = j; bestValue = v }
                        }
                        values[o * inner + i] = bestValue
                        indices[o * inner + i] = best
                    }
                }
            }
        }
    }
    return (values, indices)
}

/// `maxAlong`'s backward: each gradient `g[o, i]` goes to the one position `indices[o, i]` it came
/// from, in a zero array viewed as `[outer, n, inner]`.
func scatterAlong(_ g: [Float], indices: [Int], outer: Int, n: Int, inner: Int) -> [Float] {
    var gx = [Float](repeating: 0, count: outer * n * inner)
    gx.withUnsafeMutableBufferPointer { gx in
        g.withUnsafeBufferPointer { g in
            indices.withUnsafeBufferPointer { indices in
                for o in 0..<outer {
                    for i in 0..<inner {
                        gx[(o * n + indices[o * inner + i]) * inner + i] = g[o * inner + i]
                    }
                }
            }
        }
    }
    return gx
}
