import Engine
import LessonKit

// The workbench every cell of lesson 3 shares: the problem (the seed's data, flattened), a small
// MLP, and one training loop with every knob of this lesson (optimizer, learning rate, clipping,
// penalties, weight decay, dropout). Each cell changes one knob and measures what happens.
//
// Dimension letters: B batch, F = 50 input features (the seed's T·C = 5·10 values), H hidden units.

// MARK: - The problem

/// The seed's synthetic data, each sample's `[T, C] = [5, 10]` values flattened to F = 50 features,
/// split 80 % / 20 % into training and validation sets. The target is the mean of the 50 values, so
/// a linear model could fit it exactly; the MLP has to find that out.
struct Problem {
    /// x: [N_train, 50], y: [N_train, 1].
    let train: TensorDataset
    /// x: [N_valid, 50], y: [N_valid, 1].
    let validation: TensorDataset

    /// The number of input features, F.
    var features: Int { train.inputs.shape[1] }
}

/// Builds the seed's dataset (`makeSeedDataset`) with `samples` rows and splits it 80/20.
func makeProblem(seed: UInt64, samples: Int = 1000) -> Problem {
    var generator = Generator(seed: seed)
    let data = makeSeedDataset(samples: samples, generator: &generator)
    let flat = TensorDataset(inputs: data.inputs.reshape([samples, 50]), targets: data.targets)
    let pieces = randomSplit(flat, fractions: [0.8, 0.2], generator: &generator)
    return Problem(train: pieces[0], validation: pieces[1])
}

/// The overfitting version: only `trainSamples` training rows, their labels noisy (Gaussian noise
/// of std `noise` added to every one), the validation set untouched. A model with more weights than
/// training rows can memorise the noise; that is what regularization must stop.
func makeSmallNoisyProblem(seed: UInt64, trainSamples: Int = 40, noise: Float = 0.5) -> Problem {
    let full = makeProblem(seed: seed)
    let few = full.train.subset(Array(0..<trainSamples))
    var generator = Generator(seed: seed &+ 1)
    let noisy = injectLabelNoise(few.targets, fraction: 1, std: noise, generator: &generator).targets
    return Problem(train: TensorDataset(inputs: few.inputs, targets: noisy), validation: full.validation)
}

// MARK: - Activation functions

/// The activations `--activation` offers, in the order `--help` lists them: a fixed list, not
/// `Activation.allCases`, so the lesson stays as it is when the engine gains an activation.
let lessonActivations: [Activation] = [.sigmoid, .tanh, .relu, .leakyRelu, .gelu]

// MARK: - The model

/// A multi-layer perceptron `F -> H -> … -> 1`, with dropout after every hidden activation:
///
///     h = dropout(act(x·W₁ᵀ + b₁))      x: [B, F] -> h: [B, H]
///     …
///     y = h·Wₙᵀ + bₙ                    h: [B, H] -> y: [B, 1]
///
/// Its children are named `fc1`, `fc2`, …, so `namedParameters()` reads `fc1.weight`, `fc1.bias`, ….
final class MLP: Module {
    var training = true
    let layers: [Linear]
    let activation: Activation
    /// The dropout probability after each hidden activation (0: none).
    let dropout: Float
    /// The dropout masks' own random stream, so runs with and without dropout draw the same batches.
    var dropoutGenerator: Generator

    var ownParameters: [NamedTensor] { [] }
    var ownBuffers: [NamedTensor] { [] }
    var children: [(name: String, module: Module)] {
        layers.enumerated().map { ("fc\($0.offset + 1)", $0.element as Module) }
    }

    /// The weight matrices only (the biases are not penalised: they do not make a model complex).
    var weights: [Tensor] { layers.map(\.weight) }

    /// - Parameters:
    ///   - sizes: the width of every layer, input first: `[50, 32, 1]` is F=50 -> H=32 -> 1.
    ///   - seed: the initial weights' random stream (PyTorch's uniform ±1/√In).
    init(sizes: [Int], activation: Activation = .relu, dropout: Float = 0, seed: UInt64) {
        var generator = Generator(seed: seed)
        layers = zip(sizes, sizes.dropFirst()).map { Linear($0, $1, generator: &generator) }
        self.activation = activation
        self.dropout = dropout
        dropoutGenerator = Generator(seed: seed &+ 7)
    }

    // x: [B, F] -> [B, 1]
    func callAsFunction(_ x: Tensor) -> Tensor {
        var h = x
        for (i, layer) in layers.enumerated() {
            h = layer(h)
            guard i < layers.count - 1 else { break }
            h = activation(h)
            if dropout > 0 { h = h.dropout(p: dropout, training: training, generator: &dropoutGenerator) }
        }
        return h
    }

    /// An independent copy with the same weights (a "worker" in data-parallel training).
    func copy() -> MLP {
        let twin = MLP(sizes: [layers[0].inputDimensions] + layers.map(\.outputDimensions),
                       activation: activation, dropout: dropout, seed: 0)
        for (mine, theirs) in zip(parameters(), twin.parameters()) { theirs.assign(mine) }
        return twin
    }

    /// The L2 norm of all weight matrices together, ‖W‖ = √(Σ w²).
    func weightNorm() -> Float {
        var squares: Double = 0
        for w in weights { for x in w.scalars { squares += Double(x) * Double(x) } }
        return Float(squares.squareRoot())
    }
}

// MARK: - Losses

/// The training loss of a run (cell 2); evaluation always reports the MSE.
enum LossKind: String, CaseIterable {
    case mse = "MSE"
    case l1 = "L1"
    case huber = "Huber δ=1"

    // prediction, target: [B, 1] -> []
    func callAsFunction(_ prediction: Tensor, _ target: Tensor) -> Tensor {
        switch self {
        case .mse: return Tensor.mseLoss(prediction, target)
        case .l1: return Tensor.l1Loss(prediction, target)
        case .huber: return Tensor.huberLoss(prediction, target, delta: 1)
        }
    }
}

// MARK: - Optimizers

/// The four optimizers of cell 3; the raw values are the `--optimizer` names.
enum OptimizerKind: String, CaseIterable {
    case sgd, momentum, adam, adamw

    /// Builds the optimizer; `weightDecay` is SGD's/Adam's L2-in-the-gradient or AdamW's decoupled decay.
    func make(_ parameters: [Tensor], learningRate: Double, weightDecay: Double = 0) -> Optimizer {
        switch self {
        case .sgd: return SGD(parameters, learningRate: learningRate, weightDecay: weightDecay)
        case .momentum: return SGD(parameters, learningRate: learningRate, momentum: 0.9, weightDecay: weightDecay)
        case .adam: return Adam(parameters, learningRate: learningRate, weightDecay: weightDecay)
        case .adamw: return AdamW(parameters, learningRate: learningRate, weightDecay: weightDecay)
        }
    }
}

// MARK: - The training loop

/// Everything one training run can vary.
struct TrainingConfig {
    /// The loss minimised (the curves and final losses are always the MSE).
    var loss: LossKind = .mse
    var optimizer: OptimizerKind = .adam
    var learningRate: Double = 1e-2
    var steps = 200
    var batchSize = 32
    /// Clip the global gradient norm to this value (`nil`: no clipping).
    var clipNorm: Float? = nil
    /// λ of `λ·Σ|w|` added to the loss.
    var l1: Float = 0
    /// λ of `λ·Σw²` added to the loss.
    var l2: Float = 0
    /// Passed to the optimizer (`OptimizerKind.make`).
    var weightDecay: Double = 0
    /// Record the training-set loss every `evalEvery` steps (and at step 0).
    var evalEvery = 10
    /// Stop as soon as a recorded loss falls below this (cell 8's "steps to a target").
    var stopBelow: Float? = nil
    /// Whether `stopBelow` reads the validation loss (else the training loss).
    var stopOnValidation = false
    /// The batches' shuffling stream.
    var seed: UInt64 = 42
    /// Keep a frame for the report's step-through at every recorded step (`TrainingRun.record`): only
    /// for the runs a cell replays, since a frame bins every weight into a histogram.
    var keepsFrames = false
}

/// What a run leaves behind: curves, final losses, gradient norms, and the NaN guard's verdict.
struct TrainingRun {
    /// The full training set's MSE at steps 0, evalEvery, 2·evalEvery, … (evaluation mode).
    var curve: [Float] = []
    /// The validation set's MSE at the same steps.
    var validCurve: [Float] = []
    /// The steps at which `curve` and `validCurve` were measured.
    var curveSteps: [Int] = []
    /// The global gradient norm of every step, before and after clipping.
    var normsBefore: [Float] = []
    var normsAfter: [Float] = []
    /// Steps completed (fewer than asked when the NaN guard stopped the run).
    var stepsDone = 0
    var trainLoss: Float = .nan
    var validLoss: Float = .nan
    /// The NaN guard's diagnosis, if training diverged (its `step` counts within the epoch).
    var diverged: TrainingDiverged?
    /// The step (1-based, counted over the whole run) at which the NaN guard stopped training.
    var stoppedAt: Int?
    /// With `keepsFrames`, a frame every `evalEvery` steps (losses, learning rate, each weight matrix's
    /// gradient norm and histogram), for the `--report` page's step-through (`lesson.training`).
    var record = TrainingRecord(title: "", xLabel: "step")
}

extension TrainingRun {
    /// A curve of this run for a `LineChart`: `values` (`curve` or `validCurve`) at `curveSteps`, and,
    /// when the NaN guard stopped the run, one more point, NaN, where it stopped, so the chart notes
    /// that the run diverged there instead of drawing its last finite values as if it had simply ended.
    /// - Parameter stopX: the x at which the run stopped: `stoppedAt` (a step) unless given, e.g. the
    ///   epoch for curves measured once per epoch.
    func chartSeries(_ name: String, _ values: [Float], stoppedAtX stopX: Int? = nil) -> LineChart.Series {
        var y = values, x = curveSteps.map(Float.init)
        if diverged != nil, let stop = stopX ?? stoppedAt {
            y.append(.nan)
            x.append(Float(stop))
        }
        return .init(name, y, x: x)
    }
}

/// The MSE of `model` on a whole dataset, in evaluation mode (no dropout), without a graph.
func evaluate(_ model: MLP, on data: TensorDataset) -> Float {
    let wasTraining = model.training
    model.eval()
    defer { model.setTraining(wasTraining) }
    return withNoGrad { Tensor.mseLoss(model(data.inputs), data.targets).item }
}

/// The loop of the seed's script, one mini-batch per step:
///
///     trainingStep:  optimizer.zeroGrad()
///                    loss = MSE(model(x), y) + λ₁·Σ|w| + λ₂·Σw²     (or L1 / Huber instead of MSE)
///                    loss.backward()
///                    norm = clipGradNorm(parameters, maxNorm)    if clipping
///                    nanGuard.check(...)                         stop with a diagnosis on NaN / ∞
///                    optimizer.step()
///
/// - Parameter onStep: called right after each update (gradients still present), with the step number
///   (1-based) and the optimizer, for cells that print gradients or the optimizer's state on the way.
@discardableResult
func train(_ model: MLP, on problem: Problem, _ config: TrainingConfig,
           onStep: ((Int, Optimizer) -> Void)? = nil) -> TrainingRun {
    let optimizer = config.optimizer.make(model.parameters(), learningRate: config.learningRate,
                                          weightDecay: config.weightDecay)
    let nanGuard = NaNGuard(model.namedParameters(), clipMaxNorm: config.clipNorm)
    let loader = DataLoader(problem.train, batchSize: config.batchSize, shuffle: true,
                            generator: Generator(seed: config.seed))
    var run = TrainingRun()
    run.record.layers = model.layers.indices.map { "fc\($0 + 1).weight" }
    func record(_ step: Int) {
        run.curve.append(evaluate(model, on: problem.train))
        run.validCurve.append(evaluate(model, on: problem.validation))
        run.curveSteps.append(step)
    }
    model.train()
    record(0)
    var step = 0, epoch = 0
    training: while step < config.steps {
        epoch += 1
        for (batchIndex, (x, y)) in loader.enumerated() {
            guard step < config.steps else { break training }
            step += 1
            do {
                try trainingStep(model.parameters(), optimizer: optimizer, clipMaxNorm: config.clipNorm,
                                          beforeUpdate: { measured in
                    run.normsBefore.append(measured.gradientNorm)
                    run.normsAfter.append(measured.clippedGradientNorm)
                    try nanGuard.check(loss: measured.loss, gradientNorm: measured.gradientNorm, epoch: epoch,
                                       step: batchIndex + 1, learningRate: optimizer.learningRate, inputs: x)
                }) {
                    var loss = config.loss(model(x), y)
                    if config.l1 > 0 { loss = loss + config.l1 * l1Penalty(model.weights) }
                    if config.l2 > 0 { loss = loss + config.l2 * l2Penalty(model.weights) }
                    return loss
                }
            } catch let error as TrainingDiverged {
                run.diverged = error
                run.stoppedAt = step
                break training
            } catch { preconditionFailure("NaNGuard threw \(error)") }
            onStep?(step, optimizer)
            run.stepsDone = step
            if step % config.evalEvery == 0 {
                record(step)
                if config.keepsFrames {
                    // The gradients of this step are still in place (the next step zeroes them).
                    run.record.add(Double(step), loss: Double(run.curve.last!),
                                   validationLoss: Double(run.validCurve.last!), learningRate: optimizer.learningRate,
                                   gradientNorms: model.weights.map { Double(gradNorm([$0])) },
                                   weights: model.weights.map(\.scalars))
                }
            }
            if let target = config.stopBelow,
               let latest = config.stopOnValidation ? run.validCurve.last : run.curve.last,
               latest < target { break training }
        }
    }
    model.eval()
    run.trainLoss = evaluate(model, on: problem.train)
    run.validLoss = evaluate(model, on: problem.validation)
    return run
}

/// The final loss a comparison reads from a run: NaN when the run diverged (the NaN guard stopped
/// it, or LessonKit's divergence rule: its loss ended far above where it started).
func measured(_ run: TrainingRun, _ loss: Float) -> Double {
    measuredLoss(Double(loss), start: run.curve.first.map(Double.init), stopped: run.diverged != nil)
}
