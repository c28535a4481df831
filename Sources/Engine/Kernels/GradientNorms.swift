// The loops behind gradient clipping (Training/Clipping.swift): one tensor's sum of squares, its
// largest magnitude, scaling and clamping it in place. Dimension letter: R, the elements.
// Plain loops on buffer pointers (the compiler vectorises the scaling and clamping by itself).

/// Σ xᵢ², each square and the running sum in Double, so the result does not depend on the order.
// x: [R] -> scalar
func sumOfSquaresInDouble(_ x: [Float]) -> Double {
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
