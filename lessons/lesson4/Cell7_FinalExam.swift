import Engine
import Foundation
import LessonKit

// MARK: - Cell 7: The final exam, a checkpoint, and the seed's inference

/// The test set's MSE: the final exam, taken once, with the weights early stopping chose.
func finalExam(_ model: TransformerEncoderRegressor, test: TensorDataset) -> Double {
    evaluate(model, on: test)
}

/// What saving and reloading the model showed.
struct CheckpointCheck {
    let tensors: Int
    let bytes: Int
    /// Whether a fresh model loaded from the file predicts the test set bit for bit as the original.
    let identical: Bool
    /// The largest |difference| between the two models' predictions (0 when identical).
    let maxDifference: Float
}

/// Saves `model`'s state dict as safetensors to `url`, loads it into a freshly built model (other
/// random weights), and compares both models' predictions on `inputs` bit for bit.
func checkpointRoundTrip(_ model: TransformerEncoderRegressor, settings: RunSettings, inputs: Tensor,
                         url: URL) throws -> CheckpointCheck {
    try model.saveSafeTensors(to: url, metadata: ["lesson": "lesson4", "seed": "\(settings.seed)"])
    let bytes = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
    let restored = makeModel(settings.model, dropout: settings.dropout, seed: settings.seed &+ 1000)
    try restored.loadSafeTensors(contentsOf: url)
    model.eval()
    restored.eval()
    let a = withNoGrad { model(inputs) }, b = withNoGrad { restored(inputs) }
    let identical = a.scalars.map(\.bitPattern) == b.scalars.map(\.bitPattern)
    let maxDifference = zip(a.scalars, b.scalars).map { Swift.abs($0 - $1) }.max() ?? 0
    return CheckpointCheck(tensors: model.stateDict().count, bytes: bytes, identical: identical,
                           maxDifference: maxDifference)
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

func cell7FinalExam(_ lesson: Lesson, model: TransformerEncoderRegressor, data: LessonData, settings: RunSettings) {
    lesson.heading(en: "Cell 7 · The final exam, a checkpoint, and the seed's inference",
                   zh: "第 7 格 · 期末考试、检查点，以及种子的推理")
    lesson.say(en: """
        The test set has waited, sealed, since cell 1. It is marked once, now, with the weights early stopping \
        chose; any further tuning against it would turn the final exam into another weekly one.
        """, zh: """
        测试集从第 1 格起就封存着。现在只考这一次，用早停选出的权重；如果再根据它去调参，期末考就变成了又一次周考。
        """)
    let testMSE = finalExam(model, test: data.test)
    lesson.headline(en: String(format: "final exam: test MSE %.4f (%d samples)", testMSE, data.test.count),
                    zh: String(format: "期末考试：测试集 MSE %.4f（%d 个样本）", testMSE, data.test.count))

    lesson.say(en: """
        A checkpoint: the state dict (parameters and the positional table, PyTorch's names) written as a \
        safetensors file, then loaded into a freshly built model with different random weights. The two must \
        predict the test set bit for bit.
        """, zh: """
        检查点：把 state dict（参数和位置编码表，名字与 PyTorch 相同）写成 safetensors 文件，再读进一个随机权重不同的\
        新模型。两者对测试集的预测必须逐位相同。
        """)
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("lesson4-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString).safetensors")
    defer { try? FileManager.default.removeItem(at: url) }
    do {
        let check = try checkpointRoundTrip(model, settings: settings, inputs: data.test.inputs, url: url)
        precondition(check.identical, "lesson4: the reloaded model predicts differently (max |Δ| \(check.maxDifference))")
        lesson.headline(en: "checkpoint: \(check.tensors) tensors, \(check.bytes) bytes; reloaded predictions identical bit for bit: \(check.identical)",
                        zh: "检查点：\(check.tensors) 个张量，\(check.bytes) 字节；读回后的预测逐位相同：\(check.identical)")
    } catch {
        lesson.headline(en: "checkpoint failed: \(error)", zh: "检查点失败：\(error)")
    }

    lesson.say(en: "And the seed's last lines: three random inputs, model.eval(), no gradients.",
               zh: "最后是种子的结尾：三个随机输入，model.eval()，不记录梯度。")
    lesson.headline(Localized(stringLiteral: seedPredictionLine(seedInference(model, seed: settings.seed))))
}
