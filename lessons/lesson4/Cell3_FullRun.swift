import Engine
import Foundation
import LessonKit

// The training loop of `scripts/seed_train.py`, written out so that it can be read beside the Python line
// by line, plus the two things the seed leaves out: a validation set watched after every epoch
// (the "weekly exam") and early stopping that remembers the best weights.

/// The sizes of a `TransformerEncoderRegressor`: the seed's, or a smaller one for quick comparisons.
struct ModelSize: Equatable {
    var modelDimensions = 64       // d_model
    var numHeads = 4               // nhead
    var feedForwardDimensions = 256  // dim_feedforward
    var numLayers = 3
    var hiddenDimensions = 128     // the output head's hidden width

    /// The seed's model: 191,873 parameters.
    static let seed = ModelSize()
    /// A model about 50 times smaller (3,713 parameters), for the side-by-side comparisons that
    /// would not fit the time budget at full size.
    static let small = ModelSize(modelDimensions: 16, numHeads: 2, feedForwardDimensions: 32,
                                 numLayers: 1, hiddenDimensions: 16)
}

/// Everything one training run depends on. The defaults are the seed's.
struct Settings {
    var epochs = 50
    var batchSize = 32
    var learningRate = 1e-3
    var weightDecay = 1e-4
    /// Every dropout in the model (positional encoding, attention, feed-forward, head).
    var dropout = 0.1
    /// The largest global gradient norm; 0 turns clipping off.
    var clip = 1.0
    /// ReduceLROnPlateau's patience: bad epochs tolerated before the rate drops.
    var schedulerPatience = 5
    /// Feed ReduceLROnPlateau the validation loss instead of the seed's training loss.
    var plateauOnValidation = false
    /// Early stopping's patience: epochs without a better *validation* loss tolerated.
    var stopPatience = 10
    /// `true`: stop when early stopping fires. `false`: only watch (the seed runs all its epochs).
    var stopEarly = false
    var model = ModelSize.seed
    /// Seeds the initial weights, the batch order and the dropout masks.
    var seed: UInt64 = 42
}

/// What one epoch left behind: the seed's printed numbers plus what a careful trainer also watches.
struct EpochRecord: Equatable {
    let epoch: Int
    /// The mean of the epoch's batch losses (the seed's `avg_loss`; dropout on).
    let trainLoss: Double
    /// MSE on the validation set in evaluation mode (dropout off), after the epoch.
    let validationLoss: Double
    /// The learning rate after `scheduler.step(avg_loss)`: the seed prints this one.
    let learningRate: Double
    /// ReduceLROnPlateau's `best` and `num_bad_epochs` after its step.
    let schedulerBest: Double
    let schedulerBadEpochs: Int
    /// The largest gradient norm of the epoch, measured before clipping.
    let maxGradNorm: Double
    /// Steps whose gradient norm exceeded `clip` (and so were scaled down).
    let clippedSteps: Int
    let steps: Int
}

/// A finished run: every epoch, and what early stopping saw.
struct RunRecord {
    let settings: Settings
    /// The epochs that finished (a diverged run stops early; one that diverged in its first epoch has none).
    let epochs: [EpochRecord]
    /// The epoch with the lowest validation loss, and that loss.
    let bestEpoch: Int
    let bestValidationLoss: Double
    /// The epoch at which early stopping's patience ran out, or nil if it never did.
    let stopEpoch: Int?
    /// Why the run was stopped, if it diverged (Divergence.swift); nil for a run that trained.
    var divergence: Divergence? = nil

    var diverged: Bool { divergence != nil }
    var last: EpochRecord { epochs[epochs.count - 1] }
    /// The last validation loss, or NaN for a diverged run: a number that no comparison reads as learning.
    var finalValidationLoss: Double { diverged || epochs.isEmpty ? .nan : last.validationLoss }
    /// The last training loss, or NaN for a diverged run.
    var finalTrainLoss: Double { diverged || epochs.isEmpty ? .nan : last.trainLoss }
    var trainLosses: [Double] { epochs.map(\.trainLoss) }
    var validationLosses: [Double] { epochs.map(\.validationLoss) }
    /// The overfitting gap at the end: validation loss minus training loss.
    var finalGap: Double { last.validationLoss - last.trainLoss }
}

/// A finished run: the objects a checkpoint needs, and the record.
struct TrainedRun {
    /// The model, with early stopping's best weights restored.
    let model: TransformerEncoderRegressor
    /// The optimizer and scheduler as they were after the last epoch.
    let optimizer: AdamW
    let scheduler: ReduceLROnPlateau
    let record: RunRecord
    /// The run's random stream (this thread's default generator: dropout's masks) where the run
    /// left it, for a checkpoint to resume from.
    let generator: Generator
}

/// The seed's printed line, character for character:
/// `print(f'Epoch [{epoch+1}/{num_epochs}], Loss: {avg_loss:.4f}, LR: {lr:.2e}')`.
func seedEpochLine(_ e: EpochRecord, of epochs: Int) -> String {
    String(format: "Epoch [%d/%d], Loss: %.4f, LR: %.2e", e.epoch, epochs, e.trainLoss, e.learningRate)
}

/// A fresh model of the given size, its weights drawn from `seed`.
func makeModel(_ size: ModelSize, dropout: Double, seed: UInt64) -> TransformerEncoderRegressor {
    var generator = Generator(seed: seed)
    return TransformerEncoderRegressor(modelDimensions: size.modelDimensions, numHeads: size.numHeads,
                                       feedForwardDimensions: size.feedForwardDimensions,
                                       numLayers: size.numLayers, hiddenDimensions: size.hiddenDimensions,
                                       dropout: Float(dropout), generator: &generator)
}

/// The mean squared error of `model` on a whole dataset, in evaluation mode and without a graph:
/// the exam is marked, never studied from. Leaves the model in evaluation mode.
func evaluate(_ model: TransformerEncoderRegressor, on data: TensorDataset) -> Double {
    model.eval()
    return withNoGrad { Double(MSELoss()(model(data.inputs), data.targets).item) }
}

/// The seed's training loop with a validation set watched after every epoch.
///
/// Beside `scripts/seed_train.py` (Python on the left, this function on the right):
///
///     model = TransformerEncoderRegressor()           makeModel(...)
///     criterion = nn.MSELoss()                        MSELoss()
///     optimizer = optim.AdamW(..., 1e-3, wd=1e-4)     AdamW(...)
///     scheduler = ReduceLROnPlateau(opt, "min", 5)    ReduceLROnPlateau(...)
///     for epoch in range(num_epochs):                 for epoch in 1...epochs
///         model.train()                               model.train()
///         for batch_X, batch_y in dataloader:         for (x, y) in loader
///             optimizer.zero_grad()                   optimizer.zeroGrad()
///             loss = criterion(model(batch_X), ...)   let loss = criterion(model(x), y)
///             loss.backward()                         loss.backward()
///             clip_grad_norm_(params, 1.0)            clipGradNorm(parameters, maxNorm: 1)
///             optimizer.step()                        optimizer.step()
///             total_loss += loss.item()               totalLoss += loss.item
///         avg_loss = total_loss / len(dataloader)     totalLoss / loader.count
///         scheduler.step(avg_loss)                    scheduler.step(avgLoss)
///         print(f'Epoch [...]')                       onEpoch(record)
///
/// and, new: the validation loss after each epoch, fed to `EarlyStopping` (and, with
/// `plateauOnValidation`, to the scheduler instead of the training loss).
///
/// - Parameters:
///   - train: the practice set (batched and shuffled).
///   - validation: the weekly exam, evaluated whole after every epoch.
///   - settings: the knobs (the seed's by default).
///   - onEpoch: called after each epoch (the lesson prints the seed's line there).
/// - Returns: the trained model (early stopping's best weights restored), its optimizer and
///   scheduler, and the record of every epoch.
func trainWithValidation(train: TensorDataset, validation: TensorDataset, settings: Settings,
                         onEpoch: (EpochRecord) -> Void = { _ in },
                         inspect: ((EpochRecord, TransformerEncoderRegressor, [Double]) -> Void)? = nil) -> TrainedRun {
    manualSeed(settings.seed)              // dropout masks come from this thread's default generator
    let model = makeModel(settings.model, dropout: settings.dropout, seed: settings.seed)
    let parameters = model.parameters()
    let criterion = MSELoss()
    let optimizer = AdamW(parameters, learningRate: settings.learningRate, weightDecay: settings.weightDecay)
    let scheduler = ReduceLROnPlateau(optimizer, mode: .min, patience: settings.schedulerPatience)
    let loader = DataLoader(train, batchSize: settings.batchSize, shuffle: true,
                            generator: Generator(seed: settings.seed &+ 1))
    let stopper = EarlyStopping(patience: settings.stopPatience)
    let nanGuard = NaNGuard(model.namedParameters(), clipMaxNorm: settings.clip > 0 ? Float(settings.clip) : nil)
    let layers = inspect == nil ? [] : layerGroups(model)
    var stopEpoch: Int? = nil
    var records: [EpochRecord] = []
    var divergence: Divergence? = nil
    var firstLoss: Double? = nil           // the very first batch's loss: where the run started

    training: for epoch in 1...settings.epochs {
        model.train()
        var totalLoss = 0.0
        var maxGradNorm = 0.0, clippedSteps = 0
        var layerNorms: [Double] = []
        var lastBatch: Tensor? = nil
        do {
            for (index, (x, y)) in loader.enumerated() {     // x: [B, 5, 10], y: [B, 1]
                optimizer.zeroGrad()
                let outputs = model(x)         // [B, 1]
                let loss = criterion(outputs, y)
                loss.backward()
                if index == loader.count - 1 && !layers.isEmpty {
                    layerNorms = layers.map { Double(gradNorm($0.tensors)) }   // before clipping
                }
                // The norm before clipping, so we can count how often the clip acted.
                let norm = settings.clip > 0
                    ? clipGradNorm(parameters, maxNorm: Float(settings.clip))
                    : gradNorm(parameters)
                // The NaN guard looks at every weight; a bad weight or gradient shows in the loss or
                // the norm first, so it is asked only then (and stops the run before a bad update).
                if !loss.item.isFinite || !norm.isFinite {
                    try nanGuard.check(loss: loss.item, gradientNorm: norm, epoch: epoch, step: index + 1,
                                       learningRate: optimizer.learningRate, inputs: x)
                }
                maxGradNorm = Swift.max(maxGradNorm, Double(norm))
                if settings.clip > 0 && Double(norm) > settings.clip { clippedSteps += 1 }
                optimizer.step()
                totalLoss += Double(loss.item)
                if firstLoss == nil { firstLoss = Double(loss.item) }
                lastBatch = x
            }
        } catch let diverged as TrainingDiverged {
            divergence = .nonFinite(diverged)
            break training
        } catch {
            preconditionFailure("trainWithValidation: the NaN guard threw \(error)")
        }
        let avgLoss = totalLoss / Double(loader.count)

        // The weekly exam: the validation set, dropout off, no gradients (and no random draws, so
        // marking it before or after the scheduler's step changes nothing).
        let validationLoss = evaluate(model, on: validation)
        // A loss far above where the run started is a blow-up even while it is still a finite number
        // (LessonKit's one divergence rule, `isDiverged`).
        let start = firstLoss ?? avgLoss
        if isDiverged(loss: avgLoss, start: start) || isDiverged(loss: validationLoss, start: start) {
            divergence = .exploded(explodedDiagnosis(nanGuard, epoch: epoch, step: loader.count,
                                                     learningRate: optimizer.learningRate,
                                                     loss: Swift.max(avgLoss, validationLoss),
                                                     gradientNorm: Float(maxGradNorm), inputs: lastBatch),
                                   start: start)
            break training
        }
        scheduler.step(settings.plateauOnValidation ? validationLoss : avgLoss)
        let stop = stopper.step(validationLoss, model: model)
        if stop && stopEpoch == nil { stopEpoch = epoch }

        let record = EpochRecord(epoch: epoch, trainLoss: avgLoss, validationLoss: validationLoss,
                                 learningRate: optimizer.learningRate, schedulerBest: scheduler.best,
                                 schedulerBadEpochs: scheduler.numBadEpochs, maxGradNorm: maxGradNorm,
                                 clippedSteps: clippedSteps, steps: loader.count)
        records.append(record)
        onEpoch(record)
        inspect?(record, model, layerNorms)
        if stop && settings.stopEarly { break }
    }
    stopper.restoreBest(into: model)       // keep the weights of the best exam, not the last
    var record = RunRecord(settings: settings, epochs: records, bestEpoch: stopper.bestEpoch,
                           bestValidationLoss: stopper.best, stopEpoch: stopEpoch)
    record.divergence = divergence
    return TrainedRun(model: model, optimizer: optimizer, scheduler: scheduler, record: record,
                      generator: defaultGenerator)
}

/// The model's parameters grouped by layer (`input_proj`, `encoder.layers.0`, …, `output_layer`),
/// for the report's per-layer gradient bars and weight histograms.
func layerGroups(_ model: TransformerEncoderRegressor) -> [(name: String, tensors: [Tensor])] {
    var groups: [(name: String, tensors: [Tensor])] = []
    for (name, tensor) in model.namedParameters() {
        let parts = name.split(separator: ".")
        let key = parts.count > 2 && parts[0] == "encoder" ? parts.prefix(3).joined(separator: ".") : String(parts[0])
        if groups.last?.name == key { groups[groups.count - 1].tensors.append(tensor) } else {
            groups.append((key, [tensor]))
        }
    }
    return groups
}

// MARK: - Cell 3: The seed's full run, with a weekly exam after every epoch

func cell3FullRun(_ lesson: Lesson, data: LessonData, settings: Settings) -> TrainedRun {
    lesson.cell(3)
    let batches = (data.train.count + settings.batchSize - 1) / settings.batchSize
    lesson.say(en: """
        `trainWithValidation` in Cell3_FullRun.swift is the blog post's loop, statement for statement (its doc comment \
        puts the Python beside it; `runSeedTraining` in SeedRun.swift, in this lesson's folder, is the same loop on \
        all 1,000 samples, without an exam). We train on the \(grouped(data.train.count)) practice samples, so an \
        epoch has \(batches) batches instead of the script's 32. Each line below is the blog post's own print; the \
        validation loss is kept for the next cell.
        """, zh: """
        Cell3_FullRun.swift 里的 `trainWithValidation` 就是示例脚本的训练循环，一句对一句（文档注释里把 Python \
        并排列出；本课文件夹里 SeedRun.swift 的 `runSeedTraining` 是同一个循环，用全部 1,000 个样本、不做考试）。\
        我们只用 \(grouped(data.train.count)) 个练习样本训练，所以每轮是 \(batches) 批，而不是示例脚本的 32 批。\
        下面每一行都是示例脚本自己的打印格式；验证损失留到下一格再看。
        """)
    let layers = layerGroups(makeModel(settings.model, dropout: settings.dropout, seed: settings.seed)).map(\.name)
    var frames = TrainingRecord(title: lesson.tr(en: "The full run, epoch by epoch", zh: "完整训练，逐轮回放"),
                                xLabel: lesson.tr(en: "epoch", zh: "轮"), layers: layers)
    let progressLabel = Localized(en: "cell 3: epoch", zh: "第 3 格：第几轮")
    let run = trainWithValidation(train: data.train, validation: data.validation, settings: settings,
                                  onEpoch: { epoch in
        lesson.progress(progressLabel, epoch.epoch, of: settings.epochs)
        lesson.stream(seedEpochLine(epoch, of: settings.epochs))
    }, inspect: { epoch, model, norms in
        // The report's step-through: per epoch the losses, the rate, each layer's gradient norm
        // (the epoch's last step, before clipping) and each layer's weights.
        let weights = layerGroups(model).map { group in group.tensors.flatMap(\.scalars) }
        frames.add(Double(epoch.epoch), loss: epoch.trainLoss, validationLoss: epoch.validationLoss,
                   learningRate: epoch.learningRate, gradientNorms: norms, weights: weights)
    })
    lesson.endProgress()
    lesson.training(frames)
    let r = run.record
    if let divergence = r.divergence {
        sayDiverged(lesson, divergence)
        lesson.headline(en: "full run: diverged in epoch \(divergence.diagnosis.epoch) (see the diagnosis above)",
                        zh: "完整训练：第 \(divergence.diagnosis.epoch) 轮发散（见上面的诊断）")
        return run
    }
    lesson.headline(en: "full run: final training loss \(fixed(r.last.trainLoss)), "
                        + "final LR \(sci(r.last.learningRate)), "
                        + "best validation loss \(fixed(r.bestValidationLoss)) at epoch \(r.bestEpoch)",
                    zh: "完整训练：最终训练损失 \(fixed(r.last.trainLoss))，最终学习率 \(sci(r.last.learningRate))，"
                        + "最佳验证损失 \(fixed(r.bestValidationLoss))（第 \(r.bestEpoch) 轮）")
    return run
}
