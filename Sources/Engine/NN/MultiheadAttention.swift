// Multi-head attention, laid out exactly as `torch.nn.MultiheadAttention`.
// Dimension letters: B batch, T query length, S key/value length, D model width (embed_dim),
// H heads, Dh = D / H the width of one head; Dk, Dv the widths of keys and values (kdim, vdim).

/// What a `MultiheadAttention` call returns: the output, and the attention weights for the lessons
/// to show (which positions each position looked at).
public struct AttentionResult {
    /// `[B, T, D]` (`[T, B, D]` with `batchFirst: false`).
    public let output: Tensor
    /// `[B, T, S]`, the weights averaged over the heads (PyTorch's default `average_attn_weights`);
    /// `nil` when called with `needWeights: false`.
    public let weights: Tensor?
    /// `[B, H, T, S]`, each head's weights; `nil` when called with `needWeights: false`.
    public let weightsPerHead: Tensor?
}

/// Attention with H heads, each looking at its own Dh = D/H slice of the features
/// (`torch.nn.MultiheadAttention(D, H, batch_first=True)`):
///
///     q = query·Wqᵀ + bq,  k = key·Wkᵀ + bk,  v = value·Wvᵀ + bv       (the "in projection")
///     split q, k, v into H heads: [B, T, D] -> [B·H, T, Dh]
///     head = softmax(q·kᵀ/√Dh + masks) · v                            (see scaledDotProductAttention)
///     out  = concat(heads)·Woᵀ + bo                                    (`out_proj`)
///
/// The three projections are packed into one parameter as PyTorch stores them: `in_proj_weight`
/// `[3D, D]` holds the rows of Wq, then Wk, then Wv, and `in_proj_bias` `[3D]` likewise. When keys
/// or values have another width (`keyDimensions` Dk, `valueDimensions` Dv, PyTorch's `kdim`/`vdim`)
/// the weights are separate, named as PyTorch names them: `q_proj_weight` `[D, D]`,
/// `k_proj_weight` `[D, Dk]`, `v_proj_weight` `[D, Dv]`.
///
/// PyTorch's other options: `addBiasKV` appends one learned key and value (`bias_k`, `bias_v`,
/// `[1, 1, D]`) to every sequence, `addZeroAttn` one key and value of zeros per head (a place to put
/// attention that should go nowhere), so S grows by one for each; `batchFirst: false` takes and
/// returns `[T, B, D]` (the weights stay `[B, T, S]`, as PyTorch's).
///
/// Initialisation as PyTorch: xavier-uniform in-projection weights, zero `in_proj_bias` and
/// `out_proj.bias`, xavier-normal `bias_k` and `bias_v`, and `out_proj.weight` keeps `Linear`'s default.
public final class MultiheadAttention: Layer {
    public var training = true
    public let embedDimensions: Int
    public let numHeads: Int
    /// Dk, the width of the keys (`kdim`).
    public let keyDimensions: Int
    /// Dv, the width of the values (`vdim`).
    public let valueDimensions: Int
    /// `true`: inputs and output are `[B, T, D]`; `false`: `[T, B, D]` (`batch_first`).
    public let batchFirst: Bool
    /// Append a zero key and value per head (`add_zero_attn`).
    public let addZeroAttn: Bool
    /// Dropout probability on the attention weights (training only).
    public var dropout: Float
    /// The random stream for that dropout, or `nil` to use `defaultGenerator`.
    public var generator: Generator?
    /// `[3D, D]`: Wq, Wk, Wv stacked by rows; `nil` when Dk or Dv differ from D.
    public let packedInProjWeight: Tensor?
    /// `in_proj_weight` `[3D, D]`, for attention whose keys and values have width D (the usual case;
    /// with other widths the weights are `qProjWeight`, `kProjWeight`, `vProjWeight`).
    public var inProjWeight: Tensor {
        guard let packedInProjWeight else {
            preconditionFailure("MultiheadAttention: keyDimensions/valueDimensions differ from embedDimensions, so "
                                + "there is no in_proj_weight; use qProjWeight, kProjWeight, vProjWeight")
        }
        return packedInProjWeight
    }
    /// Wq `[D, D]`, Wk `[D, Dk]`, Wv `[D, Dv]` when Dk or Dv differ from D (else `nil`).
    public let qProjWeight: Tensor?, kProjWeight: Tensor?, vProjWeight: Tensor?
    /// `[3D]`: bq, bk, bv; `nil` for `bias: false`.
    public let inProjBias: Tensor?
    /// `[1, 1, D]` each, the appended key and value (`add_bias_kv`), else `nil`.
    public let biasK: Tensor?, biasV: Tensor?
    public let outProj: Linear

    public var headDimensions: Int { embedDimensions / numHeads }

    public var ownParameters: [(name: String, tensor: Tensor)] {
        var list: [(name: String, tensor: Tensor)] = []
        if let packedInProjWeight { list.append(("in_proj_weight", packedInProjWeight)) }
        if let qProjWeight, let kProjWeight, let vProjWeight {
            list += [("q_proj_weight", qProjWeight), ("k_proj_weight", kProjWeight), ("v_proj_weight", vProjWeight)]
        }
        if let inProjBias { list.append(("in_proj_bias", inProjBias)) }
        if let biasK, let biasV { list += [("bias_k", biasK), ("bias_v", biasV)] }
        return list
    }
    public var ownBuffers: [NamedTensor] { [] }
    public var children: [(name: String, module: Module)] { [("out_proj", outProj)] }

    /// - Parameters:
    ///   - embedDimensions: D, the model width (must be divisible by `numHeads`).
    ///   - numHeads: H.
    ///   - dropout: probability of dropping an attention weight in training.
    ///   - bias: whether the in- and out-projections have biases.
    ///   - addBiasKV, addZeroAttn, keyDimensions, valueDimensions, batchFirst: PyTorch's
    ///     `add_bias_kv`, `add_zero_attn`, `kdim`, `vdim` (nil: D) and `batch_first`.
    ///   - generator: the random stream for the initial values.
    public init(embedDimensions: Int, numHeads: Int, dropout: Float = 0, bias: Bool = true,
                addBiasKV: Bool = false, addZeroAttn: Bool = false, keyDimensions: Int? = nil,
                valueDimensions: Int? = nil, batchFirst: Bool = true, generator: inout Generator) {
        precondition(numHeads > 0 && embedDimensions % numHeads == 0,
                     "MultiheadAttention: embedDimensions \(embedDimensions) is not divisible by numHeads \(numHeads)")
        let d = embedDimensions
        self.embedDimensions = d
        self.numHeads = numHeads
        self.keyDimensions = keyDimensions ?? d
        self.valueDimensions = valueDimensions ?? d
        self.batchFirst = batchFirst
        self.addZeroAttn = addZeroAttn
        self.dropout = dropout
        // PyTorch's order of random draws: out_proj is built first, then the in-projection is reset.
        outProj = Linear(d, d, bias: bias, generator: &generator)
        if self.keyDimensions == d && self.valueDimensions == d {
            packedInProjWeight = xavierUniform([3 * d, d], generator: &generator)
            (qProjWeight, kProjWeight, vProjWeight) = (nil, nil, nil)
        } else {
            packedInProjWeight = nil
            qProjWeight = xavierUniform([d, d], generator: &generator)
            kProjWeight = xavierUniform([d, self.keyDimensions], generator: &generator)
            vProjWeight = xavierUniform([d, self.valueDimensions], generator: &generator)
        }
        inProjBias = bias ? Tensor.zeros([3 * d], requiresGrad: true) : nil
        if let b = outProj.bias { b.scalars = [Float](repeating: 0, count: d) }
        if addBiasKV {
            // xavier-normal on [1, 1, D]: fan in = fan out = D, so the standard deviation is 1/√D.
            let std = 1 / Float(d).squareRoot()
            func draw() -> Tensor {
                let t = Tensor.randn([1, 1, d], generator: &generator)
                return Tensor(t.scalars.map { $0 * std }, shape: [1, 1, d], requiresGrad: true)
            }
            biasK = draw()
            biasV = draw()
        } else {
            (biasK, biasV) = (nil, nil)
        }
    }

    public convenience init(embedDimensions: Int, numHeads: Int, dropout: Float = 0, bias: Bool = true,
                            addBiasKV: Bool = false, addZeroAttn: Bool = false, keyDimensions: Int? = nil,
                            valueDimensions: Int? = nil, batchFirst: Bool = true) {
        self.init(embedDimensions: embedDimensions, numHeads: numHeads, dropout: dropout, bias: bias,
                  addBiasKV: addBiasKV, addZeroAttn: addZeroAttn, keyDimensions: keyDimensions,
                  valueDimensions: valueDimensions, batchFirst: batchFirst, generator: &defaultGenerator)
    }

    /// Attention of `query` over `key`/`value`.
    ///
    /// - Parameters:
    ///   - query: `[B, T, D]`.  - key: `[B, S, Dk]`.  - value: `[B, S, Dv]` (pass the same tensor
    ///     three times for self-attention; the projection is then one packed matmul). With
    ///     `batchFirst: false`, `[T, B, D]`, `[S, B, Dk]` and `[S, B, Dv]`.
    ///   - keyPaddingMask: `[B, S]`; blocked (`true` / -∞) keys are padding, ignored by every query.
    ///   - attnMask: `[T, S]` or `[B·H, T, S]`, e.g. `AttentionMask.causal(T)`.
    ///   - needWeights: whether to return the attention weights.
    /// A query whose every key is blocked gets NaN weights, as in PyTorch.
    // query: [B, T, D], key: [B, S, Dk], value: [B, S, Dv] -> output [B, T, D], weights [B, T, S'], [B, H, T, S']
    // (S' = S + 1 for each of addBiasKV, addZeroAttn)
    public func callAsFunction(_ query: Tensor, _ key: Tensor, _ value: Tensor,
                               keyPaddingMask: AttentionMask? = nil, attnMask: AttentionMask? = nil,
                               needWeights: Bool = true) -> AttentionResult {
        if !batchFirst {                                 // [T, B, D] -> [B, T, D], and back at the end
            let same = query === key && key === value
            let q = query.transpose(0, 1)
            let (k, v) = same ? (q, q) : (key.transpose(0, 1), value.transpose(0, 1))
            let r = attend(q, k, v, keyPaddingMask: keyPaddingMask, attnMask: attnMask, needWeights: needWeights)
            return AttentionResult(output: r.output.transpose(0, 1), weights: r.weights,
                                   weightsPerHead: r.weightsPerHead)
        }
        return attend(query, key, value, keyPaddingMask: keyPaddingMask, attnMask: attnMask, needWeights: needWeights)
    }

    // query: [B, T, D], key: [B, S, Dk], value: [B, S, Dv] -> [B, T, D]
    func attend(_ query: Tensor, _ key: Tensor, _ value: Tensor, keyPaddingMask: AttentionMask?,
                attnMask: AttentionMask?, needWeights: Bool) -> AttentionResult {
        let e = embedDimensions, h = numHeads, dh = headDimensions
        precondition(query.rank == 3 && query.shape[2] == e && key.rank == 3 && key.shape[2] == keyDimensions
                     && value.rank == 3 && value.shape[2] == valueDimensions
                     && value.shape[0] == key.shape[0] && value.shape[1] == key.shape[1]
                     && key.shape[0] == query.shape[0],
                     "MultiheadAttention: expects query [B, T, \(e)], key [B, S, \(keyDimensions)] and value "
                     + "[B, S, \(valueDimensions)], got \(query.shape), \(key.shape), \(value.shape)")
        let b = query.shape[0], t = query.shape[1]
        var s = key.shape[1]

        // 1. In projection: [B, T, D] -> q, k, v.
        var q: Tensor, k: Tensor, v: Tensor
        if let inProjWeight = packedInProjWeight, query === key && key === value {
            let qkv = Tensor.linear(query, weight: inProjWeight, bias: inProjBias)      // [B, T, 3D]
            q = qkv.narrow(dim: 2, start: 0, length: e)
            k = qkv.narrow(dim: 2, start: e, length: e)
            v = qkv.narrow(dim: 2, start: 2 * e, length: e)
        } else {
            func project(_ x: Tensor, _ i: Int) -> Tensor {
                let weight = packedInProjWeight?.narrow(dim: 0, start: i * e, length: e)
                    ?? [qProjWeight, kProjWeight, vProjWeight][i]!
                return Tensor.linear(x, weight: weight, bias: inProjBias?.narrow(dim: 0, start: i * e, length: e))
            }
            (q, k, v) = (project(query, 0), project(key, 1), project(value, 2))
        }

        // Optional extra keys, each a column of 0 appended to the masks:
        // add_bias_kv's learned k and v ([B, S+1, D]), add_zero_attn's zeros (per head, below).
        var padding = keyPaddingMask?.additive, attn = attnMask?.additive
        func widenMasks() {
            padding = padding.map { Tensor.cat([$0, Tensor.zeros([$0.shape[0], 1])], dim: 1) }
            attn = attn.map { a in Tensor.cat([a, Tensor.zeros(Array(a.shape.dropLast()) + [1])], dim: a.rank - 1) }
            s += 1
        }
        if let biasK, let biasV {
            k = Tensor.cat([k, biasK + Tensor.zeros([b, 1, e])], dim: 1)                 // [B, S+1, D]
            v = Tensor.cat([v, biasV + Tensor.zeros([b, 1, e])], dim: 1)
            widenMasks()
        }

        // 2. Split heads: [B, L, D] -> [B, L, H, Dh] -> [B, H, L, Dh] -> [B·H, L, Dh].
        func splitHeads(_ x: Tensor, _ length: Int) -> Tensor {
            x.reshape([b, length, h, dh]).permute([0, 2, 1, 3]).reshape([b * h, length, dh])
        }
        var (qh, kh, vh) = (splitHeads(q, t), splitHeads(k, s), splitHeads(v, s))
        if addZeroAttn {
            kh = Tensor.cat([kh, Tensor.zeros([b * h, 1, dh])], dim: 1)                 // [B·H, S+1, Dh]
            vh = Tensor.cat([vh, Tensor.zeros([b * h, 1, dh])], dim: 1)
            widenMasks()
        }

        // 3. Attention per head, with both masks folded into one additive mask.
        let mask = combinedMask(batch: b, queryLength: t, keyLength: s,
                                keyPaddingMask: padding.map { AttentionMask(additive: $0) },
                                attnMask: attn.map { AttentionMask(additive: $0) })
        let attention: (output: Tensor, weights: Tensor)
        if generator != nil {
            attention = Tensor.scaledDotProductAttention(query: qh, key: kh, value: vh, mask: mask, dropout: dropout,
                                                         training: training, generator: &generator!)
        } else {
            attention = Tensor.scaledDotProductAttention(query: qh, key: kh, value: vh, mask: mask, dropout: dropout,
                                                         training: training, generator: &defaultGenerator)
        }

        // 4. Merge heads: [B·H, T, Dh] -> [B, H, T, Dh] -> [B, T, H, Dh] -> [B, T, D]; out projection.
        let merged = attention.output.reshape([b, h, t, dh]).permute([0, 2, 1, 3]).reshape([b, t, e])
        let output = traceShape(self, query, outProj(merged))
        guard needWeights else { return AttentionResult(output: output, weights: nil, weightsPerHead: nil) }
        let perHead = attention.weights.reshape([b, h, t, s])
        return AttentionResult(output: output, weights: perHead.mean(dim: 1), weightsPerHead: perHead)
    }

    /// Self-attention without masks: `x` is query, key and value.
    // x: [B, T, D] -> [B, T, D]
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
                     "MultiheadAttention: keyPaddingMask shape \(keyPaddingMask.additive.shape) is not [B, S] = "
                     + "\([b, s])")
        let padding = keyPaddingMask.additive.reshape([b, 1, 1, s])                      // [B, 1, 1, S]
        // Adding zeros [1, H, T, 1] spreads the sum over heads and queries (x + 0 = x: same values).
        let heads = Tensor.zeros([1, h, t, 1])
        guard let attn = attnMask?.additive else { return (padding + heads).reshape([b * h, t, s]) }
        if attn.rank == 3 { return (padding + attn.reshape([b, h, t, s])).reshape([b * h, t, s]) }
        return (padding + attn + heads).reshape([b * h, t, s])                             // [T, S] broadcast
    }
}
