import Engine
import Foundation
import LessonKit

// The deep network of cell 7 (Cell7_DeepGradients.swift): its wiring, its task, its training runs.

/// How each layer of the deep stack is wired.
enum Wiring: String, CaseIterable {
    /// h = act(h·Wᵀ + b)
    case plain
    /// h = h + act(h·Wᵀ + b): the identity path carries the gradient past every layer.
    case residual
    /// h = h + act(LayerNorm(h)·Wᵀ + b): pre-norm, as in modern Transformers; the branch always
    /// sees unit-scale inputs, so the residual stream cannot blow up.
    case residualNorm = "residual + norm"
}

/// A deep stack of equal-width layers and a linear head:
///
///     h = x;  h = layer(h) `depth` times (see `Wiring`)     h: [B, W] -> [B, W]
///     y = h·W_headᵀ + b_head                               [B, W] -> [B, 1]
final class DeepNet: Module {
    var training = true
    let layers: [Linear]
    let head: Linear
    let activation: Activation
    let wiring: Wiring

    var ownParameters: [NamedTensor] { [] }
    var ownBuffers: [NamedTensor] { [] }
    var children: [(name: String, module: Module)] {
        layers.enumerated().map { ("layers.\($0.offset)", $0.element as Module) } + [("head", head)]
    }

    /// - Parameter initScale: multiplies PyTorch's default initial weights (4 makes them explode).
    init(width: Int, depth: Int, activation: Activation, wiring: Wiring, initScale: Float = 1, seed: UInt64) {
        var generator = Generator(seed: seed)
        layers = (0..<depth).map { _ in Linear(width, width, generator: &generator) }
        head = Linear(width, 1, generator: &generator)
        self.activation = activation
        self.wiring = wiring
        if initScale != 1 { for layer in layers { layer.weight.assign(layer.weight * initScale) } }
    }

    // x: [B, W] -> [B, 1]
    func callAsFunction(_ x: Tensor) -> Tensor {
        var h = x
        for layer in layers {
            switch wiring {
            case .plain: h = activation(layer(h))
            case .residual: h = h + activation(layer(h))
            case .residualNorm: h = h + activation(layer(h.layerNorm(weight: nil, bias: nil)))
            }
        }
        return head(h)
    }
}

/// The gradient norm of each hidden layer's weight after one backward pass, input side first.
struct DepthProfile {
    let activation: Activation
    let wiring: Wiring
    let layerNorms: [Float]
    var first: Float { layerNorms[0] }
    var last: Float { layerNorms[layerNorms.count - 1] }
    /// The norm of all gradients together, and after `clipGradNorm(maxNorm: 1)`.
    let totalNorm: Float
    let clippedNorm: Float
}

/// Width of the deep network's layers, and its batch.
let deepWidth = 32, deepBatch = 64

/// One forward and backward pass of a `depth`-layer `DeepNet` on a random batch (x ~ N(0, 1),
/// y ~ N(0, 1), MSE), recording every layer's weight-gradient norm.
func profileGradients(activation: Activation, wiring: Wiring, depth: Int, initScale: Float = 1,
                      seed: UInt64) -> DepthProfile {
    var generator = Generator(seed: seed &+ 100)
    let x = Tensor.randn([deepBatch, deepWidth], generator: &generator)
    let y = Tensor.randn([deepBatch, 1], generator: &generator)
    let model = DeepNet(width: deepWidth, depth: depth, activation: activation, wiring: wiring,
                        initScale: initScale, seed: seed)
    Tensor.mseLoss(model(x), y).backward()
    let norms = model.layers.map { gradNorm([$0.weight]) }
    let total = clipGradNorm(model.parameters(), maxNorm: 1)
    return DepthProfile(activation: activation, wiring: wiring, layerNorms: norms, totalNorm: total,
                        clippedNorm: gradNorm(model.parameters()))
}

/// The four activations of the seed's table, each with every wiring, at `depth` layers.
func compareDepth(seed: UInt64, depth: Int) -> [DepthProfile] {
    [Activation.sigmoid, .tanh, .relu, .leakyRelu].flatMap { act in
        Wiring.allCases.map { profileGradients(activation: act, wiring: $0, depth: depth, seed: seed) }
    }
}

/// The deep network's own regression task: x ~ N(0, 1) with W = 32 features, y = Σx/√W (variance 1),
/// `samples` rows for training and as many for validation.
func makeDeepProblem(seed: UInt64, samples: Int = 256) -> Problem {
    var generator = Generator(seed: seed &+ 200)
    func rows() -> TensorDataset {
        let x = Tensor.randn([samples, deepWidth], generator: &generator)
        let y = withNoGrad { x.sum(dim: 1, keepdim: true) / Float(deepWidth).squareRoot() }
        return TensorDataset(inputs: x, targets: y)
    }
    return Problem(train: rows(), validation: rows())
}

/// The learning rate, batch and epochs of the exploding network's training runs.
let deepLearningRate = 0.01, deepTrainBatch = 32, deepEpochs = 8

/// Trains a plain ReLU `DeepNet` with its initial weights × `initScale` for `deepEpochs` epochs of
/// SGD, with or without clipping the global gradient norm, through the NaN guard. The curves hold
/// the validation MSE after every epoch (`curve` the training MSE), epoch 0 first.
func trainDeep(depth: Int, initScale: Float, clip: Float?, seed: UInt64) -> TrainingRun {
    let problem = makeDeepProblem(seed: seed)
    let model = DeepNet(width: deepWidth, depth: depth, activation: .relu, wiring: .plain,
                        initScale: initScale, seed: seed)
    let optimizer = SGD(model.parameters(), learningRate: deepLearningRate)
    let nanGuard = NaNGuard(model.namedParameters(), clipMaxNorm: clip)
    let loader = DataLoader(problem.train, batchSize: deepTrainBatch, shuffle: true, generator: Generator(seed: seed))
    func mse(_ data: TensorDataset) -> Float { withNoGrad { Tensor.mseLoss(model(data.inputs), data.targets).item } }
    var run = TrainingRun()
    func record(_ epoch: Int) {
        run.curve.append(mse(problem.train))
        run.validCurve.append(mse(problem.validation))
        run.curveSteps.append(epoch)
    }
    record(0)
    var step = 0
    training: for epoch in 1...deepEpochs {
        for (batchIndex, (x, y)) in loader.enumerated() {
            step += 1
            do {
                try trainingStep(model.parameters(), optimizer: optimizer, clipMaxNorm: clip, beforeUpdate: { m in
                    run.normsBefore.append(m.gradientNorm)
                    run.normsAfter.append(m.clippedGradientNorm)
                    try nanGuard.check(loss: m.loss, gradientNorm: m.gradientNorm, epoch: epoch, step: batchIndex + 1,
                                       learningRate: optimizer.learningRate, inputs: x)
                }) { Tensor.mseLoss(model(x), y) }
            } catch let error as TrainingDiverged {
                run.diverged = error
                run.stoppedAt = step
                break training
            } catch { preconditionFailure("NaNGuard threw \(error)") }
            run.stepsDone = step
        }
        record(epoch)
    }
    run.trainLoss = mse(problem.train)
    run.validLoss = mse(problem.validation)
    return run
}
