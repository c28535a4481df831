// Elementwise arithmetic with broadcasting: +, -, *, /.
// Each op's forward computes the values; its pullback, right below, says how the gradient of the
// result flows to each input, then sums it back to that input's shape (broadcasting's backward).

/// Applies `f` to every pair of broadcast elements of `a` and `b` (the loop: `broadcastValues`).
@inline(__always)
func broadcastBinary(_ a: Tensor, _ b: Tensor, op: String,
                     _ f: (Float, Float) -> Float) -> (values: [Float], shape: [Int]) {
    guard let shape = broadcastShape(a.shape, b.shape) else {
        preconditionFailure("\(op): shapes \(a.shape) and \(b.shape) cannot be broadcast together")
    }
    return (broadcastValues(a.scalars, a.shape, b.scalars, b.shape, to: shape, f), shape)
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
        let shareA = recording
            ? broadcastBinary(a, b, op: op) { $0 == $1 ? 0.5 : (takeA($0, $1) ? 1 : 0) }.values
            : []
        return result(values, shape: shape, op: name, inputs: [a, b]) { g in
            let gA = needA ? zipValues(g, shareA) { $1 == 0 ? 0 : $0 * $1 } : []
            let gB = needB ? zipValues(g, shareA) { $1 == 1 ? 0 : $0 * (1 - $1) } : []
            return [needA ? sumToShape(gA, from: shape, to: aShape) : nil,
                    needB ? sumToShape(gB, from: shape, to: bShape) : nil]
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
