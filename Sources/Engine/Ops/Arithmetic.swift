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
                if total == 0 {
                    // an empty result: nothing to compute
                } else if a.shape == b.shape {
                    for i in 0..<total { out[i] = f(x[i], y[i]) }
                } else if b.count == 1 {                      // tensor ∘ scalar
                    let s = y[0]
                    for i in 0..<total { out[i] = f(x[i], s) }
                } else if a.count == 1 {                      // scalar ∘ tensor
                    let s = x[0]
                    for i in 0..<total { out[i] = f(s, y[i]) }
                } else if a.shape == shape && isTrailingBlock(b.shape, of: shape) {
                    // [B, T, D] ∘ [D] (or [T, D]): b repeats every b.count values
                    let n = b.count
                    for start in stride(from: 0, to: total, by: n) {
                        for j in 0..<n { out[start + j] = f(x[start + j], y[j]) }
                    }
                } else if b.shape == shape && isTrailingBlock(a.shape, of: shape) {
                    let n = a.count
                    for start in stride(from: 0, to: total, by: n) {
                        for j in 0..<n { out[start + j] = f(x[j], y[start + j]) }
                    }
                } else {                                       // the general case: strides, 0 where broadcast
                    let sa = broadcastStrides(a.shape, to: shape), sb = broadcastStrides(b.shape, to: shape)
                    forEachStridedIndexPair(shape, sa, sb) { o, i, j in out[o] = f(x[i], y[j]) }
                }
            }
        }
        count = total
    }
    return (values, shape)
}

/// Whether `small` is the trailing part of `shape` (e.g. `[D]` or `[T, D]` of `[B, T, D]`), so it
/// repeats as one contiguous block.
@inline(__always)
func isTrailingBlock(_ small: [Int], of shape: [Int]) -> Bool {
    small.count <= shape.count && shape.suffix(small.count).elementsEqual(small)
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
    // Each pullback skips the inputs that do not need a gradient (`x * 2` never computes d/d2).

    /// `a + b`, broadcasting. d/da = 1, d/db = 1.
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let (values, shape) = broadcastBinary(a, b, op: "add") { $0 + $1 }
        let aShape = a.shape, bShape = b.shape
        let needA = a.requiresGrad, needB = b.requiresGrad
        return result(values, shape: shape, op: "AddBackward", inputs: [a, b]) { g in
            [needA ? sumToShape(g, from: shape, to: aShape) : nil,
             needB ? sumToShape(g, from: shape, to: bShape) : nil]
        }
    }

    /// `a - b`, broadcasting. d/da = 1, d/db = -1.
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let (values, shape) = broadcastBinary(a, b, op: "sub") { $0 - $1 }
        let aShape = a.shape, bShape = b.shape
        let needA = a.requiresGrad, needB = b.requiresGrad
        return result(values, shape: shape, op: "SubBackward", inputs: [a, b]) { g in
            [needA ? sumToShape(g, from: shape, to: aShape) : nil,
             needB ? sumToShape(mapValues(g) { -$0 }, from: shape, to: bShape) : nil]
        }
    }

    /// `a * b`, broadcasting. d/da = b, d/db = a.
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let (values, shape) = broadcastBinary(a, b, op: "mul") { $0 * $1 }
        let aShape = a.shape, bShape = b.shape
        let needA = a.requiresGrad, needB = b.requiresGrad
        // Only keep the values the pullback will read: d/da needs b, d/db needs a.
        let aValues = needB ? a.scalars : [], bValues = needA ? b.scalars : []
        return result(values, shape: shape, op: "MulBackward", inputs: [a, b]) { g in
            var gA: [Float]? = nil, gB: [Float]? = nil
            if needA {
                let dA = zipValues(g, expandValues(bValues, from: bShape, to: shape)) { $0 * $1 }
                gA = sumToShape(dA, from: shape, to: aShape)
            }
            if needB {
                let dB = zipValues(g, expandValues(aValues, from: aShape, to: shape)) { $0 * $1 }
                gB = sumToShape(dB, from: shape, to: bShape)
            }
            return [gA, gB]
        }
    }

    /// `a / b`, broadcasting. d/da = 1/b, d/db = -a/b² = -(a/b)/b, computed as PyTorch does from
    /// the quotient y = a/b itself: d/db = -y/b.
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let (values, shape) = broadcastBinary(a, b, op: "div") { $0 / $1 }
        let aShape = a.shape, bShape = b.shape
        let needA = a.requiresGrad, needB = b.requiresGrad
        let quotient = needB ? values : [], bValues = b.scalars
        return result(values, shape: shape, op: "DivBackward", inputs: [a, b]) { g in
            let bFull = expandValues(bValues, from: bShape, to: shape)
            var gA: [Float]? = nil, gB: [Float]? = nil
            if needA {
                gA = sumToShape(zipValues(g, bFull) { $0 / $1 }, from: shape, to: aShape)
            }
            if needB {
                let yOverB = zipValues(quotient, bFull) { $0 / $1 }                 // (a/b)/b
                gB = sumToShape(zipValues(g, yOverB) { -$0 * $1 }, from: shape, to: bShape)
            }
            return [gA, gB]
        }
    }

    /// `-a`. d/da = -1.
    public static prefix func - (a: Tensor) -> Tensor {
        result(mapValues(a.scalars) { -$0 }, shape: a.shape, op: "NegBackward", inputs: [a]) { g in
            [mapValues(g) { -$0 }]
        }
    }

    /// The larger of `a` and `b` at each element, broadcasting (`torch.maximum`); NaN wins.
    /// The gradient goes to the larger one; on a tie each gets half, as in PyTorch.
    public static func maximum(_ a: Tensor, _ b: Tensor) -> Tensor {
        choose(a, b, op: "maximum", name: "MaximumBackward") { x, y in x > y || x.isNaN }
    }

    /// The smaller of `a` and `b` at each element, broadcasting (`torch.minimum`); NaN wins.
    /// The gradient goes to the smaller one; on a tie each gets half, as in PyTorch.
    public static func minimum(_ a: Tensor, _ b: Tensor) -> Tensor {
        choose(a, b, op: "minimum", name: "MinimumBackward") { x, y in x < y || x.isNaN }
    }

    /// Picks `a`'s element where `takeA(a, b)`, else `b`'s. Share of the gradient per element:
    /// 1 to the one picked, ½ to each when they are equal.
    @inline(__always)
    private static func choose(_ a: Tensor, _ b: Tensor, op: String, name: String,
                               _ takeA: (Float, Float) -> Bool) -> Tensor {
        let (values, shape) = broadcastBinary(a, b, op: op) { takeA($0, $1) ? $0 : $1 }
        let aShape = a.shape, bShape = b.shape
        let needA = a.requiresGrad, needB = b.requiresGrad
        let recording = isGradEnabled && (needA || needB)
        // a's share of the gradient at each output element (b gets 1 - share).
        let shareA = recording ? broadcastBinary(a, b, op: op) { $0 == $1 ? 0.5 : (takeA($0, $1) ? 1 : 0) }.values : []
        return result(values, shape: shape, op: name, inputs: [a, b]) { g in
            [needA ? sumToShape(zipValues(g, shareA) { $1 == 0 ? 0 : $0 * $1 }, from: shape, to: aShape) : nil,
             needB ? sumToShape(zipValues(g, shareA) { $1 == 1 ? 0 : $0 * (1 - $1) }, from: shape, to: bShape) : nil]
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
