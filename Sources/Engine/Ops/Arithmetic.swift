// Elementwise arithmetic with broadcasting: +, -, *, /.
// Each op's forward computes the values; its pullback, right below, says how the gradient of the
// result flows to each input, then sums it back to that input's shape (broadcasting's backward).

/// Applies `f` to every pair of broadcast elements of `a` and `b`.
@inline(__always)
func broadcastBinary(_ a: Tensor, _ b: Tensor, op: String, _ f: (Float, Float) -> Float) -> (values: [Float], shape: [Int]) {
    guard let shape = broadcastShape(a.shape, b.shape) else {
        preconditionFailure("\(op): shapes \(a.shape) and \(b.shape) cannot be broadcast together")
    }
    let total = shape.reduce(1, *)
    let values = [Float](unsafeUninitializedCapacity: total) { out, count in
        a.scalars.withUnsafeBufferPointer { x in
            b.scalars.withUnsafeBufferPointer { y in
                if a.shape == b.shape {
                    for i in 0..<total { out[i] = f(x[i], y[i]) }
                } else if b.count == 1 {
                    let s = y[0]
                    for i in 0..<total { out[i] = f(x[i], s) }
                } else if a.shape == shape && b.shape.count <= shape.count
                            && Array(shape.suffix(b.shape.count)) == b.shape {
                    // a trailing-block broadcast such as [B, T, D] + [D]: b repeats every b.count values
                    let n = b.count
                    for start in stride(from: 0, to: total, by: n) {
                        for j in 0..<n { out[start + j] = f(x[start + j], y[j]) }
                    }
                } else {
                    let sa = broadcastStrides(a.shape, to: shape), sb = broadcastStrides(b.shape, to: shape)
                    var ia = [Int](repeating: 0, count: total)
                    forEachStridedIndex(shape, sa) { o, i in ia[o] = i }
                    forEachStridedIndex(shape, sb) { o, i in out[o] = f(x[ia[o]], y[i]) }
                }
            }
        }
        count = total
    }
    return (values, shape)
}

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

extension Tensor {
    /// `a + b`, broadcasting. d/da = 1, d/db = 1.
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let (values, shape) = broadcastBinary(a, b, op: "add") { $0 + $1 }
        let aShape = a.shape, bShape = b.shape
        return result(values, shape: shape, op: "AddBackward", inputs: [a, b]) { g in
            [sumToShape(g, from: shape, to: aShape), sumToShape(g, from: shape, to: bShape)]
        }
    }

    /// `a - b`, broadcasting. d/da = 1, d/db = -1.
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let (values, shape) = broadcastBinary(a, b, op: "sub") { $0 - $1 }
        let aShape = a.shape, bShape = b.shape
        return result(values, shape: shape, op: "SubBackward", inputs: [a, b]) { g in
            [sumToShape(g, from: shape, to: aShape), sumToShape(mapValues(g) { -$0 }, from: shape, to: bShape)]
        }
    }

    /// `a * b`, broadcasting. d/da = b, d/db = a.
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let (values, shape) = broadcastBinary(a, b, op: "mul") { $0 * $1 }
        let aShape = a.shape, bShape = b.shape
        let aValues = a.scalars, bValues = b.scalars
        return result(values, shape: shape, op: "MulBackward", inputs: [a, b]) { g in
            let gA = zipValues(g, expandValues(bValues, from: bShape, to: shape)) { $0 * $1 }
            let gB = zipValues(g, expandValues(aValues, from: aShape, to: shape)) { $0 * $1 }
            return [sumToShape(gA, from: shape, to: aShape), sumToShape(gB, from: shape, to: bShape)]
        }
    }

    /// `a / b`, broadcasting. d/da = 1/b, d/db = -a/b².
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let (values, shape) = broadcastBinary(a, b, op: "div") { $0 / $1 }
        let aShape = a.shape, bShape = b.shape
        let aValues = a.scalars, bValues = b.scalars
        return result(values, shape: shape, op: "DivBackward", inputs: [a, b]) { g in
            let bFull = expandValues(bValues, from: bShape, to: shape)
            let aFull = expandValues(aValues, from: aShape, to: shape)
            let gA = zipValues(g, bFull) { $0 / $1 }
            var gB = zipValues(g, aFull) { -$0 * $1 }
            gB = zipValues(gB, bFull) { $0 / ($1 * $1) }
            return [sumToShape(gA, from: shape, to: aShape), sumToShape(gB, from: shape, to: bShape)]
        }
    }

    /// `-a`. d/da = -1.
    public static prefix func - (a: Tensor) -> Tensor {
        result(mapValues(a.scalars) { -$0 }, shape: a.shape, op: "NegBackward", inputs: [a]) { g in
            [mapValues(g) { -$0 }]
        }
    }

    // MARK: Scalars on either side (the scalar becomes a constant tensor, which needs no gradient)

    public static func + (a: Tensor, s: Float) -> Tensor { a + Tensor(scalar: s) }
    public static func + (s: Float, a: Tensor) -> Tensor { Tensor(scalar: s) + a }
    public static func - (a: Tensor, s: Float) -> Tensor { a - Tensor(scalar: s) }
    public static func - (s: Float, a: Tensor) -> Tensor { Tensor(scalar: s) - a }
    public static func * (a: Tensor, s: Float) -> Tensor { a * Tensor(scalar: s) }
    public static func * (s: Float, a: Tensor) -> Tensor { Tensor(scalar: s) * a }
    public static func / (a: Tensor, s: Float) -> Tensor { a / Tensor(scalar: s) }
    public static func / (s: Float, a: Tensor) -> Tensor { Tensor(scalar: s) / a }
}
