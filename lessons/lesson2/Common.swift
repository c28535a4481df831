import Engine
import Foundation
import LessonKit

// Small pieces every cell uses: the seed's data and model, the five activation functions, the
// initialisation schemes, and number formatting.

// MARK: - The seed's data and model

/// The seed's data (1000 sequences, [N, T=5, In=10], standardised) and a fresh model, drawn from one
/// generator in the seed's order: data first, then the model's initial values.
func makeSeedDataAndModel(_ settings: Settings) -> (data: TensorDataset, model: TransformerEncoderRegressor) {
    var generator = Generator(seed: settings.seed)
    let data = makeSeedDataset(generator: &generator)
    let model = TransformerEncoderRegressor(modelDimensions: settings.modelDimensions,
                                            numHeads: settings.numHeads, generator: &generator)
    return (data, model)
}

/// The first `batchSize` samples: x `[B, T, In]`, y `[B, 1]`.
func firstBatch(_ data: TensorDataset, batchSize: Int = 32) -> (x: Tensor, y: Tensor) {
    (data.inputs.narrow(dim: 0, start: 0, length: batchSize),
     data.targets.narrow(dim: 0, start: 0, length: batchSize))
}

// MARK: - Activation functions

/// The five activation functions the lesson compares, in the order of its tables and of `--help`:
/// a fixed list, not `Activation.allCases`, so the lesson's tables stay the same when the engine
/// gains an activation (SiLU came after this lesson was written). Each is an engine op whose
/// backward autograd uses.
let comparedActivations: [Activation] = [.relu, .leakyRelu, .gelu, .tanh, .sigmoid]

// MARK: - Initialisation schemes

/// How the deep MLP's weights `[Out, In]` are drawn.
///
///     small    N(0, 0.01²)                      the classic "too small": signals shrink ×0.08 per layer
///     pytorch  U(±1/√In), bias U(±1/√In)        PyTorch's default for `nn.Linear` (std = 1/√(3·In))
///     kaiming  N(0, 2/In)                       He et al.: keeps ReLU activations at a steady scale
///     large    N(0, 1)                          the classic "too large": signals grow ×√In per layer
enum InitScheme: String, CaseIterable, Sendable {
    case small
    case pytorchDefault = "pytorch"
    case kaiming
    case large

    /// Re-draws `layer`'s weight (and zeroes its bias) unless the scheme is PyTorch's default,
    /// which is how `Linear` was built.
    func apply(to layer: Linear, generator: inout Generator) {
        let fanIn = layer.inputDimensions
        let std: Float
        switch self {
        case .pytorchDefault: return
        case .small: std = 0.01
        case .kaiming: std = (2 / Float(fanIn)).squareRoot()
        case .large: std = 1
        }
        layer.weight.scalars = Tensor.randn(layer.weight.shape, generator: &generator).scalars.map { $0 * std }
        if let bias = layer.bias { bias.scalars = [Float](repeating: 0, count: bias.count) }
    }
}

// MARK: - Statistics

/// The population standard deviation of all elements (computed by engine ops, no graph).
func standardDeviation(_ x: Tensor) -> Float {
    withNoGrad { x.variance(unbiased: false).sqrt().item }
}

/// max |a - b| over all elements.
func maxAbsDifference(_ a: Tensor, _ b: Tensor) -> Float {
    withNoGrad { (a - b).abs().max().item }
}

/// The L2 norm of a tensor's gradient (0 when it has none).
func gradientNorm(_ t: Tensor) -> Float {
    guard let g = t.grad else { return 0 }
    return withNoGrad { (g * g).sum().sqrt().item }
}

// MARK: - Formatting (the number formatters are LessonKit's: fixed, sci, grouped)

/// `[32, 5, 64]`.
func shapeText(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }

/// A matrix tensor `[R, C]` as rows of Float, for `HeatMap`.
func rows(_ t: Tensor) -> [[Float]] {
    precondition(t.rank == 2, "rows: expects a matrix, got \(t.shape)")
    let c = t.shape[1]
    return (0..<t.shape[0]).map { Array(t.scalars[($0 * c)..<($0 * c + c)]) }
}

// MARK: - Over seeds

/// log₁₀ of a norm or a std, for comparing quantities that span decades. A value that underflowed
/// to 0 counts as the smallest positive Float (log₁₀ ≈ -44.9), so "vanished" stays a finite, very
/// low number; infinity and NaN stay non-finite, so a comparison calls such a run diverged.
func log10Scale(_ x: Float) -> Double {
    x == 0 ? log10(Double(Float.leastNonzeroMagnitude)) : log10(Double(x))
}

/// The largest |log₁₀ r| over seeds: how far from 1 a ratio strays, as a power of ten (NaN and
/// infinity propagate, so a threshold on it reads "diverged").
func worstLog10Distance(_ ratios: [Float]) -> Double {
    var worst = 0.0
    for r in ratios {
        let d = Swift.abs(log10Scale(r))
        if !d.isFinite { return d.isNaN ? .nan : .infinity }
        worst = max(worst, d)
    }
    return worst
}

/// The largest value over seeds, NaN if any is NaN (so a threshold reads "diverged").
func largest(_ values: [Double]) -> Double {
    values.contains { $0.isNaN } ? .nan : values.max() ?? .nan
}

/// The smallest value over seeds, NaN if any is NaN.
func smallest(_ values: [Double]) -> Double {
    values.contains { $0.isNaN } ? .nan : values.min() ?? .nan
}
