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
    let epochs: [EpochRecord]
    /// The epoch with the lowest validation loss, and that loss.
    let bestEpoch: Int
    let bestValidationLoss: Double
    /// The epoch at which early stopping's patience ran out, or nil if it never did.
    let stopEpoch: Int?

    var last: EpochRecord { epochs[epochs.count - 1] }
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
                         onEpoch: (EpochRecord) -> Void = { _ in }) -> TrainedRun {
    manualSeed(settings.seed)              // dropout masks come from this thread's default generator
    let model = makeModel(settings.model, dropout: settings.dropout, seed: settings.seed)
    let parameters = model.parameters()
    let criterion = MSELoss()
    let optimizer = AdamW(parameters, learningRate: settings.learningRate, weightDecay: settings.weightDecay)
    let scheduler = ReduceLROnPlateau(optimizer, mode: .min, patience: settings.schedulerPatience)
    let loader = DataLoader(train, batchSize: settings.batchSize, shuffle: true,
                            generator: Generator(seed: settings.seed &+ 1))
    let stopper = EarlyStopping(patience: settings.stopPatience)
    var stopEpoch: Int? = nil
    var records: [EpochRecord] = []

    for epoch in 1...settings.epochs {
        model.train()
        var totalLoss = 0.0
        var maxGradNorm = 0.0, clippedSteps = 0
        for (x, y) in loader {             // x: [B, 5, 10], y: [B, 1]
            optimizer.zeroGrad()
            let outputs = model(x)         // [B, 1]
            let loss = criterion(outputs, y)
            loss.backward()
            // The norm before clipping, so we can count how often the clip acted.
            let norm = settings.clip > 0
                ? clipGradNorm(parameters, maxNorm: Float(settings.clip))
                : gradNorm(parameters)
            maxGradNorm = Swift.max(maxGradNorm, Double(norm))
            if settings.clip > 0 && Double(norm) > settings.clip { clippedSteps += 1 }
            optimizer.step()
            totalLoss += Double(loss.item)
        }
        let avgLoss = totalLoss / Double(loader.count)

        // The weekly exam: the validation set, dropout off, no gradients (and no random draws, so
        // marking it before or after the scheduler's step changes nothing).
        let validationLoss = evaluate(model, on: validation)
        scheduler.step(settings.plateauOnValidation ? validationLoss : avgLoss)
        let stop = stopper.step(validationLoss, model: model)
        if stop && stopEpoch == nil { stopEpoch = epoch }

        let record = EpochRecord(epoch: epoch, trainLoss: avgLoss, validationLoss: validationLoss,
                                 learningRate: optimizer.learningRate, schedulerBest: scheduler.best,
                                 schedulerBadEpochs: scheduler.numBadEpochs, maxGradNorm: maxGradNorm,
                                 clippedSteps: clippedSteps, steps: loader.count)
        records.append(record)
        onEpoch(record)
        if stop && settings.stopEarly { break }
    }
    stopper.restoreBest(into: model)       // keep the weights of the best exam, not the last
    let record = RunRecord(settings: settings, epochs: records, bestEpoch: stopper.bestEpoch,
                           bestValidationLoss: stopper.best, stopEpoch: stopEpoch)
    return TrainedRun(model: model, optimizer: optimizer, scheduler: scheduler, record: record)
}

// MARK: - Cell 3: The seed's full run, with a weekly exam after every epoch

func cell3FullRun(_ lesson: Lesson, data: LessonData, settings: Settings) -> TrainedRun {
    lesson.heading(en: "Cell 3 · The seed's full run, with a weekly exam after every epoch",
                   zh: "第 3 格 · 种子的完整训练，每轮之后一次周考")
    lesson.say(en: """
        `trainWithValidation` in Cell3_FullRun.swift is the seed's loop, statement for statement (its doc comment \
        puts the Python beside it; the engine's `runSeedTraining` in Training/SeedRun.swift is the same loop on all \
        1000 samples, without an exam). We train on the \(data.train.count) practice samples, so an epoch has \
        \((data.train.count + settings.batchSize - 1) / settings.batchSize) batches instead of the seed's 32. Each \
        line \
        below is the seed's own print; the validation loss is kept for the next cell.
        """, zh: """
        Cell3_FullRun.swift 里的 `trainWithValidation` 就是种子的训练循环，一句对一句（文档注释里把 Python 并排列出；\
        引擎里 Training/SeedRun.swift 的 `runSeedTraining` 是同一个循环，用全部 1000 个样本、不做考试）。\
        我们只用 \(data.train.count) 个练习样本训练，所以每轮是 \
        \((data.train.count + settings.batchSize - 1) / settings.batchSize) \
        批，而不是种子的 32 批。下面每一行都是种子自己的打印格式；验证损失留到下一格再看。
        """)
    lesson.step(en: "Run \(settings.epochs) epochs", zh: "训练 \(settings.epochs) 轮")
    let run = trainWithValidation(train: data.train, validation: data.validation, settings: settings) { epoch in
        lesson.verbatim(seedEpochLine(epoch, of: settings.epochs))
    }
    let r = run.record
    lesson.headline(en: String(format: "full run: final training loss %.4f, final LR %.2e, best validation loss %.4f " +
                                       "at epoch %d",
                               r.last.trainLoss, r.last.learningRate, r.bestValidationLoss, r.bestEpoch),
                    zh: String(format: "完整训练：最终训练损失 %.4f，最终学习率 %.2e，最佳验证损失 %.4f（第 %d 轮）",
                               r.last.trainLoss, r.last.learningRate, r.bestValidationLoss, r.bestEpoch))
    return run
}
