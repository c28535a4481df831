// The NaN guard's diagnosis in words, in both languages, from the facts the engine gathers.
import Testing
import Engine
@testable import LessonKit

@Suite struct DivergenceReportTests {
    /// SGD at lr 0.1 on inputs in the hundreds, no clipping: diverges within a few steps.
    func diverge() -> TrainingDiverged? {
        var g = Generator(seed: 5)
        let x = Tensor.randn([16, 3], generator: &g) * 300
        let y = x.sum(dim: 1, keepdim: true)
        let w = Tensor.zeros([3, 1], requiresGrad: true)
        let optimizer = SGD([w], learningRate: 0.1)
        let nanGuard = NaNGuard([("weight", w)], clipMaxNorm: nil)
        do {
            for epoch in 1...50 {
                try trainingStep([w], optimizer: optimizer, beforeUpdate: { step in
                    try nanGuard.check(loss: step.loss, epoch: epoch, step: 1, learningRate: 0.1, inputs: x)
                }) {
                    let diff = x.matmul(w) - y
                    return (diff * diff).mean()
                }
            }
        } catch let d as TrainingDiverged { return d } catch { Issue.record("unexpected \(error)") }
        return nil
    }

    @Test func wordsTheFactsInEnglish() throws {
        let d = try #require(diverge())
        let text = divergenceReport(d).en
        let lines = text.split(separator: "\n").map(String.init)
        let what = d.loss.isFinite ? "gradient" : "loss"
        #expect(lines[0] == "Training stopped: the \(what) is no longer a finite number.")
        #expect(lines[1] == "  epoch \(d.epoch), step 1, learning rate 0.1, loss \(d.loss)")
        #expect(lines[4] == "Likely causes:")
        #expect(lines[5].hasPrefix("  1. Learning rate too large (0.1): each step overshoots"))
        #expect(lines[6].hasPrefix("  2. No gradient clipping: one exploding gradient"))
        #expect(lines[7].hasPrefix("  3. Unnormalised data:") && lines[7].contains("(this batch: mean "))
        #expect(lines.count == 8)
    }

    @Test func wordsTheSameFactsInChinese() throws {
        let d = try #require(diverge())
        let text = divergenceReport(d).zh
        #expect(text.hasPrefix("训练已停止："))
        #expect(text.contains("第 \(d.epoch) 轮，第 1 步，学习率 0.1"))
        #expect(text.contains("  1. 学习率太大（0.1）") && text.contains("  2. 没有梯度裁剪"))
        #expect(text.contains("  3. 数据没有标准化"))
        #expect(!text.contains("Learning rate"))
    }

    @Test func clippingAndBadParameterWording() {
        let d = TrainingDiverged(epoch: 2, step: 7, learningRate: 1e-3, loss: 0.5, gradientNorm: .infinity,
                                 firstBadParameter: BadParameter(name: "fc1.weight", inValue: false),
                                 causes: [(.learningRate(1e-3), false), (.clipping(maxNorm: 1), false),
                                          (.unnormalisedData(batch: nil), false)])
        let en = divergenceReport(d).en
        #expect(en.hasPrefix("Training stopped: the gradient is no longer a finite number."))
        #expect(en.contains("  gradient norm: inf\n  first parameter that went bad: fc1.weight (its gradient)"))
        #expect(en.contains("  2. Gradient clipping is on (max norm 1.0)"))
        #expect(divergenceReport(d).zh.contains("fc1.weight（它的梯度）"))
    }
}
