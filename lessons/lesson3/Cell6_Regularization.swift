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
    let base = TrainingConfig(optimizer: .adam, learningRate: 0.01, steps: regularizationSteps, batchSize: 100,
        seed: seed)
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
                                 nearZero: all.filter { Swift.abs($0) < nearZeroThreshold }.count,
                                     weightCount: all.count,
                                 validCurve: run.validCurve, curveSteps: run.curveSteps)
    }
}

// MARK: - Cell 6: regularization — no learning by rote

func cell6Regularization(_ lesson: Lesson, _ settings: Settings) {
    lesson.cell(6)
    lesson.say(en: """
        Now a student who can memorise: 7,360 weights, only 100 training samples, and every label \
        carries noise (std 1.0). Without help it could recite the training answers, noise included, \
        which would not help on the 200 clean validation samples (the first row below measures it). \
        L2 (λ·Σw²) pulls every weight towards zero in proportion to its size; L1 (λ·Σ|w|) pulls with \
        constant force, so small weights reach zero (sparsity); AdamW shrinks every weight by lr·λ each step, \
        outside Adam's scaling; dropout \
        switches random hidden units off so no single unit can hold a memorised answer.
        """, zh: """
        现在换一个会死记硬背的学生：7,360 个权重，只有 100 个训练样本，而且每个标签都带噪声（标准差 1.0）。\
        不加约束时，它可能把训练题的答案连同噪声一起背下来，而这对 200 个干净的验证样本毫无帮助\
        （下表第一行就是实测）。L2（λ·Σw²）按大小把每个权重拉向 0；\
        L1（λ·Σ|w|）用恒定的力拉，小权重会变成 0（稀疏）；AdamW 每步把每个权重缩小 lr·λ，不受 Adam 缩放的影响；\
        dropout 随机关掉隐藏单元，任何一个单元都没法独自记住答案。
        """)
    let perSeed = overSeeds(lesson, Localized(en: "cell 6: regularizers", zh: "第 6 格：正则化")) {
        compareRegularizers(seed: $0, weightDecay: settings.weightDecay, dropout: settings.dropout)
    }
    let rows = perSeed[0]
    func sample(_ k: Int, _ value: (RegularizationRow) -> Float) -> SeedSample {
        SeedSample(perSeed.map { Double(value($0[k])) })
    }
    let train = rows.indices.map { k in sample(k) { $0.trainLoss } }
    let valid = rows.indices.map { k in sample(k) { $0.validLoss } }
    let gap = rows.indices.map { k in sample(k) { $0.gap } }
    let norm = rows.indices.map { k in sample(k) { $0.weightNorm } }
    let sparse = rows.indices.map { k in sample(k) { Float($0.nearZero) / Float($0.weightCount) } }
    var table = Table([lesson.tr(en: "regularizer", zh: "正则化"), lesson.tr(en: "train loss", zh: "训练损失"),
                       lesson.tr(en: "valid loss", zh: "验证损失"), lesson.tr(en: "gap", zh: "差距"), "‖W‖",
                       "|w| < 0.01"])
    for (k, r) in rows.enumerated() {
        func cell(_ s: SeedSample) -> TableCell { .number(meanSpread(s, lesson.language)) }
        table.append([.text(lesson.tr(en: r.name, zh: r.nameZh)), cell(train[k]), cell(valid[k]), cell(gap[k]),
                      cell(norm[k]), .text(percent(sparse[k].mean, 0))])
    }
    lesson.say(en: "Mean ± spread over \(seedRange(lesson).en):", zh: "\(seedRange(lesson).zh) 上的均值 ± 波动：")
    lesson.table(table)
    lesson.plot(LineChart(title: lesson.tr(en: "validation loss per step, seed \(lesson.seeds[0])",
                                           zh: "每步的验证损失，随机种子 \(lesson.seeds[0])"),
                          series: rows.map { .init(lesson.tr(en: $0.name, zh: $0.nameZh), $0.validCurve,
                                                   x: $0.curveSteps.map(Float.init)) },
                          xLabel: lesson.tr(en: "step", zh: "步数")))
    // Did the unregularized student memorise? Its training loss (on the noisy labels) against its
    // validation loss (clean labels), seed by seed.
    let noneNumbers = Localized(
        en: "training \(meanSpread(train[0], .en)) against validation \(meanSpread(valid[0], .en))",
        zh: "训练 \(meanSpread(train[0], .zh)) 对验证 \(meanSpread(valid[0], .zh))")
    lesson.conclude("lesson3.reg.noneMemorises", Comparison(train[0], valid[0]),
        lower: Localized(en: "Without regularization it recites the noisy training answers (\(noneNumbers.en)): "
                             + "what it memorised is noise, and it does not carry over to the clean exam.",
                         zh: "不加正则时，它背下了带噪声的训练答案（\(noneNumbers.zh)）：背下的是噪声，换到干净的考"
                             + "题上就没用了。"),
        higher: Localized(en: "Without regularization the training loss stays above the validation loss "
                              + "(\(noneNumbers.en)): at this budget it did not memorise the noisy answers.",
                          zh: "不加正则时，训练损失仍高于验证损失（\(noneNumbers.zh)）：在这个训练量下它没有背下带噪"
                              + "声的答案。"),
        noDifference: noDifference(Localized(en: "Without regularization, training against validation loss",
                                             zh: "不加正则时，训练损失对验证损失"), Comparison(train[0], valid[0])),
        diverged: Localized(en: "A run without regularization diverged: no comparison.",
                            zh: "不加正则的某次训练发散了：无法比较。"))
    let plain = rows[0].bestValidation
    let best = SeedSample(perSeed.map { Double($0[0].bestValidation.loss) })
    lesson.conclude("lesson3.reg.plainPassesItsMinimum", Comparison(valid[0], best),
        lower: Localized(en: "The plain run ends below its own best validation "
            + "loss.", zh: "不加正则的训练最后低于它自己的最低验证损失。"),
        higher: Localized(
            en: "Without regularization the validation loss bottoms out early (seed \(lesson.seeds[0]): step "
                + "\(plain.step), \(significant(plain.loss))) and ends higher (\(meanSpread(valid[0], .en)) against a "
                + "minimum of "
                + "\(meanSpread(best, .en))): the later steps memorised noise. Lesson 4 stops at such a minimum (early "
                + "stopping); the regularizers here change what the later steps learn instead.",
            zh: "不加正则时，验证损失很早就到了最低点（随机种子 \(lesson.seeds[0])：第 \(plain.step) 步，"
                + "\(significant(plain.loss))），最后却更高（\(meanSpread(valid[0], .zh)) 对最低点 "
                + "\(meanSpread(best, .zh))）："
                + "之后那些步只是在背噪声。第四课会在这样的最低点停下（早停）；这里的正则化则改变了之后那些步学到的"
                    + "东西。"),
        noDifference: noDifference(Localized(en: "The plain run's final validation loss against its minimum",
                                             zh: "不加正则时最终验证损失与其最低点的比较")),
        diverged: Localized(en: "The plain run diverged.", zh: "不加正则的训练发散了。"))
    lesson.plot(BarChart(title: lesson.tr(en: "final validation loss, mean of \(lesson.seeds.count) seeds (lower is "
        + "better)",
                                          zh: "最终验证损失，\(lesson.seeds.count) 个随机种子的均值（越低越好）"),
                         bars: rows.indices.map { (lesson.tr(en: rows[$0].name, zh: rows[$0].nameZh),
                             Float(valid[$0].mean)) }))
    for k in rows.indices.dropFirst() {
        let (name, nameZh) = (rows[k].name, rows[k].nameZh)
        let why: Localized = k == 2
            ? Localized(en: " Why: the target is the mean of all 50 inputs, so every input matters and "
                            + "\"select a few features\" (L1 switched \(percent(sparse[2].mean, 0)) of the weights "
                            + "off) is the wrong prior here. A regularizer encodes a belief about the answer.",
                        zh: "原因：目标是全部 50 个输入的平均，每个输入都有用，“只挑几个特征”（L1 关掉了 "
                            + "\(percent(sparse[2].mean, 0)) "
                                + "的权重）在这里是错误的先验。正则化代表了对答案的一种假设。")
            : ""
        lesson.conclude("lesson3.reg.\(["none", "l2", "l1", "adamw", "dropout"][k])VsNone", Comparison(valid[k],
            valid[0]),
            lower: Localized(en: "\(name) validates better than no regularization (\(meanSpread(valid[k], .en)) "
                                 + "against \(meanSpread(valid[0], .en))).",
                             zh: "\(nameZh) 的验证损失低于不加正则（\(meanSpread(valid[k], .zh)) 对 "
                                 + "\(meanSpread(valid[0], .zh))）。"),
            higher: Localized(en: "\(name) validates worse than no regularization (\(meanSpread(valid[k], .en)) "
                                  + "against \(meanSpread(valid[0], .en))).\(why.en)",
                              zh: "\(nameZh) 的验证损失高于不加正则（\(meanSpread(valid[k], .zh)) 对 "
                                  + "\(meanSpread(valid[0], .zh))）。\(why.zh)"),
            noDifference: noDifference(Localized(en: "\(name) against no regularization",
                                                 zh: "\(nameZh) 与不加正则的比较")),
            diverged: Localized(en: "A run with \(name) diverged: no comparison.", zh: "\(nameZh) "
                + "的某次训练发散了：无法比较。"))
    }
    let bestIndex = rows.indices.dropFirst().min { valid[$0].mean < valid[$1].mean }!
    let bestClaim = "lesson3.reg.\(["none", "l2", "l1", "adamw", "dropout"][bestIndex])VsNone"
    let bestText = lesson.meanSpread(valid[bestIndex], verdictOf: bestClaim, against: Localized(en: "none", zh: "不"
        + "加正则"))
    lesson.headline(en: "cell 6: over \(lesson.seeds.count) seeds, valid loss: none \(meanSpread(valid[0], .en)); "
        + "lowest mean, "
                        + "\(rows[bestIndex].name): \(bestText); L1 left "
                        + "\(percent(sparse[2].mean, 0)) of \(grouped(rows[2].weightCount)) weights near 0",
                    zh: "第 6 格：\(lesson.seeds.count) 个随机种子，验证损失：不加正则 "
                        + "\(meanSpread(valid[0], .zh))；均值最低的是 "
                        + "\(rows[bestIndex].nameZh)：\(bestText)；L1 让 "
                        + "\(grouped(rows[2].weightCount)) 个权重中的 \(percent(sparse[2].mean, 0)) 接近 0")
}
