// Scaled dot-product attention, the heart of a transformer.
// Dimension letters (DIMENSIONS.md): G = B·H independent attention problems (batch × heads),
// T query positions, S key/value positions, Dh the per-head width (head_dim), Dv the values' width.
//
// Two versions, same results: `scaledDotProductAttentionComposite` chains existing ops (matmul,
// transpose, add, softmax, dropout), so its backward comes from theirs and is correct by
// construction: read it first. `scaledDotProductAttention` fuses scale, mask, softmax and dropout
// into one op with a hand-written backward (`attentionWeights`), then multiplies by v; the tests
// gradient-check it and compare it with the composite.

/// An attention mask in additive form: a Float tensor added to the attention scores, 0 where a
/// position may be attended and -∞ where it may not (softmax turns e^-∞ into weight 0).
///
///     AttentionMask.causal(4)                                // each query sees itself and the past
///     AttentionMask(blocked: [false, true, …], shape: [T, S]) // true = may NOT attend, as PyTorch's bool masks
///     AttentionMask(additive: biasTensor)                    // any Float bias, e.g. ALiBi
public struct AttentionMask {
    /// The values added to the scores.
    public let additive: Tensor

    /// A Float mask used as is (PyTorch's float `attn_mask`).
    public init(additive: Tensor) { self.additive = additive }

    /// A boolean mask: `true` marks a position that may *not* be attended (PyTorch's convention for
    /// bool `attn_mask` and `key_padding_mask`).
    public init(blocked: [Bool], shape: [Int]) {
        precondition(blocked.count == shape.reduce(1, *), "AttentionMask: \(blocked.count) values for shape \(shape)")
        additive = Tensor(blocked.map { $0 ? -Float.infinity : 0 }, shape: shape)
    }

    /// The causal mask `[T, T]`: query t may attend keys 0...t only (`triu(ones, diagonal=1)` blocked).
    public static func causal(_ length: Int) -> AttentionMask {
        var blocked = [Bool](repeating: false, count: length * length)
        for t in 0..<length {
            for s in 0..<length where s > t { blocked[t * length + s] = true }
        }
        return AttentionMask(blocked: blocked, shape: [length, length])
    }
}

extension Tensor {
    /// softmax(q·kᵀ · scale + mask) · v, per attention problem, returning the output and the
    /// attention weights (the softmax, after dropout, as PyTorch returns them).
    ///
    ///     scores[g, t, s] = scale · Σₑ q[g, t, e] · k[g, s, e] + mask[g, t, s]
    ///     weights         = dropout(softmax over s of scores)
    ///     out[g, t, e]    = Σₛ weights[g, t, s] · v[g, s, e]
    ///
    /// The default scale 1/√Dh keeps the scores' variance near 1 however wide the heads are, so the
    /// softmax does not saturate.
    ///
    /// - Parameters:
    ///   - query: `[G, T, Dh]`.  - key: `[G, S, Dh]`.  - value: `[G, S, Dv]`.
    ///   - mask: added to the scores: `[T, S]` (shared by all problems) or `[G, T, S]`.
    ///   - dropout: probability of dropping an attention weight (training only).
    ///   - scale: defaults to 1/√Dh.
    /// - Returns: `output` `[G, T, Dv]` and `weights` `[G, T, S]`.
    public static func scaledDotProductAttention(
        query: Tensor, key: Tensor, value: Tensor, mask: Tensor? = nil,
        dropout: Float = 0, training: Bool = true, generator: inout Generator, scale: Float? = nil
    ) -> (output: Tensor, weights: Tensor) {
        precondition(value.rank == 3 && value.shape[0] == key.shape[0] && value.shape[1] == key.shape[1],
                     "scaledDotProductAttention: value \(value.shape) does not match key \(key.shape) ([G, S, Dv])")
        let weights = attentionWeights(query: query, key: key, mask: mask, dropout: dropout, training: training,
                                       generator: &generator, scale: scale)        // [G, T, S]
        return (weights.matmul(value), weights)                                    // [G, T, Dv]
    }

    /// The same computation from separate ops: the reference the fused version is tested against.
    public static func scaledDotProductAttentionComposite(
        query: Tensor, key: Tensor, value: Tensor, mask: Tensor? = nil,
        dropout: Float = 0, training: Bool = true, generator: inout Generator, scale: Float? = nil
    ) -> (output: Tensor, weights: Tensor) {
        precondition(query.rank == 3 && key.rank == 3 && value.rank == 3,
                     "scaledDotProductAttention: expects [G, T, Dh] inputs, got \(query.shape), \(key.shape), "
                     + "\(value.shape)")
        let s = scale ?? 1 / Float(query.shape[2]).squareRoot()
        // PyTorch scales q before the product: (q·s)·kᵀ.
        var scores = (query * s).matmul(key.transpose(1, 2))      // [G, T, S]
        if let mask { scores = scores + mask }
        var weights = scores.softmax(dim: -1)                     // [G, T, S]
        weights = weights.dropout(p: dropout, training: training, generator: &generator)
        return (weights.matmul(value), weights)                   // [G, T, Dv]
    }

    /// The attention weights `dropout(softmax(q·kᵀ · scale + mask))`, fused into one op.
    ///
    /// Backward, with P the softmax, D the dropout's mask (0 or 1/(1-p)) and G = dL/d(weights):
    ///
    ///     dP     = G ⊙ D
    ///     dS     = P ⊙ (dP - Σₛ dP ⊙ P)          (softmax's backward, row by row)
    ///     dq     = scale · dS · k       dk = dSᵀ · (scale · q)       dmask = dS
    // query: [G, T, Dh], key: [G, S, Dh], mask: [T, S] or [G, T, S] -> [G, T, S]
    public static func attentionWeights(query: Tensor, key: Tensor, mask: Tensor? = nil, dropout: Float = 0,
                                        training: Bool = true, generator: inout Generator,
                                        scale: Float? = nil) -> Tensor {
        precondition(query.rank == 3 && key.rank == 3 && query.shape[0] == key.shape[0]
                     && query.shape[2] == key.shape[2],
                     "attentionWeights: expects query [G, T, Dh] and key [G, S, Dh], got \(query.shape), \(key.shape)")
        precondition(dropout >= 0 && dropout <= 1, "attentionWeights: dropout \(dropout) is not in [0, 1]")
        let n = query.shape[0], t = query.shape[1], s = key.shape[1], e = query.shape[2]
        let sc = scale ?? 1 / Float(e).squareRoot()
        let maskShared = mask.map { $0.shape == [t, s] } ?? false
        if let mask {
            precondition(maskShared || mask.shape == [n, t, s],
                         "attentionWeights: mask \(mask.shape) is neither [T, S] = \([t, s]) "
                         + "nor [G, T, S] = \([n, t, s])")
        }
        let qScaled = mapValues(query.scalars) { $0 * sc }        // as PyTorch: scale q first
        let kValues = key.scalars
        // Scores, one [T, S] block per problem: q[T, Dh] · k[S, Dh]ᵀ.
        var p = batchedProduct(qScaled, t * e, kValues, s * e, batches: n, m: t, k: e, n: s, transB: true)
        if let m = mask?.scalars {
            for i in 0..<(n * t * s) { p[i] += m[maskShared ? i % (t * s) : i] }
        }
        p = softmaxValues(p, outer: n * t, n: s, inner: 1, log: false)
        // Dropout's mask, drawn only when it is active (the identity otherwise, as `dropout`).
        let active = training && dropout > 0
        let keep = active ? dropoutMask(count: n * t * s, p: dropout, generator: &generator) : []
        let weights = active ? zipValues(p, keep) { $0 * $1 } : p
        var inputs = [query, key]
        if let mask { inputs.append(mask) }
        let needQ = query.requiresGrad, needK = key.requiresGrad, needMask = mask?.requiresGrad ?? false
        let maskShape = mask?.shape ?? []
        return result(weights, shape: [n, t, s], op: "AttentionWeightsBackward", inputs: inputs) { g in
            let dP = active ? zipValues(g, keep) { $0 * $1 } : g
            var dS = [Float](repeating: 0, count: n * t * s)
            for row in 0..<(n * t) {
                let base = row * s
                var dot: Float = 0
                for j in 0..<s { dot += dP[base + j] * p[base + j] }
                for j in 0..<s { dS[base + j] = p[base + j] * (dP[base + j] - dot) }
            }
            // A fully masked row has NaN weights (as PyTorch); its gradient is NaN too.
            var dq: [Float]? = nil, dk: [Float]? = nil, dmask: [Float]? = nil
            if needQ {                                     // dq[T, Dh] = scale · dS[T, S] · k[S, Dh]
                let d = batchedProduct(dS, t * s, kValues, s * e, batches: n, m: t, k: s, n: e)
                dq = mapValues(d) { $0 * sc }
            }
            if needK {                                     // dk[S, Dh] = dS[T, S]ᵀ · (scale · q)[T, Dh]
                dk = batchedProduct(dS, t * s, qScaled, t * e, batches: n, m: s, k: t, n: e, transA: true)
            }
            if needMask { dmask = sumToShape(dS, from: [n, t, s], to: maskShape) }
            return maskShape.isEmpty ? [dq, dk] : [dq, dk, dmask]
        }
    }
}
