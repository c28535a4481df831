// Activation functions as modules, for `Sequential` (the functions themselves live in
// Ops/Activations.swift, each beside its derivative). None of them has parameters.

/// max(0, x) (`torch.nn.ReLU`).
public final class ReLU: Layer {
    public var training = true
    public var ownParameters: [NamedTensor] { [] }
    public var ownBuffers: [NamedTensor] { [] }
    public var children: [NamedModule] { [] }
    public init() {}
    // x: [...] -> [...]
    public func callAsFunction(_ x: Tensor) -> Tensor { traceShape(self, x, x.relu()) }
}

/// x for x > 0, else `negativeSlope`·x (`torch.nn.LeakyReLU`): a small gradient survives for
/// negative inputs, so a unit cannot "die" the way a ReLU unit can.
public final class LeakyReLU: Layer {
    public var training = true
    public var ownParameters: [NamedTensor] { [] }
    public var ownBuffers: [NamedTensor] { [] }
    public var children: [NamedModule] { [] }
    public let negativeSlope: Float
    public init(negativeSlope: Float = 0.01) { self.negativeSlope = negativeSlope }
    // x: [...] -> [...]
    public func callAsFunction(_ x: Tensor) -> Tensor {
        traceShape(self, x, x.leakyRelu(negativeSlope: negativeSlope))
    }
}

/// x·Φ(x), Φ the standard normal CDF (`torch.nn.GELU`); `approximate: .tanh` for the tanh form.
public final class GELU: Layer {
    public var training = true
    public var ownParameters: [NamedTensor] { [] }
    public var ownBuffers: [NamedTensor] { [] }
    public var children: [NamedModule] { [] }
    public let approximate: GELUApproximation
    public init(approximate: GELUApproximation = .none) { self.approximate = approximate }
    // x: [...] -> [...]
    public func callAsFunction(_ x: Tensor) -> Tensor { traceShape(self, x, x.gelu(approximate: approximate)) }
}

/// Hyperbolic tangent (`torch.nn.Tanh`).
public final class Tanh: Layer {
    public var training = true
    public var ownParameters: [NamedTensor] { [] }
    public var ownBuffers: [NamedTensor] { [] }
    public var children: [NamedModule] { [] }
    public init() {}
    // x: [...] -> [...]
    public func callAsFunction(_ x: Tensor) -> Tensor { traceShape(self, x, x.tanh()) }
}

/// 1 / (1 + e⁻ˣ) (`torch.nn.Sigmoid`).
public final class Sigmoid: Layer {
    public var training = true
    public var ownParameters: [NamedTensor] { [] }
    public var ownBuffers: [NamedTensor] { [] }
    public var children: [NamedModule] { [] }
    public init() {}
    // x: [...] -> [...]
    public func callAsFunction(_ x: Tensor) -> Tensor { traceShape(self, x, x.sigmoid()) }
}
