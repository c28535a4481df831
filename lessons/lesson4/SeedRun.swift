import Engine
import Foundation

// The seed's PyTorch script (scripts/seed_train.py) as one function: its data, its model, MSE,
// AdamW, ReduceLROnPlateau on the epoch's mean loss, gradient clipping, and its exact printout.
// Cell 3's `trainWithValidation` is the same loop spelled out line by line, on the practice split
// and with a validation exam; this is the script itself, on all 1000 samples, with checkpoints.
//
// Randomness follows the script's single global stream: `manualSeed(seed)`, then the data, the
// model's initial weights, each epoch's shuffle, every dropout mask and the test inputs all draw
// from `defaultGenerator`, in that order. The same seed therefore prints the same bytes every time.

/// The seed script's settings; the defaults are the script's own.
struct SeedRunConfig {
    var seed: UInt64 = 0
    var epochs = 50
    var samples = 1000
    var batchSize = 32
    var learningRate = 1e-3
    var weightDecay = 1e-4
    /// ReduceLROnPlateau's patience (the script passes 5; PyTorch's default is 10).
    var patience = 5
    var clipMaxNorm: Float = 1.0
    var sequenceLength = 5
    var inputDimensions = 10
    var modelDimensions = 64
    var numHeads = 4
    var feedForwardDimensions = 256
    var numLayers = 3
    var hiddenDimensions = 128
    var dropout: Float = 0.1
    /// Rows of the positional-encoding table (the script's 5000; only `sequenceLength` are used).
    var maxLength = 5000

    init() {}

    /// The settings that shape the data and the model, as checkpoint metadata: a checkpoint only
    /// resumes a run with the same values (the epoch count may change, to extend a run).
    var checkpointSettings: [String: String] {
        ["seed": "\(seed)", "samples": "\(samples)", "batch_size": "\(batchSize)",
         "sequence_length": "\(sequenceLength)",
         "input_dim": "\(inputDimensions)", "d_model": "\(modelDimensions)", "nhead": "\(numHeads)",
         "dim_feedforward": "\(feedForwardDimensions)", "num_layers": "\(numLayers)", "hidden": "\(hiddenDimensions)",
         "dropout": "\(dropout)", "clip_max_norm": "\(clipMaxNorm)"]
    }
}

/// What the run produced, for tests and lessons to inspect after the printout.
struct SeedRunResult {
    /// Each epoch's mean training loss (the number printed as `Loss:`), from the first epoch run.
    let epochLosses: [Double]
    /// The learning rate after each epoch's scheduler step (printed as `LR:`).
    let learningRates: [Double]
    /// The model's outputs for the 3 random test inputs.
    let predictions: [Float]
    let model: TransformerEncoderRegressor
}

/// Runs the seed's training script and prints what it prints, through `log`:
///
///     Epoch [1/50], Loss: 0.3512, LR: 1.00e-03
///     …
///     Test predictions: [0.123…, -0.456…, 0.789…]
///
/// Each epoch: for every shuffled batch of 32, `zeroGrad`, forward, MSE, `backward`, clip the
/// gradient norm at 1.0, AdamW step (lr 1e-3, weight decay 1e-4); then ReduceLROnPlateau(patience 5)
/// is stepped with the epoch's mean loss. A `NaNGuard` stops the run with a diagnosis if it diverges.
///
/// - Parameters:
///   - config: the settings (the defaults are the script's).
///   - checkpointAt: for each finished epoch, a file to save a checkpoint to, or `nil`.
///   - resumeFrom: a checkpoint to continue from; the run then starts after its epoch, and prints
///     only the epochs it runs. The data are rebuilt from the seed, not stored.
///   - log: receives each printed line (pass `{ print($0) }`).
/// - Throws: `TrainingDiverged` if the loss or a gradient stops being finite; checkpoint errors.
@discardableResult
func runSeedTraining(_ config: SeedRunConfig = SeedRunConfig(), checkpointAt: ((Int) -> URL?)? = nil,
                            resumeFrom: URL? = nil, log: (String) -> Void) throws -> SeedRunResult {
    manualSeed(config.seed)
    let data = makeSeedDataset(samples: config.samples, sequenceLength: config.sequenceLength,
                               inputDimensions: config.inputDimensions, generator: &defaultGenerator)
    let loader = DataLoader(data, batchSize: config.batchSize, shuffle: true)     // shuffles from defaultGenerator
    let model = TransformerEncoderRegressor(
        inputDimensions: config.inputDimensions, modelDimensions: config.modelDimensions, numHeads: config.numHeads,
        feedForwardDimensions: config.feedForwardDimensions, numLayers: config.numLayers,
        sequenceLength: config.sequenceLength, hiddenDimensions: config.hiddenDimensions,
        dropout: config.dropout, maxLength: config.maxLength, generator: &defaultGenerator)
    let criterion = MSELoss()
    let parameters = model.parameters()
    let optimizer = AdamW(parameters, learningRate: config.learningRate, weightDecay: config.weightDecay)
    let scheduler = ReduceLROnPlateau(optimizer, mode: .min, patience: config.patience)
    let nanGuard = NaNGuard(model.namedParameters(), clipMaxNorm: config.clipMaxNorm)

    var firstEpoch = 1
    if let resumeFrom {
        let info = try Checkpoint.load(from: resumeFrom, model: model, optimizer: optimizer, scheduler: scheduler)
        for (key, value) in config.checkpointSettings where info.extra[key] != value {
            throw CheckpointError(file: resumeFrom.path,
                                  detail: "saved with \(key) = \(info.extra[key] ?? "none"), this run has \(value)")
        }
        guard let generator = info.generators["default"] else {
            throw CheckpointError(file: resumeFrom.path, detail: "no 'default' generator state to resume from")
        }
        defaultGenerator = generator
        firstEpoch = info.epoch + 1
    }

    var losses: [Double] = [], rates: [Double] = []
    for epoch in firstEpoch..<(config.epochs + 1) {
        model.train()
        var totalLoss = 0.0                       // Python adds loss.item() floats in double precision
        for (index, (x, y)) in loader.enumerated() {
            let step = try trainingStep(parameters, optimizer: optimizer, clipMaxNorm: config.clipMaxNorm,
                                        beforeUpdate: { measured in
                try nanGuard.check(loss: measured.loss, gradientNorm: measured.gradientNorm, epoch: epoch,
                                   step: index + 1, learningRate: optimizer.learningRate, inputs: x)
            }) { criterion(model(x), y) }
            totalLoss += Double(step.loss)
        }
        let averageLoss = totalLoss / Double(loader.count)
        scheduler.step(averageLoss)
        losses.append(averageLoss)
        rates.append(optimizer.learningRate)
        log(String(format: "Epoch [%d/%d], Loss: %.4f, LR: %.2e", epoch, config.epochs, averageLoss,
                   optimizer.learningRate))
        if let url = checkpointAt?(epoch) {
            try Checkpoint.save(to: url, model: model, optimizer: optimizer, scheduler: scheduler, epoch: epoch,
                                generators: ["default": defaultGenerator], extra: config.checkpointSettings)
        }
    }

    let testInput = Tensor.randn([3, config.sequenceLength, config.inputDimensions], generator: &defaultGenerator)
    model.eval()
    let prediction = withNoGrad { model(testInput) }
    // Python prints each float32 widened to a double, in its shortest round-trip form, as Swift does.
    log("Test predictions: [" + prediction.scalars.map { "\(Double($0))" }.joined(separator: ", ") + "]")
    return SeedRunResult(epochLosses: losses, learningRates: rates, predictions: prediction.scalars, model: model)
}

/// The seed's run with its own settings, changing only the seed and the number of epochs:
/// `try runSeedTraining(seed: 0) { print($0) }` prints what the script prints.
@discardableResult
func runSeedTraining(seed: UInt64, epochs: Int = 50, log: (String) -> Void) throws -> SeedRunResult {
    var config = SeedRunConfig()
    config.seed = seed
    config.epochs = epochs
    return try runSeedTraining(config, log: log)
}
