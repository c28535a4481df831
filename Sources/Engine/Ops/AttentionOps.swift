// Scaled dot-product attention, the heart of a transformer.
// Dimension letters: N independent attention problems (batch × heads), T query positions,
// S key/value positions, E the per-head width (head_dim).
//
// This first version is a composite of existing ops (matmul, transpose, add, softmax, dropout), so
// its backward comes from theirs and is correct by construction; a fused forward/backward can
// replace it later and be gradient-checked against it.

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
        for t in 0..<length { for s in (t + 1)..<max(length, t + 1) { blocked[t * length + s] = true } }
        return AttentionMask(blocked: blocked, shape: [length, length])
    }
}

extension Tensor {
    /// softmax(q·kᵀ · scale + mask) · v, per attention problem, returning the output and the
    /// attention weights (the softmax, after dropout, as PyTorch returns them).
    ///
    ///     scores[n, t, s] = scale · Σₑ q[n, t, e] · k[n, s, e] + mask[n, t, s]
    ///     weights         = dropout(softmax over s of scores)
    ///     out[n, t, e]    = Σₛ weights[n, t, s] · v[n, s, e]
    ///
    /// The default scale 1/√E keeps the scores' variance near 1 however wide the heads are, so the
    /// softmax does not saturate.
    ///
    /// - Parameters:
    ///   - query: `[N, T, E]`.  - key: `[N, S, E]`.  - value: `[N, S, Ev]`.
    ///   - mask: added to the scores; any shape that broadcasts to `[N, T, S]`.
    ///   - dropout: probability of dropping an attention weight (training only).
    ///   - scale: defaults to 1/√E.
    /// - Returns: `output` `[N, T, Ev]` and `weights` `[N, T, S]`.
    public static func scaledDotProductAttention(
        query: Tensor, key: Tensor, value: Tensor, mask: Tensor? = nil,
        dropout: Float = 0, training: Bool = true, generator: inout Generator, scale: Float? = nil
    ) -> (output: Tensor, weights: Tensor) {
        precondition(query.rank == 3 && key.rank == 3 && value.rank == 3,
                     "scaledDotProductAttention: expects [N, T, E] inputs, got \(query.shape), \(key.shape), \(value.shape)")
        let headWidth = query.shape[2]
        let s = scale ?? 1 / Float(headWidth).squareRoot()
        // PyTorch scales q before the product (q·s)·kᵀ; with s a power of two (E = 4, 16, 64) both
        // orders give the same bits.
        var scores = (query * s).matmul(key.transpose(1, 2))      // [N, T, S]
        if let mask { scores = scores + mask }
        var weights = scores.softmax(dim: -1)                     // [N, T, S]
        weights = weights.dropout(p: dropout, training: training, generator: &generator)
        return (weights.matmul(value), weights)                   // [N, T, Ev]
    }
}
