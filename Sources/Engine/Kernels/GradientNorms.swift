// The loops behind gradient clipping (Training/Clipping.swift): one tensor's sum of squares, its
// largest magnitude, scaling and clamping it in place. Dimension letter: R, the elements.
// Plain loops on buffer pointers (the compiler vectorises the scaling and clamping by itself).

/// Σ xᵢ², each square and the running sum in Double, so the result does not depend on the order.
///
/// Each square of a Float is exact in Double (24 + 24 bits of mantissa fit in 53), and the sum's
/// rounding errors stay some 2²⁹ times below a Float's last bit, so the Float norm made from it is
/// the same whatever order the terms are added in. That freedom is used here: eight running sums,
/// one per lane of a SIMD8<Double>, added together at the end. One running sum is a chain of
/// dependent additions (~4 cycles each: ~0.2 ms for the model's 191,873 gradients); eight
/// independent ones run about eight times faster. `sumOfSquaresInDoublePlain` is the plain loop.
// x: [R] -> scalar
func sumOfSquaresInDouble(_ x: [Float]) -> Double {
    x.withUnsafeBufferPointer { x in
        var lanes = SIMD8<Double>()
        var i = 0
        while i + 8 <= x.count {
            let v = SIMD8<Double>(UnsafeRawPointer(x.baseAddress! + i).loadUnaligned(as: SIMD8<Float>.self))
            lanes = lanes + v * v
            i += 8
        }
        var squares = lanes.sum()
        while i < x.count { squares += Double(x[i]) * Double(x[i]); i += 1 }
        return squares
    }
}

/// The plain twin of `sumOfSquaresInDouble`: one running sum, in order.
// x: [R] -> scalar
func sumOfSquaresInDoublePlain(_ x: [Float]) -> Double {
    var squares: Double = 0
    x.withUnsafeBufferPointer { x in
        for v in x { squares += Double(v) * Double(v) }
    }
    return squares
}

/// max |xᵢ|, NaN if any element is NaN (PyTorch's inf-norm), starting from `largest`.
// x: [R] -> scalar
func largestMagnitude(_ x: [Float], startingFrom largest: Float = 0) -> Float {
    var largest = largest
    x.withUnsafeBufferPointer { x in
        for v in x where Swift.abs(v) > largest || v.isNaN { largest = v.isNaN ? .nan : Swift.abs(v) }
    }
    return largest
}

/// xᵢ = xᵢ · factor.
// x: [R] -> [R], in place
func scaleInPlace(_ x: inout [Float], by factor: Float) {
    x.withUnsafeMutableBufferPointer { x in
        for i in 0..<x.count { x[i] = x[i] * factor }
    }
}

/// xᵢ = min(max(xᵢ, -limit), limit).
// x: [R] -> [R], in place
func clampInPlace(_ x: inout [Float], limit: Float) {
    x.withUnsafeMutableBufferPointer { x in
        for i in 0..<x.count { x[i] = Swift.min(Swift.max(x[i], -limit), limit) }
    }
}
