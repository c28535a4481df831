import Engine
import LessonKit

// Cell 6: Clipping, weight decay and dropout — on and off, side by side.

/// One comparison run: a name and the switches it flips relative to the seed's settings.
struct Variant {
    let name: Localized
    let clip: Double
    let weightDecay: Double
    let dropout: Double
    let learningRate: Double
}

/// The variants compared: the seed's settings, each regularizer off in turn, everything off, and
/// clipping on and off under a ten times larger learning rate (where clipping has work to do).
func comparisonVariants(_ base: Settings) -> [Variant] {
    let lr = base.learningRate
    return [
        Variant(name: Localized(en: "seed (clip, wd, dropout)", zh: "种子（裁剪+衰减+dropout）"),
                clip: base.clip, weightDecay: base.weightDecay, dropout: base.dropout, learningRate: lr),
        Variant(name: Localized(en: "no clipping", zh: "不裁剪"),
                clip: 0, weightDecay: base.weightDecay, dropout: base.dropout, learningRate: lr),
        Variant(name: Localized(en: "no weight decay", zh: "不衰减"),
                clip: base.clip, weightDecay: 0, dropout: base.dropout, learningRate: lr),
        Variant(name: Localized(en: "no dropout", zh: "不 dropout"),
                clip: base.clip, weightDecay: base.weightDecay, dropout: 0, learningRate: lr),
        Variant(name: Localized(en: "none of the three", zh: "三者皆无"),
                clip: 0, weightDecay: 0, dropout: 0, learningRate: lr),
        Variant(name: Localized(en: "lr ×10, clipping", zh: "学习率×10，裁剪"),
                clip: base.clip, weightDecay: base.weightDecay, dropout: base.dropout, learningRate: lr * 10),
        Variant(name: Localized(en: "lr ×10, no clipping", zh: "学习率×10，不裁剪"),
                clip: 0, weightDecay: base.weightDecay, dropout: base.dropout, learningRate: lr * 10),
    ]
}

/// Runs every variant on the small model (`ModelSize.small`) for `epochs` epochs on the full training set.
func runComparisons(data: LessonData, epochs: Int, base: Settings) -> [(variant: Variant, run: RunRecord)] {
    comparisonVariants(base).map { v in
        var s = base
        s.model = .small
        s.epochs = epochs
        s.clip = v.clip
        s.weightDecay = v.weightDecay
        s.dropout = v.dropout
        s.learningRate = v.learningRate
        return (v, trainWithValidation(train: data.train, validation: data.validation, settings: s).record)
    }
}

// MARK: - Cell 6: Clipping, weight decay and dropout — on and off, side by side

func cell6Comparisons(_ lesson: Lesson, data: LessonData, settings: Settings) {
    lesson.heading(en: "Cell 6 · Clipping, weight decay and dropout: on and off, side by side",
                   zh: "第 6 格 · 梯度裁剪、权重衰减、dropout：开与关，并排比较")
    let epochs = lesson.flags.int("compare-epochs")
    lesson.say(en: """
        Seven short runs, identical but for one switch each. To fit the time budget they use a small model \
        (\(ModelSize.small.modelDimensions)-wide, \(ModelSize.small.numLayers) encoder layer, the same data) for \
        \(epochs) epochs. "max ‖g‖" is the largest gradient norm seen before clipping; "clipped" counts the steps the \
        clip shortened.
        """, zh: """
        七次短训练，每次只拨动一个开关。为了不超时间预算，它们用一个小模型（宽 \(ModelSize.small.modelDimensions)，\
        \(ModelSize.small.numLayers) 层编码器，同样的数据）训练 \(epochs) 轮。“最大 ‖g‖”是裁剪前见到的最大梯度范数；\
        “被裁剪”是被裁剪缩短的步数。
        """)
    lesson.step(en: "Run the comparisons", zh: "运行对比实验")
    let results = runComparisons(data: data, epochs: epochs, base: settings)
    var table = Table([lesson.tr(en: "run", zh: "实验"), lesson.tr(en: "train loss", zh: "训练损失"),
                       lesson.tr(en: "valid loss", zh: "验证损失"), lesson.tr(en: "best valid", zh: "最佳验证"),
                       lesson.tr(en: "max ‖g‖", zh: "最大 ‖g‖"), lesson.tr(en: "clipped", zh: "被裁剪")])
    for (v, r) in results {
        let clipped = r.epochs.reduce(0) { $0 + $1.clippedSteps }, steps = r.epochs.reduce(0) { $0 + $1.steps }
        let maxNorm = r.epochs.map(\.maxGradNorm).max() ?? 0
        table.append([.text(v.name(lesson.language)), .number(r.last.trainLoss), .number(r.last.validationLoss),
                      .number(r.bestValidationLoss), .number(maxNorm, format: "%.3f"), .text("\(clipped)/\(steps)")])
    }
    lesson.table(table)
    lesson.plot(LineChart(title: lesson.tr(en: "validation loss per epoch, small model",
                                           zh: "每轮验证损失，小模型"),
                          series: results.prefix(5).map { .init($0.variant.name(lesson.language), $0.run.validationLosses) },
                          xLabel: lesson.tr(en: "epoch", zh: "轮"), yLabel: "MSE", logScale: true))
    lesson.plot(LineChart(title: lesson.tr(en: "lr ×10: validation loss with and without clipping",
                                           zh: "学习率×10：裁剪与不裁剪的验证损失"),
                          series: results.suffix(2).map { .init($0.variant.name(lesson.language), $0.run.validationLosses) },
                          xLabel: lesson.tr(en: "epoch", zh: "轮"), yLabel: "MSE", logScale: true))
    let v = results.map(\.run.last.validationLoss)
    func signed(_ x: Double) -> String { String(format: "%+.4f", x) }
    lesson.say(en: """
        Measured effect on the final validation loss of switching each one off: clipping \(signed(v[1] - v[0])), \
        weight decay \(signed(v[2] - v[0])), dropout \(signed(v[3] - v[0])), all three \(signed(v[4] - v[0])); at ten \
        times the learning rate, clipping off \(signed(v[6] - v[5])). Why: AdamW's decay removes lr·λ = \
        \(String(format: "%.0e", settings.learningRate * settings.weightDecay)) of every weight per step, far too \
        little \
        to matter in a few hundred steps; dropout protects against memorising, and with 800 samples this small model \
        has nothing to memorise yet, so it only slows learning; clipping caps the steps taken on the noisiest batches, \
        and the larger the learning rate, the more those steps cost.
        """, zh: """
        把每一项关掉后，最终验证损失的变化（实测）：裁剪 \(signed(v[1] - v[0]))，权重衰减 \(signed(v[2] - v[0]))，\
        dropout \(signed(v[3] - v[0]))，三者全关 \(signed(v[4] - v[0]))；学习率×10 时关掉裁剪 \(signed(v[6] - v[5]))。\
        原因：AdamW 的衰减每一步只去掉每个权重的 lr·λ = \
        \(String(format: "%.0e", settings.learningRate * settings.weightDecay))，\
        几百步内根本看不出来；dropout 防的是死记硬背，而 800 个样本对这个小模型来说还没什么可背的，它只会让学习变慢；\
        裁剪限制的是最嘈杂那几批数据上迈出的步子，学习率越大，这些步子的代价越大。
        """)
    let line = results.map { $0.variant.name(lesson.language) + String(format: " %.4f", $0.run.last.validationLoss) }
    lesson.headline(en: "comparisons, final validation loss: " + line.joined(separator: " · "),
                    zh: "对比实验的最终验证损失：" + line.joined(separator: " · "))
}
