// Summing a run of floats in a fixed order, eight lanes at a time, and its plain twin.

/// Σ x[from ..< from + count], in a fixed order: eight running sums (lanes of a SIMD register) over
/// blocks of eight, then the eight lanes pairwise, then the leftover elements one by one.
///
/// A single running sum waits for each add to finish before the next (about 4 cycles apiece), and
/// its rounding error grows with the count; eight sums overlap eight adds and each collects an
/// eighth of the terms. The order is fixed by the code, so the result is the same on every run,
/// and the same as `sumOfRunNaive`'s (read that one first).
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
    var total = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3]))
        + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]))
    while j < count {
        total += base[start + j]
        j += 1
    }
    return total
}

/// `sumOfRun`'s plain twin: the same sums in the same order, one number at a time. Running sum
/// `lane` collects the terms j = lane, lane + 8, lane + 16, … of the whole blocks of eight; the
/// eight sums are then added pairwise, and the leftover terms one by one.
func sumOfRunNaive(_ x: UnsafeBufferPointer<Float>, from start: Int, count: Int) -> Float {
    guard count > 0 else { return 0 }
    let whole = count / 8 * 8
    var lanes = [Float](repeating: 0, count: 8)
    for j in 0..<whole { lanes[j % 8] += x[start + j] }
    var total = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3]))
        + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]))
    for j in whole..<count { total += x[start + j] }
    return total
}

/// Σ of every value of `x`, in `sumOfRun`'s order (`Tensor.sum()`).
func sumOfAll(_ x: [Float]) -> Float {
    x.withUnsafeBufferPointer { x in sumOfRun(x, from: 0, count: x.count) }
}
