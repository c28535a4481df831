// The seed's model, `TransformerEncoderRegressor`, built from the layers in this folder with the
// same names, layouts and defaults as the seed's PyTorch class.
// Dimension letters (Dimensions.swift): B batch, T sequence length (5), I input features (10),
// D model width (64), F feed-forward width (256), O outputs (1); the output head's hidden width
// (128) has no letter of its own and is written as its default, 128.

/// A sequence regressor: project each position's features to width D, add positions, run a
/// transformer encoder, flatten every position's features into one vector, and map it through a
/// small network to the output.
///
///     src = input_proj(src) · √D            [B, T, I] -> [B, T, D]
///     src = pos_encoder(src)                 [B, T, D]  (+ positions, dropout)
///     memory = encoder(src)                  [B, T, D]  (3 post-norm layers, ReLU)
///     flat = memory.view(B, T·D)             [B, T·D]
///     output_layer(flat)                     [B, T·D] -> [B, 128] -> [B, O]
///
/// With the defaults this is the seed's model: 191,873 parameters. Its state dict has the seed's
/// names in the seed's registration order (`input_proj`, `encoder`, `output_layer`, `pos_encoder`),
/// including the buffer `pos_encoder.pe`, so `model.state_dict()` saved from PyTorch loads here.
/// Multiplying by √D brings the projected inputs up to the positional table's scale (values in ±1).
public final class TransformerEncoderRegressor: Layer {
    public var training = true
    public let inputProj: Linear
    public let posEncoder: PositionalEncoding
    public let encoder: TransformerEncoder
    public let outputLayer: Sequential
    public let modelDimensions: Int
    public let sequenceLength: Int

    public var ownParameters: [NamedTensor] { [] }
    public var ownBuffers: [NamedTensor] { [] }
    public var children: [NamedModule] {
        [("input_proj", inputProj), ("encoder", encoder), ("output_layer", outputLayer),
         ("pos_encoder", posEncoder)]
    }

    /// - Parameters:
    ///   - inputDimensions: I, features per position (`input_dim`, 10).
    ///   - modelDimensions: D (`d_model`, 64).
    ///   - numHeads: H (`nhead`, 4).
    ///   - feedForwardDimensions: F (`dim_feedforward`, 256).
    ///   - numLayers: encoder layers (3).
    ///   - sequenceLength: T, fixed because the head flattens T·D features (`seq_length`, 5).
    ///   - hiddenDimensions: the head's hidden width (128).
    ///   - outputDimensions: O (`output_dim`, 1).
    ///   - dropout: every dropout's probability (0.1).
    ///   - maxLength: rows of the positional table (`max_len`, 5000).
    ///   - generator: the random stream for the initial values.
    public init(inputDimensions: Int = 10, modelDimensions: Int = 64, numHeads: Int = 4,
                feedForwardDimensions: Int = 256, numLayers: Int = 3, sequenceLength: Int = 5,
                hiddenDimensions: Int = 128, outputDimensions: Int = 1, dropout: Float = 0.1,
                maxLength: Int = 5000, generator: inout Generator) {
        self.modelDimensions = modelDimensions
        self.sequenceLength = sequenceLength
        // Built in the seed's order, so the random draws come in the same sequence of layers.
        inputProj = Linear(inputDimensions, modelDimensions, generator: &generator)
        let template = TransformerEncoderLayer(modelDimensions: modelDimensions, numHeads: numHeads,
                                               feedForwardDimensions: feedForwardDimensions,
                                               dropout: dropout, generator: &generator)
        encoder = TransformerEncoder(template, numLayers: numLayers)
        outputLayer = Sequential(
            Linear(modelDimensions * sequenceLength, hiddenDimensions, generator: &generator),
            ReLU(),
            Dropout(p: dropout),
            Linear(hiddenDimensions, outputDimensions, generator: &generator))
        posEncoder = PositionalEncoding(modelDimensions: modelDimensions, dropout: dropout, maxLength: maxLength)
    }

    public convenience init(inputDimensions: Int = 10, modelDimensions: Int = 64, numHeads: Int = 4,
                            feedForwardDimensions: Int = 256, numLayers: Int = 3, sequenceLength: Int = 5,
                            hiddenDimensions: Int = 128, outputDimensions: Int = 1, dropout: Float = 0.1,
                            maxLength: Int = 5000) {
        self.init(inputDimensions: inputDimensions, modelDimensions: modelDimensions, numHeads: numHeads,
                  feedForwardDimensions: feedForwardDimensions, numLayers: numLayers,
                  sequenceLength: sequenceLength, hiddenDimensions: hiddenDimensions,
                  outputDimensions: outputDimensions, dropout: dropout, maxLength: maxLength,
                  generator: &defaultGenerator)
    }

    // src: [B, T, I] -> [B, O]
    public func callAsFunction(_ src: Tensor) -> Tensor {
        precondition(src.rank == 3 && src.shape[1] == sequenceLength,
                     "TransformerEncoderRegressor: expects [B, \(sequenceLength), I], got \(src.shape)")
        let projected = inputProj(src) * Float(Double(modelDimensions).squareRoot())   // [B, T, D]
        let positioned = posEncoder(projected)                                        // [B, T, D]
        let memory = encoder(positioned)                                              // [B, T, D]
        let flattened = memory.view([memory.shape[0], -1])                            // [B, T·D]
        return traceShape(self, src, outputLayer(flattened))                          // [B, O]
    }
}
