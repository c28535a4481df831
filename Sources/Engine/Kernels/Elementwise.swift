// Elementwise loops over whole arrays: one function applied to each element, or to each pair.

/// Applies `f` to every element.
@inline(__always)
func mapValues(_ x: [Float], _ f: (Float) -> Float) -> [Float] {
    [Float](unsafeUninitializedCapacity: x.count) { out, count in
        x.withUnsafeBufferPointer { x in
            for i in 0..<x.count { out[i] = f(x[i]) }
        }
        count = x.count
    }
}

/// Combines two equal-length arrays elementwise.
@inline(__always)
func zipValues(_ x: [Float], _ y: [Float], _ f: (Float, Float) -> Float) -> [Float] {
    precondition(x.count == y.count, "zipValues: \(x.count) vs \(y.count) elements")
    return [Float](unsafeUninitializedCapacity: x.count) { out, count in
        x.withUnsafeBufferPointer { x in
            y.withUnsafeBufferPointer { y in
                for i in 0..<x.count { out[i] = f(x[i], y[i]) }
            }
        }
        count = x.count
    }
}

/// `a += b`, element by element.
func addInPlace(_ a: inout [Float], _ b: [Float]) {
    precondition(a.count == b.count, "addInPlace: \(a.count) vs \(b.count) elements")
    a.withUnsafeMutableBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            for i in 0..<a.count { a[i] += b[i] }
        }
    }
}
