/// The seed's synthetic regression data: sequences whose target is their own average.
///
///     X = randn(N, T, I) · [1, 2, …, T] along T    later positions are noisier
///     y = mean of each sample's T·I values           [N, 1]
///     X = (X - mean(X)) / std(X),  y = (y - mean(y)) / std(y)
///
/// Both are standardised with their global mean and *unbiased* std (divisor n - 1, PyTorch's
/// `X.std()`), computed in Double. Standardising the whole set before splitting is what the seed
/// does; with real data fit the scaler on the training split only (see `StandardScaler`).
///
/// - Parameters:
///   - samples: N (the seed uses 1000).
///   - sequenceLength: T (5).
///   - inputDimensions: I (10).
///   - generator: the random stream for `randn`.
public func makeSeedDataset(samples: Int = 1000, sequenceLength: Int = 5, inputDimensions: Int = 10,
                            generator: inout Generator) -> TensorDataset {
    let x = Tensor.randn([samples, sequenceLength, inputDimensions], generator: &generator)
    let perSample = sequenceLength * inputDimensions
    var xs = x.scalars
    var ys = [Float](repeating: 0, count: samples)
    for n in 0..<samples {
        var sum: Float = 0
        for t in 0..<sequenceLength {
            for c in 0..<inputDimensions {
                let i = n * perSample + t * inputDimensions + c
                xs[i] *= Float(t + 1)
                sum += xs[i]
            }
        }
        ys[n] = sum / Float(perSample)
    }
    return TensorDataset(inputs: Tensor(standardised(xs), shape: x.shape),
                         targets: Tensor(standardised(ys), shape: [samples, 1]))
}

/// `(v - mean) / std` with the unbiased std, statistics in Double.
func standardised(_ values: [Float]) -> [Float] {
    let n = Double(values.count)
    let mean = values.reduce(0.0) { $0 + Double($1) } / n
    let squares = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) }
    let std = (squares / Swift.max(n - 1, 1)).squareRoot()
    let m = Float(mean), s = Float(std)
    return values.map { ($0 - m) / s }
}
