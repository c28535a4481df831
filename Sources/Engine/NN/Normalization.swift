// Normalisation layers. Dimension letters (Dimensions.swift): D model width, L the normalised
// length (the product of `normalizedShape`; L = D for the usual `[D]`), R the rows normalised.

/// Layer normalisation (`torch.nn.LayerNorm`): each position's L features are shifted to mean 0
/// and scaled to variance 1, then multiplied by a learned `weight` and shifted by a learned `bias`.
///
/// Unlike batch norm it never mixes samples, so it behaves the same in training and evaluation and
/// for any batch size. Transformers put one after (post-norm) or before (pre-norm) each sub-block,
/// which keeps activations at a steady scale through many layers.
///
///     let norm = LayerNorm(64)           // weight = 1, bias = 0 at the start
///     let y = norm(x)                    // x: [B, T, 64] -> [B, T, 64]
public final class LayerNorm: Layer {
    public var training = true
    /// `normalized_shape`: the trailing dimensions normalised together.
    public let normalizedShape: [Int]
    public let eps: Float
    /// `normalizedShape`-shaped scale (starts at 1), or `nil` without `elementwiseAffine`.
    public let weight: Tensor?
    /// `normalizedShape`-shaped shift (starts at 0), or `nil` without `elementwiseAffine` or `bias`.
    public let bias: Tensor?

    public var ownParameters: [NamedTensor] {
        var list: [NamedTensor] = []
        if let weight { list.append(("weight", weight)) }
        if let bias { list.append(("bias", bias)) }
        return list
    }
    public var ownBuffers: [NamedTensor] { [] }
    public var children: [NamedModule] { [] }

    /// - Parameters:
    ///   - normalizedShape: the trailing dimensions to normalise over, usually `[D]` (then L = D).
    ///   - eps: added to the variance (PyTorch's default 1e-5).
    ///   - elementwiseAffine: whether to learn `weight` and `bias`.
    ///   - bias: whether to learn `bias` (with `elementwiseAffine`).
    public init(_ normalizedShape: [Int], eps: Float = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true) {
        self.normalizedShape = normalizedShape
        self.eps = eps
        weight = elementwiseAffine ? Tensor.ones(normalizedShape, requiresGrad: true) : nil
        self.bias = elementwiseAffine && bias ? Tensor.zeros(normalizedShape, requiresGrad: true) : nil
    }

    /// Normalises over the last dimension of size `dimensions`.
    public convenience init(_ dimensions: Int, eps: Float = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true) {
        self.init([dimensions], eps: eps, elementwiseAffine: elementwiseAffine, bias: bias)
    }

    // x: [..., D] -> [..., D]   (normalizedShape [D]; in general [R, L] -> [R, L] row by row)
    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(Array(x.shape.suffix(normalizedShape.count)) == normalizedShape,
                     "LayerNorm: input \(x.shape) does not end in normalized shape \(normalizedShape)")
        let n = normalizedShape.reduce(1, *)
        return traceShape(self, x, Tensor.layerNorm(x, normalizedCount: n, weight: weight, bias: bias, eps: eps))
    }
}
