// The transformer encoder: a stack of identical layers, each self-attention then a feed-forward
// network, each wrapped in a residual connection and a layer norm.
// Dimension letters: B batch, T sequence length, D model width, F feed-forward width, H heads.

/// One encoder layer (`torch.nn.TransformerEncoderLayer(..., batch_first=True)`).
///
/// Post-norm (the default, as the original paper and PyTorch):
///
///     x = norm1(x + dropout1(selfAttention(x)))
///     x = norm2(x + dropout2(linear2(dropout(activation(linear1(x))))))
///
/// Pre-norm (`normFirst: true`), which trains more stably in deep stacks:
///
///     x = x + dropout1(selfAttention(norm1(x)))
///     x = x + dropout2(linear2(dropout(activation(linear1(norm2(x))))))
///
/// Dropout sits exactly where PyTorch puts it: on the attention weights inside `selfAttn`, after the
/// attention block (`dropout1`), between the activation and `linear2` (`dropout`), and after the
/// feed-forward block (`dropout2`). The residual connections ("x + …") give the gradient a path
/// around every block, which is what lets deep stacks train.
public final class TransformerEncoderLayer: Layer {
    public var training = true
    public let selfAttn: MultiheadAttention
    public let linear1: Linear, linear2: Linear
    public let norm1: LayerNorm, norm2: LayerNorm
    public let dropout: Dropout, dropout1: Dropout, dropout2: Dropout
    public let activation: Activation
    public let normFirst: Bool

    public var ownParameters: [NamedTensor] { [] }
    public var ownBuffers: [NamedTensor] { [] }
    // PyTorch's registration order, which fixes the order of the state dict.
    public var children: [(name: String, module: Module)] {
        [("self_attn", selfAttn), ("linear1", linear1), ("dropout", dropout), ("linear2", linear2),
         ("norm1", norm1), ("norm2", norm2), ("dropout1", dropout1), ("dropout2", dropout2)]
    }

    /// - Parameters:
    ///   - modelDimensions: D.
    ///   - numHeads: H.
    ///   - feedForwardDimensions: F, the hidden width of the feed-forward network.
    ///   - dropout: the probability for all four dropouts.
    ///   - activation: the feed-forward network's nonlinearity; PyTorch's `activation="relu"` or
    ///     `"gelu"` (the exact erf form) are `.relu` and `.gelu`, and any other case works the same way.
    ///   - layerNormEps: eps of both layer norms.
    ///   - normFirst: pre-norm instead of post-norm.
    ///   - generator: the random stream for the initial values.
    public init(modelDimensions: Int, numHeads: Int, feedForwardDimensions: Int = 2048,
                dropout: Float = 0.1, activation: Activation = .relu,
                layerNormEps: Float = 1e-5, normFirst: Bool = false, generator: inout Generator) {
        selfAttn = MultiheadAttention(embedDimensions: modelDimensions, numHeads: numHeads,
                                      dropout: dropout, generator: &generator)
        linear1 = Linear(modelDimensions, feedForwardDimensions, generator: &generator)
        self.dropout = Dropout(p: dropout)
        linear2 = Linear(feedForwardDimensions, modelDimensions, generator: &generator)
        norm1 = LayerNorm(modelDimensions, eps: layerNormEps)
        norm2 = LayerNorm(modelDimensions, eps: layerNormEps)
        dropout1 = Dropout(p: dropout)
        dropout2 = Dropout(p: dropout)
        self.activation = activation
        self.normFirst = normFirst
    }

    public convenience init(modelDimensions: Int, numHeads: Int, feedForwardDimensions: Int = 2048,
                            dropout: Float = 0.1, activation: Activation = .relu,
                            layerNormEps: Float = 1e-5, normFirst: Bool = false) {
        self.init(modelDimensions: modelDimensions, numHeads: numHeads,
                  feedForwardDimensions: feedForwardDimensions, dropout: dropout, activation: activation,
                  layerNormEps: layerNormEps, normFirst: normFirst, generator: &defaultGenerator)
    }

    /// A deep copy: same configuration, its own tensors holding the same values, same mode.
    public func copy() -> TransformerEncoderLayer {
        var scratch = Generator(seed: 0)   // the initial values are overwritten just below
        let twin = TransformerEncoderLayer(
            modelDimensions: selfAttn.embedDimensions, numHeads: selfAttn.numHeads,
            feedForwardDimensions: linear1.outputDimensions, dropout: dropout.p, activation: activation,
            layerNormEps: norm1.eps, normFirst: normFirst, generator: &scratch)
        for ((_, mine), (_, theirs)) in zip(stateDict(), twin.stateDict()) { theirs.scalars = mine.scalars }
        twin.selfAttn.dropout = selfAttn.dropout
        twin.setTraining(training)
        return twin
    }

    /// Self-attention then dropout1 (PyTorch's `_sa_block`).
    // x: [B, T, D] -> [B, T, D]
    public func selfAttentionBlock(_ x: Tensor, mask: AttentionMask? = nil,
                                   keyPaddingMask: AttentionMask? = nil) -> Tensor {
        dropout1(selfAttn(x, x, x, keyPaddingMask: keyPaddingMask, attnMask: mask, needWeights: false).output)
    }

    /// linear1, activation, dropout, linear2, dropout2 (PyTorch's `_ff_block`).
    // x: [B, T, D] -> [B, T, F] -> [B, T, D]
    public func feedForwardBlock(_ x: Tensor) -> Tensor {
        let hidden = linear1(x)
        let activated = activation(hidden)
        return dropout2(linear2(dropout(activated)))
    }

    /// - Parameters:
    ///   - x: `[B, T, D]`.
    ///   - mask: `[T, T]` or `[B·H, T, T]` (`src_mask`), e.g. `AttentionMask.causal(T)`.
    ///   - keyPaddingMask: `[B, T]` (`src_key_padding_mask`), blocked = padding.
    // x: [B, T, D] -> [B, T, D]
    public func callAsFunction(_ x: Tensor, mask: AttentionMask?, keyPaddingMask: AttentionMask? = nil) -> Tensor {
        let y: Tensor
        if normFirst {
            let h = x + selfAttentionBlock(norm1(x), mask: mask, keyPaddingMask: keyPaddingMask)
            y = h + feedForwardBlock(norm2(h))
        } else {
            let h = norm1(x + selfAttentionBlock(x, mask: mask, keyPaddingMask: keyPaddingMask))
            y = norm2(h + feedForwardBlock(h))
        }
        return traceShape(self, x, y)
    }

    // x: [B, T, D] -> [B, T, D]
    public func callAsFunction(_ x: Tensor) -> Tensor { callAsFunction(x, mask: nil) }
}

/// A stack of N encoder layers (`torch.nn.TransformerEncoder(layer, num_layers)`), optionally
/// followed by a final layer norm (`norm`, used with pre-norm layers).
///
/// As in PyTorch, the given layer is a template: the stack holds N deep copies of it, so **all N
/// layers start with identical weights** (they drift apart only through training, because each
/// receives different gradients). The template itself is not part of the stack.
public final class TransformerEncoder: Layer {
    public var training = true
    public let layers: [TransformerEncoderLayer]
    public let norm: LayerNorm?
    /// The layers under the name "layers", so their parameters are `layers.0.…`, `layers.1.…`.
    private let layerList: ModuleList

    public var ownParameters: [NamedTensor] { [] }
    public var ownBuffers: [NamedTensor] { [] }
    public var children: [(name: String, module: Module)] {
        var list: [(name: String, module: Module)] = [("layers", layerList)]
        if let norm { list.append(("norm", norm)) }
        return list
    }

    /// - Parameters:
    ///   - layer: the template, deep-copied `numLayers` times.
    ///   - numLayers: N.
    ///   - norm: an optional layer norm applied after the last layer.
    public init(_ layer: TransformerEncoderLayer, numLayers: Int, norm: LayerNorm? = nil) {
        layers = (0..<numLayers).map { _ in layer.copy() }
        layerList = ModuleList(layers)
        self.norm = norm
    }

    // x: [B, T, D] -> [B, T, D]
    public func callAsFunction(_ x: Tensor, mask: AttentionMask?, keyPaddingMask: AttentionMask? = nil) -> Tensor {
        var y = x
        for layer in layers { y = layer(y, mask: mask, keyPaddingMask: keyPaddingMask) }
        if let norm { y = norm(y) }
        return traceShape(self, x, y)
    }

    // x: [B, T, D] -> [B, T, D]
    public func callAsFunction(_ x: Tensor) -> Tensor { callAsFunction(x, mask: nil) }
}

/// A list of modules named "0", "1", … (`torch.nn.ModuleList`): it only names and holds them, it
/// has no forward of its own.
public final class ModuleList: Module {
    public var training = true
    public let modules: [Module]
    public var ownParameters: [NamedTensor] { [] }
    public var ownBuffers: [NamedTensor] { [] }
    public var children: [(name: String, module: Module)] {
        modules.enumerated().map { (String($0.offset), $0.element) }
    }
    public init(_ modules: [Module]) { self.modules = modules }
}
