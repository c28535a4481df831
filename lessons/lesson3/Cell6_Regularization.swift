import Engine
import LessonKit

// Cell 6: regularization — no learning by rote.

/// One regularizer's result on the small noisy problem.
struct RegularizationRow {
    let name: String
    let nameZh: String
    let trainLoss: Float
    let validLoss: Float
    /// valid - train: how much was memorised rather than understood.
    var gap: Float { validLoss - trainLoss }
    /// ‖W‖ over all weight matrices.
    let weightNorm: Float
    /// Weights with |w| < `nearZero`, and all weights.
    let nearZero: Int
    let weightCount: Int
    /// Validation MSE every 10 steps (step 0 first).
    let validCurve: [Float]
    let curveSteps: [Int]
    /// The lowest point of the validation curve and its step (where early stopping would stop).
    var bestValidation: (step: Int, loss: Float) {
        let i = validCurve.indices.min { validCurve[$0] < validCurve[$1] }!
        return (curveSteps[i], validCurve[i])
    }
}

/// |w| below this counts as "switched off" (Adam never lands exactly on 0: it hovers within ~lr).
let nearZeroThreshold: Float = 0.01
let regularizationSteps = 300
/// The penalties' strengths, chosen by a small sweep on this problem.
let l2Strength: Float = 0.003
let l1Strength: Float = 0.001

/// Trains an over-sized MLP (50 -> 64 -> 64 -> 1, 7,360 weights) on 100 noisy samples, full batch,
/// Adam lr 0.01, 300 steps: once plain, then with each regularizer.
func compareRegularizers(seed: UInt64, weightDecay: Double, dropout: Float) -> [RegularizationRow] {
    let problem = makeSmallNoisyProblem(seed: seed, trainSamples: 100, noise: 1.0)
    let base = TrainingConfig(optimizer: .adam, learningRate: 0.01, steps: regularizationSteps, batchSize: 100, seed: seed)
    var l2 = base, l1 = base, decoupled = base
    l2.l2 = l2Strength
    l1.l1 = l1Strength
    decoupled.optimizer = .adamw
    decoupled.weightDecay = weightDecay
    let decay = String(format: "%g", weightDecay), p = String(format: "%g", dropout)
    let plan: [(String, String, TrainingConfig, Float)] = [
        ("none", "不加正则", base, 0),
        ("L2 penalty λ=\(l2Strength)", "L2 惩罚 λ=\(l2Strength)", l2, 0),
        ("L1 penalty λ=\(l1Strength)", "L1 惩罚 λ=\(l1Strength)", l1, 0),
        ("AdamW decay \(decay)", "AdamW 衰减 \(decay)", decoupled, 0),
        ("dropout p=\(p)", "dropout p=\(p)", base, dropout),
    ]
    return plan.map { name, nameZh, config, p in
        let model = MLP(sizes: [problem.features, 64, 64, 1], dropout: p, seed: seed)
        let run = train(model, on: problem, config)
        let all = model.weights.flatMap(\.scalars)
        return RegularizationRow(name: name, nameZh: nameZh, trainLoss: run.trainLoss, validLoss: run.validLoss,
                                 weightNorm: model.weightNorm(),
                                 nearZero: all.filter { Swift.abs($0) < nearZeroThreshold }.count, weightCount: all.count,
                                 validCurve: run.validCurve, curveSteps: run.curveSteps)
    }
}

// MARK: - Cell 6: regularization — no learning by rote

func cell6Regularization(_ lesson: Lesson, _ settings: Settings) {
    lesson.step(en: "Regularization: no learning by rote", zh: "正则化：不许死记硬背")
    lesson.say(en: """
        Now a student who can memorise: 7,360 weights, only 100 training samples, and every label \
        carries noise (std 1.0). Without help it recites the training answers perfectly and does \
        badly on the 200 clean validation samples. L2 (λ·Σw²) pulls every weight towards zero in \
        proportion to its size; L1 (λ·Σ|w|) pulls with constant force, so small weights reach zero \
        (sparsity); AdamW shrinks every weight by lr·λ each step, outside Adam's scaling; dropout \
        switches random hidden units off so no single unit can hold a memorised answer.
        """, zh: """
        现在换一个会死记硬背的学生：7,360 个权重，只有 100 个训练样本，而且每个标签都带噪声（标准差 1.0）。\
        不加约束时，它把训练题的答案背得一字不差，在 200 个干净的验证样本上却考得很差。L2（λ·Σw²）按大小把每个权重拉向 \
        0；\
        L1（λ·Σ|w|）用恒定的力拉，小权重会变成 0（稀疏）；AdamW 每步把每个权重缩小 lr·λ，不受 Adam 缩放的影响；\
        dropout 随机关掉隐藏单元，任何一个单元都没法独自记住答案。
        """)
    let rows = compareRegularizers(seed: settings.seed, weightDecay: settings.weightDecay, dropout: settings.dropout)
    var table = Table([lesson.tr(en: "regularizer", zh: "正则化"), lesson.tr(en: "train loss", zh: "训练损失"),
                       lesson.tr(en: "valid loss", zh: "验证损失"), lesson.tr(en: "gap", zh: "差距"), "‖W‖",
                       lesson.tr(en: "|w| < 0.01", zh: "|w| < 0.01")])
    for r in rows {
        table.append([.text(lesson.tr(en: r.name,
                                      zh: r.nameZh)), .number(Double(r.trainLoss), format: "%.4g"), .number(Double(r.validLoss)),
                      .number(Double(r.gap)), .number(Double(r.weightNorm), format: "%.2f"),
                      .text("\(r.nearZero) " +
                            "(\(String(format: "%.0f", Double(r.nearZero) / Double(r.weightCount) * 100)) %)")])
    }
    lesson.table(table)
    lesson.plot(LineChart(title: lesson.tr(en: "validation loss per step", zh: "每步的验证损失"),
                          series: rows.map { .init(lesson.tr(en: $0.name, zh: $0.nameZh), $0.validCurve,
                                                   x: $0.curveSteps.map(Float.init)) },
                          xLabel: lesson.tr(en: "step", zh: "步数")))
    let plain = rows[0].bestValidation
    lesson.say(en: """
        Without regularization the validation loss is lowest at step \(plain.step) (\(significant(plain.loss))) and \
        ends at \(significant(rows[0].validLoss)): every later step only memorised noise. Lesson 4 stops at such a \
        minimum (early stopping); the regularizers here change what the later steps learn instead.
        """, zh: """
        不加正则时，验证损失在第 \(plain.step) 步最低（\(significant(plain.loss))），最后是 \
        \(significant(rows[0].validLoss))：\
        之后的每一步都只是在背噪声。第四课会在这样的最低点停下（早停）；这里的正则化则改变了之后那些步学到的东西。
        """)
    lesson.plot(BarChart(title: lesson.tr(en: "final validation loss (lower is better)",
                                          zh: "最终验证损失（越低越好）"),
                         bars: rows.map { (lesson.tr(en: $0.name, zh: $0.nameZh), $0.validLoss) }))
    lesson.say(en: """
        L1 switched most weights off, yet validates worst: the target is the mean of all 50 inputs, \
        so every input matters and "select a few features" is the wrong prior here. A regularizer \
        encodes a belief about the answer; pick the one that fits the problem.
        """, zh: """
        L1 关掉了绝大多数权重，验证损失却最差：目标是全部 50 \
        个输入的平均，每个输入都有用，"只挑几个特征"在这里是错误的先验。\
        正则化代表了对答案的一种假设，要选和问题相符的那一种。
        """)
    let none = rows[0]
    let best = rows.dropFirst().min { $0.validLoss < $1.validLoss }!
    lesson.headline(en: "cell 6: no regularization: gap \(significant(none.gap)), ‖W‖ " +
                        "\(significant(none.weightNorm)); best, \(best.name): "
                        + "gap \(significant(best.gap)), ‖W‖ \(significant(best.weightNorm)); L1 left " +
                          "\(rows[2].nearZero) of \(rows[2].weightCount) weights near 0",
                    zh: "第 6 格：不加正则：差距 \(significant(none.gap))，‖W‖ " +
                        "\(significant(none.weightNorm))；最好的是 \(best.nameZh)："
                        + "差距 \(significant(best.gap))，‖W‖ \(significant(best.weightNorm))；L1 让 " +
                          "\(rows[2].weightCount) 个权重中的 \(rows[2].nearZero) 个接近 0")
}
