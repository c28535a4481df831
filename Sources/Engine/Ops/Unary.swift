// Elementwise math functions. Each forward maps every element; each pullback multiplies the
// incoming gradient by the function's derivative at that element (the chain rule, one element at
// a time). Pullbacks capture the *values* they need (here the derivatives), never a tensor.

extension Tensor {
    /// Builds an elementwise op: `forward` maps each value; `derivative(x, y)` gives dy/dx from
    /// the input `x` and output `y` at the same element.
    ///
    /// When the op is recorded, the local derivative dy/dx is computed right away, while `x` and `y`
    /// are at hand (and `derivative` can be inlined into a tight loop); the pullback then only has
    /// to multiply, dx = g · dy/dx, and keeps one array alive instead of both `x` and `y`.
    @inline(__always)
    func unaryOp(_ op: String, _ forward: (Float) -> Float,
                 derivative: (_ x: Float, _ y: Float) -> Float) -> Tensor {
        let y = mapValues(scalars, forward)
        let recording = isGradEnabled && requiresGrad
        let dydx = recording ? zipValues(scalars, y, derivative) : []
        return Tensor.result(y, shape: shape, op: op, inputs: [self]) { g in
            [zipValues(g, dydx) { $0 * $1 }]
        }
    }

    /// eˣ. d/dx = eˣ (the output itself).
    public func exp() -> Tensor { unaryOp("ExpBackward", { _exp($0) }, derivative: { _, y in y }) }

    /// Natural logarithm. d/dx = 1/x.
    public func log() -> Tensor { unaryOp("LogBackward", { _log($0) }, derivative: { x, _ in 1 / x }) }

    /// √x. d/dx = 1 / (2√x).
    public func sqrt() -> Tensor { unaryOp("SqrtBackward", { $0.squareRoot() }, derivative: { _, y in 0.5 / y }) }

    /// |x|. d/dx = sign(x), and 0 at x = 0 (PyTorch's choice).
    public func abs() -> Tensor {
        unaryOp("AbsBackward", { Swift.abs($0) }, derivative: { x, _ in x > 0 ? 1 : (x < 0 ? -1 : 0) })
    }

    /// sin x. d/dx = cos x.
    public func sin() -> Tensor { unaryOp("SinBackward", { _sin($0) }, derivative: { x, _ in _cos(x) }) }

    /// cos x. d/dx = -sin x.
    public func cos() -> Tensor { unaryOp("CosBackward", { _cos($0) }, derivative: { x, _ in -_sin(x) }) }

    /// xᵖ for a constant exponent p (`x.pow(p)`). d/dx = p·xᵖ⁻¹, and 0 for p = 0 (as PyTorch:
    /// x⁰ = 1 is constant, even at x = 0 where the formula would give 0·0⁻¹ = NaN).
    public func pow(_ p: Float) -> Tensor {
        if p == 0 { return unaryOp("PowBackward", { _ in 1 }, derivative: { _, _ in 0 }) }
        if p == 2 { return unaryOp("PowBackward", { $0 * $0 }, derivative: { x, _ in 2 * x }) }
        return unaryOp("PowBackward", { _pow($0, p) }, derivative: { x, _ in p * _pow(x, p - 1) })
    }

    /// Limits every element to `[min, max]` (either bound optional, like `torch.clamp`).
    /// d/dx = 1 inside the range, 0 where the value was clipped.
    public func clamp(min lo: Float? = nil, max hi: Float? = nil) -> Tensor {
        let lower = lo ?? -.infinity, upper = hi ?? .infinity
        return unaryOp("ClampBackward", { Swift.min(Swift.max($0, lower), upper) },
                       derivative: { x, _ in x >= lower && x <= upper ? 1 : 0 })
    }
}
