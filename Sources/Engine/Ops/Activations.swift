// The activation functions, each beside its derivative, and `Activation`, the one vocabulary that
// names them (for flags, layers and tables). Their derivatives decide whether gradients survive
// many layers: sigmoid' ≤ 0.25 and tanh' ≤ 1
// shrink a gradient at every layer (vanishing gradients), ReLU' is 0 or 1, LeakyReLU' never 0.

/// How GELU is computed: exactly with erf (PyTorch's default) or with the tanh approximation
/// (`approximate="tanh"`).
public enum GELUApproximation: String, Sendable {
    case none
    case tanh
}

/// The engine's activation functions, as one vocabulary: the raw value is the command-line name
/// (`--activation leaky_relu`), the case is callable, and it knows PyTorch's module name.
///
///     let act = Activation.gelu
///     let h = act(x)                 // x.gelu()
///     act.pytorchName                // "nn.GELU"
///     act.displayName                // "GELU"
///
/// Adding one means: its op below (forward beside derivative), its case here, its test.
public enum Activation: String, CaseIterable, Sendable {
    case relu
    case leakyRelu = "leaky_relu"
    case gelu
    case tanh
    case sigmoid
    case silu

    /// The name of the module in PyTorch: `nn.ReLU`, `nn.LeakyReLU`, ….
    public var pytorchName: String { "nn." + displayName }

    /// How tables and narration name it (the same in every language): PyTorch's class name.
    public var displayName: String {
        switch self {
        case .relu: "ReLU"
        case .leakyRelu: "LeakyReLU"
        case .gelu: "GELU"
        case .tanh: "Tanh"
        case .sigmoid: "Sigmoid"
        case .silu: "SiLU"
        }
    }

    /// Applies the function with PyTorch's defaults (LeakyReLU's slope 0.01, GELU's exact erf form).
    // x: [...] -> [...]
    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .relu: x.relu()
        case .leakyRelu: x.leakyRelu(negativeSlope: 0.01)
        case .gelu: x.gelu()
        case .tanh: x.tanh()
        case .sigmoid: x.sigmoid()
        case .silu: x.silu()
        }
    }
}

extension Tensor {
    /// max(0, x). d/dx = 1 for x > 0, else 0 (0 at x = 0, as PyTorch).
    public func relu() -> Tensor {
        // `x <= 0` is false for NaN, so NaN passes through, as in PyTorch.
        unaryOp("ReluBackward", { $0 <= 0 ? 0 : $0 }, derivative: { x, _ in x > 0 ? 1 : 0 })
    }

    /// x for x > 0, else slope·x. d/dx = 1 for x > 0, else slope (slope at x = 0, as PyTorch).
    public func leakyRelu(negativeSlope slope: Float = 0.01) -> Tensor {
        unaryOp("LeakyReluBackward", { $0 > 0 ? $0 : slope * $0 }, derivative: { x, _ in x > 0 ? 1 : slope })
    }

    /// Hyperbolic tangent. d/dx = 1 - tanh²x.
    public func tanh() -> Tensor {
        unaryOp("TanhBackward", { _tanh($0) }, derivative: { _, y in 1 - y * y })
    }

    /// σ(x) = 1 / (1 + e⁻ˣ). d/dx = σ(x)(1 - σ(x)).
    public func sigmoid() -> Tensor {
        unaryOp("SigmoidBackward", { sigmoidValue($0) }, derivative: { _, y in y * (1 - y) })
    }

    /// SiLU(x) = x·σ(x) (`torch.nn.SiLU`, also called swish). d/dx = σ(x)·(1 + x·(1 - σ(x))).
    public func silu() -> Tensor {
        unaryOp("SiluBackward", { $0 * sigmoidValue($0) }, derivative: { x, _ in
            let s = sigmoidValue(x)
            return s * (1 + x * (1 - s))
        })
    }

    /// GELU(x) = x·Φ(x), Φ the standard normal CDF.
    /// - exact:  Φ(x) = ½(1 + erf(x/√2)),  d/dx = Φ(x) + x·φ(x),  φ(x) = e^(−x²/2)/√(2π)
    /// - tanh:   ½x(1 + tanh(u)),  u = √(2/π)(x + 0.044715x³)
    public func gelu(approximate: GELUApproximation = .none) -> Tensor {
        switch approximate {
        case .none:
            return unaryOp("GeluBackward", geluErf, derivative: { x, _ in geluErfDerivative(x) })
        case .tanh:
            return unaryOp("GeluBackward", geluTanh, derivative: { x, _ in geluTanhDerivative(x) })
        }
    }
}

@inline(__always) func sigmoidValue(_ x: Float) -> Float {
    // Two forms, so that e^(-x) never overflows for very negative x.
    if x >= 0 { return 1 / (1 + _exp(-x)) }
    let e = _exp(x)
    return e / (1 + e)
}

private let inverseSqrt2: Float = 0.70710678118654752
private let inverseSqrt2Pi: Float = 0.39894228040143268
private let sqrt2OverPi: Float = 0.79788456080286536

@inline(__always) func geluErf(_ x: Float) -> Float {
    0.5 * x * (1 + _erf(x * inverseSqrt2))
}

@inline(__always) func geluErfDerivative(_ x: Float) -> Float {
    let cdf = 0.5 * (1 + _erf(x * inverseSqrt2))
    let pdf = inverseSqrt2Pi * _exp(-0.5 * x * x)
    return cdf + x * pdf
}

@inline(__always) func geluTanh(_ x: Float) -> Float {
    let u = sqrt2OverPi * (x + 0.044715 * x * x * x)
    return 0.5 * x * (1 + _tanh(u))
}

@inline(__always) func geluTanhDerivative(_ x: Float) -> Float {
    let u = sqrt2OverPi * (x + 0.044715 * x * x * x)
    let t = _tanh(u)
    let du = sqrt2OverPi * (1 + 3 * 0.044715 * x * x)
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du
}
