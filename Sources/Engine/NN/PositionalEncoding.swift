// Sinusoidal positional encoding ("Attention Is All You Need", section 3.5), exactly as the seed
// computes it. Dimension letters (Dimensions.swift): B batch, T sequence length, D model width;
// the table's length is written out as `maxLength` (the longest T it covers).

/// Adds a fixed, position-dependent pattern to each position's features, then applies dropout.
///
/// Attention by itself treats its input as a set: shuffle the positions and every output is
/// shuffled the same way. Adding a different vector at each position tells the model the order.
/// Each pair of features is a sine/cosine at its own frequency, from one turn per 2π positions
/// down to one per 10000·2π:
///
///     divTerm[j]   = exp(2j · (-ln 10000 / D))            j = 0 ..< D/2
///     pe[pos, 2j]   = sin(pos · divTerm[j])
///     pe[pos, 2j+1] = cos(pos · divTerm[j])
///
/// The table is a *buffer*, as in the seed (`register_buffer("pe", …)`): saved in the state dict as
/// `pe` (`pos_encoder.pe` in the regressor) with shape `[1, maxLength, D]`, but never trained.
/// Every step is computed in Float, in the seed's order, so the table matches PyTorch's float32 one
/// to the last bit or two. (One exception: PyTorch's vectorised `exp` and the C library's `expf` can
/// round an exp differently, e.g. divTerm[3] for D = 64, and at position p that changes the angle by
/// about p·3e-8: invisible for the seed's 5 positions. Loading PyTorch's state dict loads its table.)
public final class PositionalEncoding: Layer {
    public var training = true
    /// `[1, maxLength, D]`, not trained.
    public let pe: Tensor
    public let dropout: Dropout

    public var ownParameters: [NamedTensor] { [] }
    public var ownBuffers: [NamedTensor] { [("pe", pe)] }
    public var children: [NamedModule] { [("dropout", dropout)] }

    /// - Parameters:
    ///   - modelDimensions: D (even).
    ///   - dropout: the dropout probability applied after adding the table.
    ///   - maxLength: the longest sequence the table covers (the seed's `max_len`, 5000).
    public init(modelDimensions: Int, dropout: Float = 0.1, maxLength: Int = 5000) {
        precondition(modelDimensions % 2 == 0, "PositionalEncoding: modelDimensions \(modelDimensions) must be even")
        let divTerm = PositionalEncoding.divTerm(modelDimensions: modelDimensions)
        var table = [Float](repeating: 0, count: maxLength * modelDimensions)
        for pos in 0..<maxLength {
            for (j, frequency) in divTerm.enumerated() {
                let angle = Float(pos) * frequency          // a Float product, as PyTorch's float32
                table[pos * modelDimensions + 2 * j] = _sin(angle)
                table[pos * modelDimensions + 2 * j + 1] = _cos(angle)
            }
        }
        pe = Tensor(table, shape: [1, maxLength, modelDimensions])
        self.dropout = Dropout(p: dropout)
    }

    /// `exp(arange(0, D, 2) · (-ln 10000 / D))`: the scalar is a Double (Python's `math.log`), then
    /// rounded to Float and multiplied in Float, as PyTorch does with a float32 tensor.
    public static func divTerm(modelDimensions d: Int) -> [Float] {
        let scale = Float(-_log(10000.0) / Double(d))
        return stride(from: 0, to: d, by: 2).map { _exp(Float($0) * scale) }
    }

    // x: [B, T, D] -> [B, T, D]
    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.rank == 3 && x.shape[2] == pe.shape[2] && x.shape[1] <= pe.shape[1],
                     "PositionalEncoding: input \(x.shape) does not fit the table \(pe.shape) "
                        + "([B, T<=\(pe.shape[1]), \(pe.shape[2])])")
        let positions = pe.narrow(dim: 1, start: 0, length: x.shape[1])   // [1, T, D]
        return traceShape(self, x, dropout(x + positions))
    }
}
