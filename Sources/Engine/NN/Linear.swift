// Linear layers and the initialisation rules PyTorch uses for them.
// Dimension letters (Dimensions.swift): I input features, O output features; `...` any leading
// dimensions.

/// The affine map `y = x·Wᵀ + b` (`torch.nn.Linear`).
///
/// `weight` is stored `[O, I]` (out_features, in_features), PyTorch's layout, so a weight saved by
/// PyTorch loads unchanged. Initialisation as PyTorch: every weight and bias uniform in ±1/√I
/// (this is what PyTorch's `kaiming_uniform_(a=√5)` works out to), so the output starts at about
/// the input's scale.
///
///     let layer = Linear(10, 64)          // 10 inputs -> 64 outputs
///     let y = layer(x)                     // x: [B, T, 10] -> y: [B, T, 64]
public final class Linear: Layer {
    public var training = true
    /// `[O, I]`.
    public let weight: Tensor
    /// `[O]`, or `nil` for `bias: false`.
    public let bias: Tensor?

    public var inputDimensions: Int { weight.shape[1] }
    public var outputDimensions: Int { weight.shape[0] }

    public var ownParameters: [NamedTensor] {
        if let bias { return [("weight", weight), ("bias", bias)] }
        return [("weight", weight)]
    }
    public var ownBuffers: [NamedTensor] { [] }
    public var children: [NamedModule] { [] }

    /// - Parameters:
    ///   - inputDimensions: I, the size of the input's last dimension.
    ///   - outputDimensions: O, the size of the output's last dimension.
    ///   - bias: whether to add a learned bias.
    ///   - generator: the random stream for the initial values.
    public init(_ inputDimensions: Int, _ outputDimensions: Int, bias: Bool = true,
                generator: inout Generator) {
        let bound = 1 / Float(inputDimensions).squareRoot()
        weight = Tensor.rand([outputDimensions, inputDimensions], low: -bound, high: bound,
                             generator: &generator, requiresGrad: true)
        self.bias = bias ? Tensor.rand([outputDimensions], low: -bound, high: bound,
                                       generator: &generator, requiresGrad: true) : nil
    }

    /// A linear layer initialised from the default generator (seed it with `manualSeed`).
    public convenience init(_ inputDimensions: Int, _ outputDimensions: Int, bias: Bool = true) {
        self.init(inputDimensions, outputDimensions, bias: bias, generator: &defaultGenerator)
    }

    // x: [..., I] -> [..., O]
    public func callAsFunction(_ x: Tensor) -> Tensor {
        traceShape(self, x, Tensor.linear(x, weight: weight, bias: bias))
    }
}

// MARK: - Initialisation rules (`torch.nn.init`)

/// Xavier/Glorot uniform: uniform in ±√(6 / (fanIn + fanOut)), for a weight `[fanOut, fanIn]`.
/// It keeps the variance of activations and of gradients about equal from layer to layer;
/// `MultiheadAttention` uses it for `in_proj_weight`.
public func xavierUniform(_ shape: [Int], generator: inout Generator) -> Tensor {
    precondition(shape.count == 2, "xavierUniform: expects a 2-D shape [fanOut, fanIn], got \(shape)")
    let bound = (6 / Float(shape[0] + shape[1])).squareRoot()
    return Tensor.rand(shape, low: -bound, high: bound, generator: &generator, requiresGrad: true)
}
