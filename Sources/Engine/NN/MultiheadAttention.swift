// Multi-head attention, batch-first, laid out exactly as `torch.nn.MultiheadAttention`.
// Dimension letters: B batch, T query length, S key/value length, E model width (embed_dim),
// H heads, Dh = E / H the width of one head.

/// What a `MultiheadAttention` call returns: the output, and the attention weights for the lessons
/// to show (which positions each position looked at).
public struct AttentionResult {
    /// `[B, T, E]`.
    public let output: Tensor
    /// `[B, T, S]`, the weights averaged over the heads (PyTorch's default `average_attn_weights`);
    /// `nil` when called with `needWeights: false`.
    public let weights: Tensor?
    /// `[B, H, T, S]`, each head's weights; `nil` when called with `needWeights: false`.
    public let weightsPerHead: Tensor?
}

/// Attention with H heads, each looking at its own Dh = E/H slice of the features
/// (`torch.nn.MultiheadAttention(E, H, batch_first=True)`):
///
///     q = query·Wqᵀ + bq,  k = key·Wkᵀ + bk,  v = value·Wvᵀ + bv       (the "in projection")
///     split q, k, v into H heads: [B, T, E] -> [B·H, T, Dh]
///     head = softmax(q·kᵀ/√Dh + masks) · v                            (see scaledDotProductAttention)
///     out  = concat(heads)·Woᵀ + bo                                    (`out_proj`)
///
/// The three projections are packed into one parameter as PyTorch stores them: `in_proj_weight`
/// `[3E, E]` holds the rows of Wq, then Wk, then Wv, and `in_proj_bias` `[3E]` likewise.
/// Initialisation as PyTorch: xavier-uniform `in_proj_weight`, zero `in_proj_bias` and
/// `out_proj.bias`, and `out_proj.weight` keeps `Linear`'s default.
public final class MultiheadAttention: Layer {
    public var training = true
    public let embedDimensions: Int
    public let numHeads: Int
    /// Dropout probability on the attention weights (training only).
    public var dropout: Float
    /// The random stream for that dropout, or `nil` to use `defaultGenerator`.
    public var generator: Generator?
    /// `[3E, E]`: Wq, Wk, Wv stacked by rows.
    public let inProjWeight: Tensor
    /// `[3E]`: bq, bk, bv; `nil` for `bias: false`.
    public let inProjBias: Tensor?
    public let outProj: Linear

    public var headDimensions: Int { embedDimensions / numHeads }

    public var ownParameters: [(name: String, tensor: Tensor)] {
        if let inProjBias { return [("in_proj_weight", inProjWeight), ("in_proj_bias", inProjBias)] }
        return [("in_proj_weight", inProjWeight)]
    }
    public var children: [(name: String, module: Module)] { [("out_proj", outProj)] }

    /// - Parameters:
    ///   - embedDimensions: E, the model width (must be divisible by `numHeads`).
    ///   - numHeads: H.
    ///   - dropout: probability of dropping an attention weight in training.
    ///   - bias: whether the in- and out-projections have biases.
    ///   - generator: the random stream for the initial values.
    public init(embedDimensions: Int, numHeads: Int, dropout: Float = 0, bias: Bool = true,
                generator: inout Generator) {
        precondition(numHeads > 0 && embedDimensions % numHeads == 0,
                     "MultiheadAttention: embedDimensions \(embedDimensions) is not divisible by numHeads \(numHeads)")
        self.embedDimensions = embedDimensions
        self.numHeads = numHeads
        self.dropout = dropout
        // PyTorch's order of random draws: out_proj is built first, then in_proj_weight is reset.
        outProj = Linear(embedDimensions, embedDimensions, bias: bias, generator: &generator)
        inProjWeight = xavierUniform([3 * embedDimensions, embedDimensions], generator: &generator)
        inProjBias = bias ? Tensor.zeros([3 * embedDimensions], requiresGrad: true) : nil
        if let b = outProj.bias { b.scalars = [Float](repeating: 0, count: embedDimensions) }
    }

    public convenience init(embedDimensions: Int, numHeads: Int, dropout: Float = 0, bias: Bool = true) {
        self.init(embedDimensions: embedDimensions, numHeads: numHeads, dropout: dropout, bias: bias,
                  generator: &defaultGenerator)
    }

    /// Attention of `query` over `key`/`value`.
    ///
    /// - Parameters:
    ///   - query: `[B, T, E]`.  - key: `[B, S, E]`.  - value: `[B, S, E]` (pass the same tensor
    ///     three times for self-attention; the projection is then one packed matmul).
    ///   - keyPaddingMask: `[B, S]`; blocked (`true` / -∞) keys are padding, ignored by every query.
    ///   - attnMask: `[T, S]` or `[B·H, T, S]`, e.g. `AttentionMask.causal(T)`.
    ///   - needWeights: whether to return the attention weights.
    /// A query whose every key is blocked gets NaN weights, as in PyTorch.
    // query: [B, T, E], key/value: [B, S, E] -> output [B, T, E], weights [B, T, S], [B, H, T, S]
    public func callAsFunction(_ query: Tensor, _ key: Tensor, _ value: Tensor,
                               keyPaddingMask: AttentionMask? = nil, attnMask: AttentionMask? = nil,
                               needWeights: Bool = true) -> AttentionResult {
        let e = embedDimensions, h = numHeads, dh = headDimensions
        precondition(query.rank == 3 && query.shape[2] == e && key.rank == 3 && key.shape[2] == e
                     && value.shape == key.shape && key.shape[0] == query.shape[0],
                     "MultiheadAttention: expects query [B, T, \(e)] and key = value [B, S, \(e)], got \(query.shape), \(key.shape), \(value.shape)")
        let b = query.shape[0], t = query.shape[1], s = key.shape[1]

        // 1. In projection: [B, T, E] -> q, k, v.
        let q: Tensor, k: Tensor, v: Tensor
        if query === key && key === value {
            let qkv = Tensor.linear(query, weight: inProjWeight, bias: inProjBias)      // [B, T, 3E]
            q = qkv.narrow(dim: 2, start: 0, length: e)
            k = qkv.narrow(dim: 2, start: e, length: e)
            v = qkv.narrow(dim: 2, start: 2 * e, length: e)
        } else {
            func project(_ x: Tensor, _ i: Int) -> Tensor {
                Tensor.linear(x, weight: inProjWeight.narrow(dim: 0, start: i * e, length: e),
                              bias: inProjBias?.narrow(dim: 0, start: i * e, length: e))
            }
            (q, k, v) = (project(query, 0), project(key, 1), project(value, 2))
        }

        // 2. Split heads: [B, L, E] -> [B, L, H, Dh] -> [B, H, L, Dh] -> [B·H, L, Dh].
        func splitHeads(_ x: Tensor, _ length: Int) -> Tensor {
            x.reshape([b, length, h, dh]).permute([0, 2, 1, 3]).reshape([b * h, length, dh])
        }

        // 3. Attention per head, with both masks folded into one additive mask.
        let mask = combinedMask(batch: b, queryLength: t, keyLength: s,
                                keyPaddingMask: keyPaddingMask, attnMask: attnMask)
        let (qh, kh, vh) = (splitHeads(q, t), splitHeads(k, s), splitHeads(v, s))
        let attention: (output: Tensor, weights: Tensor)
        if generator != nil {
            attention = Tensor.scaledDotProductAttention(query: qh, key: kh, value: vh, mask: mask, dropout: dropout,
                                                         training: training, generator: &generator!)
        } else {
            attention = Tensor.scaledDotProductAttention(query: qh, key: kh, value: vh, mask: mask, dropout: dropout,
                                                         training: training, generator: &defaultGenerator)
        }

        // 4. Merge heads: [B·H, T, Dh] -> [B, H, T, Dh] -> [B, T, H, Dh] -> [B, T, E]; out projection.
        let merged = attention.output.reshape([b, h, t, dh]).permute([0, 2, 1, 3]).reshape([b, t, e])
        let output = traceShape(self, query, outProj(merged))
        guard needWeights else { return AttentionResult(output: output, weights: nil, weightsPerHead: nil) }
        let perHead = attention.weights.reshape([b, h, t, s])
        return AttentionResult(output: output, weights: perHead.mean(dim: 1), weightsPerHead: perHead)
    }

    /// Self-attention without masks: `x` is query, key and value.
    // x: [B, T, E] -> [B, T, E]
    public func callAsFunction(_ x: Tensor) -> Tensor {
        callAsFunction(x, x, x, needWeights: false).output
    }

    /// The mask added to the `[B·H, T, S]` scores: `attnMask` (`[T, S]` or `[B·H, T, S]`) plus the
    /// key-padding mask (`[B, S]`, spread over heads and queries). A lone `[T, S]` mask is passed
    /// as is (it broadcasts). The sum is built from ops (reshape, broadcasting `+`), so a float mask
    /// that requires grad (a learned position bias, say) gets its gradient through either mask:
    ///
    ///     padding [B, S] -> [B, 1, 1, S]      attnMask [T, S] or [B·H, T, S] -> [B, H, T, S]
    ///     sum -> [B, H, T, S] -> [B·H, T, S]
    func combinedMask(batch b: Int, queryLength t: Int, keyLength s: Int,
                      keyPaddingMask: AttentionMask?, attnMask: AttentionMask?) -> Tensor? {
        let h = numHeads
        if let attnMask {
            let shape = attnMask.additive.shape
            precondition(shape == [t, s] || shape == [b * h, t, s],
                         "MultiheadAttention: attnMask shape \(shape) is neither [T, S] = \([t, s]) "
                         + "nor [B·H, T, S] = \([b * h, t, s])")
        }
        guard let keyPaddingMask else { return attnMask?.additive }
        precondition(keyPaddingMask.additive.shape == [b, s],
                     "MultiheadAttention: keyPaddingMask shape \(keyPaddingMask.additive.shape) is not [B, S] = \([b, s])")
        let padding = keyPaddingMask.additive.reshape([b, 1, 1, s])                      // [B, 1, 1, S]
        // Adding zeros [1, H, T, 1] spreads the sum over heads and queries (x + 0 = x: same values).
        let heads = Tensor.zeros([1, h, t, 1])
        guard let attn = attnMask?.additive else { return (padding + heads).reshape([b * h, t, s]) }
        if attn.rank == 3 { return (padding + attn.reshape([b, h, t, s])).reshape([b * h, t, s]) }
        return (padding + attn + heads).reshape([b * h, t, s])                             // [T, S] broadcast
    }
}
