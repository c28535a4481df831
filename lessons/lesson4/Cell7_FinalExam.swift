import Engine
import Foundation
import LessonKit

// Cell 7: The final exam, a checkpoint, and the seed's inference.

/// The test set's MSE: the final exam, taken once, with the weights early stopping chose.
func finalExam(_ model: TransformerEncoderRegressor, test: TensorDataset) -> Double {
    evaluate(model, on: test)
}

/// What saving and reloading the run showed.
struct CheckpointCheck {
    let tensors: Int
    let bytes: Int
    /// Whether a fresh model loaded from the file predicts the inputs bit for bit as the original.
    let identical: Bool
    /// The largest |difference| between the two models' predictions (0 when identical).
    let maxDifference: Float
    /// Whether the optimizer (learning rate, step counts, moments) and the scheduler (best, bad
    /// epochs) came back as they were, so training could resume where it stopped.
    let optimizerRestored: Bool
    let schedulerRestored: Bool
    /// Whether the file's random stream is the run's own, where its training left it.
    let generatorRestored: Bool
    /// The epoch recorded in the file.
    let epoch: Int
}

/// Saves the run with `Checkpoint.save` (model, AdamW's moments, the scheduler's counters, the
/// random stream; one safetensors file) to `url`, loads it into a freshly built model, optimizer
/// and scheduler (other random weights), and compares the two models' predictions on `inputs`
/// bit for bit.
func checkpointRoundTrip(_ run: TrainedRun, inputs: Tensor, url: URL) throws -> CheckpointCheck {
    let settings = run.record.settings
    try Checkpoint.save(to: url, model: run.model, optimizer: run.optimizer, scheduler: run.scheduler,
                        epoch: run.record.epochs.count, generators: ["default": run.generator],
                        extra: ["best_epoch": "\(run.record.bestEpoch)"])
    let bytes = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
    let tensors = try SafeTensors.load(contentsOf: url).tensors.count

    let model = makeModel(settings.model, dropout: settings.dropout, seed: settings.seed &+ 1000)
    let optimizer = AdamW(model.parameters(), learningRate: settings.learningRate, weightDecay: settings.weightDecay)
    let scheduler = ReduceLROnPlateau(optimizer, mode: .min, patience: settings.schedulerPatience)
    let info = try Checkpoint.load(from: url, model: model, optimizer: optimizer, scheduler: scheduler)

    run.model.eval()
    model.eval()
    let a = withNoGrad { run.model(inputs) }, b = withNoGrad { model(inputs) }
    let identical = a.scalars.map(\.bitPattern) == b.scalars.map(\.bitPattern)
    let maxDifference = zip(a.scalars, b.scalars).map { Swift.abs($0 - $1) }.max() ?? 0
    let optimizerRestored = optimizer.learningRate == run.optimizer.learningRate
        && optimizer.stepCount == run.optimizer.stepCount
        && zip(optimizer.expAvgSq, run.optimizer.expAvgSq).allSatisfy { $0.scalars == $1.scalars }
    let schedulerRestored = scheduler.stateDict() == run.scheduler.stateDict()
    return CheckpointCheck(tensors: tensors, bytes: bytes, identical: identical, maxDifference: maxDifference,
                           optimizerRestored: optimizerRestored, schedulerRestored: schedulerRestored,
                           generatorRestored: info.generators["default"] == run.generator, epoch: info.epoch)
}

/// The seed's last lines: `test_input = torch.randn(3, seq_length, input_dim)`, `model.eval()`,
/// `with torch.no_grad(): prediction = model(test_input)`. The inputs come from `seed`.
func seedInference(_ model: TransformerEncoderRegressor, seed: UInt64) -> [Float] {
    var generator = Generator(seed: seed &+ 7)
    let testInput = Tensor.randn([3, 5, 10], generator: &generator)
    model.eval()
    let prediction = withNoGrad { model(testInput) }    // [3, 1]
    return prediction.scalars
}

/// `print("Test predictions:", prediction.squeeze().tolist())`: Python prints each float32 widened
/// to a double with the shortest repr that reads back, which is what Swift's `Double` description does.
func seedPredictionLine(_ predictions: [Float]) -> String {
    "Test predictions: [" + predictions.map { "\(Double($0))" }.joined(separator: ", ") + "]"
}

/// 是 / 否 for the Chinese headline.
func yesNo(_ b: Bool) -> String { b ? "是" : "否" }

// MARK: - Cell 7: The final exam, a checkpoint, and the seed's inference

/// - Throws: `LessonError.runTime` when the checkpoint cannot be written or does not read back.
func cell7FinalExam(_ lesson: Lesson, run: TrainedRun, data: LessonData, settings: Settings) throws {
    let model = run.model
    lesson.cell(7)
    lesson.say(en: """
        The test set has waited, sealed, since cell 1. It is marked once, now, with the weights early stopping \
        chose; any further tuning against it would turn the final exam into another weekly one.
        """, zh: """
        测试集从第 1 格起就封存着。现在只考这一次，用早停选出的权重；如果再根据它去调参，期末考就变成了又一次周考。
        """)
    if run.record.diverged {
        lesson.headline(en: "final exam: not taken (the full run diverged in cell 3)",
                        zh: "期末考试：不考了（完整训练在第 3 格发散）")
    } else {
        let testMSE = finalExam(model, test: data.test)
        lesson.headline(en: "final exam: test MSE \(fixed(testMSE)) (\(data.test.count) samples)",
                        zh: "期末考试：测试集 MSE \(fixed(testMSE))（\(data.test.count) 个样本）")
    }

    lesson.say(en: """
        A checkpoint (`Checkpoint.save`): the model's state dict (early stopping's weights, PyTorch's names), \
        AdamW's moments and step counts, ReduceLROnPlateau's counters and the random stream, in one safetensors \
        file. Loaded into a freshly built model, optimizer and scheduler (other random weights), the model must \
        predict the test set bit for bit, and the optimizer and scheduler must be back where they were.
        """, zh: """
        检查点（`Checkpoint.save`）：模型的 state dict（早停选出的权重，名字与 PyTorch 相同）、AdamW 的动量和步数、\
        ReduceLROnPlateau 的计数器以及随机数流，全部放进一个 safetensors 文件。读进一个新建的模型、优化器和调度器\
        （随机权重不同）之后，模型对测试集的预测必须逐位相同，优化器和调度器也必须回到原来的状态。
        """)
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("lesson4-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString).safetensors")
    defer { try? FileManager.default.removeItem(at: url) }
    let check: CheckpointCheck
    do {
        check = try checkpointRoundTrip(run, inputs: data.test.inputs, url: url)
    } catch {
        throw LessonError.runTime(Localized(en: "the checkpoint could not be saved or read back: \(error)",
                                            zh: "检查点无法保存或读回：\(error)"))
    }
    guard check.identical else {
        throw LessonError.runTime(Localized(
            en: "the reloaded model predicts differently (max |Δ| \(check.maxDifference))",
            zh: "读回的模型预测不同（最大 |Δ| \(check.maxDifference)）"))
    }
    lesson.headline(
        en: "checkpoint: \(check.tensors) tensors, \(grouped(check.bytes)) bytes, epoch \(check.epoch); "
            + "reloaded predictions identical bit for bit: \(check.identical); "
            + "optimizer restored: \(check.optimizerRestored); scheduler restored: \(check.schedulerRestored)",
        zh: "检查点：\(check.tensors) 个张量，\(grouped(check.bytes)) 字节，第 \(check.epoch) 轮；"
            + "读回后的预测逐位相同：\(yesNo(check.identical))；"
            + "优化器已恢复：\(yesNo(check.optimizerRestored))；调度器已恢复：\(yesNo(check.schedulerRestored))")

    lesson.say(en: "And the blog post's last lines: three random inputs, model.eval(), no gradients.",
               zh: "最后是示例脚本的结尾：三个随机输入，model.eval()，不记录梯度。")
    if run.record.diverged {
        lesson.headline(en: "Test predictions: not made (the model diverged; its outputs would mean nothing)",
                        zh: "Test predictions：不预测了（模型已发散，它的输出没有意义）")
    } else {
        lesson.headline(Localized(stringLiteral: seedPredictionLine(seedInference(model, seed: settings.seed))))
    }
}
