import Engine
import Foundation
import LessonKit

// Cell 11: where regularization lives in the architecture. Dropout is a layer, so it has places;
// weight decay is the optimizer's, and acts on every parameter the optimizer is given.

/// One dropout site of the seed's model, in forward order.
struct DropoutSite {
    let path: String
    let p: Float
    let role: Localized
}

/// Every place dropout acts, in the order the forward pass meets them: 1 + 4 per encoder layer + 1.
func dropoutSites(_ model: TransformerEncoderRegressor) -> [DropoutSite] {
    var sites = [DropoutSite(path: "pos_encoder.dropout", p: model.posEncoder.dropout.p,
                             role: Localized(en: "after adding the positional table", zh: "加上位置编码之后"))]
    for (i, layer) in model.encoder.layers.enumerated() {
        let prefix = "encoder.layers.\(i)."
        sites += [
            DropoutSite(path: prefix + "self_attn", p: layer.selfAttn.dropout,
                        role: Localized(en: "on the attention weights (inside softmax·V)",
                                        zh: "注意力权重上（softmax·V 内部）")),
            DropoutSite(path: prefix + "dropout1", p: layer.dropout1.p,
                        role: Localized(en: "after attention, before the residual add",
                                        zh: "注意力之后、残差相加之前")),
            DropoutSite(path: prefix + "dropout", p: layer.dropout.p,
                        role: Localized(en: "inside the feed-forward, after ReLU", zh: "前馈网络内部、ReLU 之后")),
            DropoutSite(path: prefix + "dropout2", p: layer.dropout2.p,
                        role: Localized(en: "after the feed-forward, before the residual add",
                                        zh: "前馈网络之后、残差相加之前")),
        ]
    }
    let headDropout = model.outputLayer.children.first { $0.module is Dropout }!
    sites.append(DropoutSite(path: "output_layer." + headDropout.name, p: (headDropout.module as! Dropout).p,
                             role: Localized(en: "in the head, after ReLU", zh: "输出头中、ReLU 之后")))
    return sites
}

/// How dropout makes train() and eval() differ, measured on the first batch.
struct ModeComparison {
    /// max |Δŷ| between two train-mode calls (different dropout masks).
    let trainVsTrain: Float
    /// max |Δŷ| between two eval-mode calls (exactly 0: deterministic).
    let evalVsEval: Float
    /// max |Δŷ| between a train-mode and an eval-mode call.
    let trainVsEval: Float
    /// Dropout(0.1) in training mode on a [32, 5, 64] tensor of ones: the fraction zeroed ...
    let zeroedFraction: Float
    /// ... and the value the survivors are scaled to, 1/(1 - p).
    let survivorValue: Float
}

func compareModes(_ settings: Settings) -> ModeComparison {
    let (data, model) = makeSeedDataAndModel(settings)
    let x = firstBatch(data).x
    manualSeed(settings.seed)            // the dropout masks come from the default generator
    return withNoGrad {
        model.train()
        let t1 = model(x), t2 = model(x)
        model.eval()
        let e1 = model(x), e2 = model(x)
        let dropout = Dropout(p: model.posEncoder.dropout.p, generator: Generator(seed: settings.seed))
        let dropped = dropout(Tensor.ones([32, 5, 64])).scalars
        let zeros = dropped.filter { $0 == 0 }.count
        return ModeComparison(trainVsTrain: maxAbsDifference(t1, t2), evalVsEval: maxAbsDifference(e1, e2),
                              trainVsEval: maxAbsDifference(t1, e1),
                              zeroedFraction: Float(zeros) / Float(dropped.count),
                              survivorValue: dropped.first { $0 != 0 }!)
    }
}

/// Parameters as weight decay sees them: matrices, and vectors (biases, layer-norm γ and β).
/// AdamW as the seed calls it (`AdamW(model.parameters(), weight_decay=1e-4)`) decays both.
func decayGroups(_ model: TransformerEncoderRegressor) -> (matrices: Int, vectors: Int) {
    let parameters = model.parameters()
    return (parameters.filter { $0.rank >= 2 }.reduce(0) { $0 + $1.count },
            parameters.filter { $0.rank < 2 }.reduce(0) { $0 + $1.count })
}

// MARK: - Cell 11: dropout and weight decay in the architecture

func cell11DropoutAndDecay(_ lesson: Lesson, _ settings: Settings) {
    let (_, model) = makeSeedDataAndModel(settings)
    lesson.cell(11)
    lesson.say(en: """
        Regularization keeps the model from memorising. Dropout is part of the architecture: the \
        blog post's model zeroes 10 % of the values at each of these places, in training only:
        """, zh: """
        正则化让模型不去死记硬背。dropout 是架构的一部分：原文模型在下面每个位置随机把 10 % 的值置零，只在训练时生效：
        """)
    let sites = dropoutSites(model)
    var table = Table([lesson.tr(en: "site", zh: "位置"), "p", lesson.tr(en: "where", zh: "作用于")])
    for s in sites {
        table.append([.text(s.path), .number(Double(s.p), format: "%.2f"), .text(s.role(lesson.language))])
    }
    lesson.table(table)
    let modes = compareModes(settings)
    let p = model.posEncoder.dropout.p
    lesson.say(en: """
        What one site does, on a [32, 5, 64] tensor of ones in training mode: \
        \(fixed(100 * modes.zeroedFraction, 1)) % of the values become 0, and the survivors become \
        \(fixed(modes.survivorValue)) = 1/(1 - \(fixed(p, 1))), so the expected value stays 1 and eval() \
        can simply pass values through.
        """, zh: """
        单个位置的作用：训练模式下对一个 [32, 5, 64] 的全 1 张量做 dropout，\(fixed(100 * modes.zeroedFraction, 1)) % \
        的值变成 0，留下的值变成 \(fixed(modes.survivorValue)) = 1/(1 - \(fixed(p, 1)))，\
        因此期望值仍是 1，eval() 时直接原样通过即可。
        """)
    let offBy = Double(Swift.abs(modes.zeroedFraction - p))
    lesson.conclude("lesson2.dropout.zeroedFractionNearP", .threshold(value: offBy, relation: .below, limit: 0.02), [
        "true": Localized(en: "Within 2 points of p = \(fixed(p, 2)): of 10,240 draws, "
                            + "each zeroed with probability p, " +
                              "the fraction is close to p.",
                          zh: "与 p = \(fixed(p, 2)) 相差不到 2 个百分点：10,240 次抽样、每次以概率 p "
                              + "置零，比例接近 p。"),
        "false": Localized(en: "More than 2 points away from p = \(fixed(p, 2)): far more than chance explains " +
                               "for 10,240 draws, so the mask is not drawn with probability p.",
                           zh: "与 p = \(fixed(p, 2)) 相差超过 2 个百分点：10,240 "
                               + "次抽样，偶然性解释不了，掩码并非以概率 p 抽取。"),
        "diverged": Localized(en: "The dropped fraction is not finite.", zh: "置零比例不是有限数。"),
    ])
    let perSeed = overSeeds(lesson, Localized(en: "cell 11: train and eval modes", zh: "第 11 格：训练与评估模式")) {
        var s = settings
        s.seed = $0
        return compareModes(s)
    }
    let trainVsTrain = SeedSample(perSeed.map(\.trainVsTrain)), evalVsEval = SeedSample(perSeed.map(\.evalVsEval))
    let trainVsEval = SeedSample(perSeed.map(\.trainVsEval))
    lesson.say(en: """
        So model.train() and model.eval() are different functions. Two calls on the same batch, \
        largest change of a prediction, mean ± spread over \(perSeed.count) seeds: train vs train \
        \(meanSpread(trainVsTrain, .en)), eval vs eval \(meanSpread(evalVsEval, .en)), train vs eval \
        \(meanSpread(trainVsEval, .en)).
        """, zh: """
        因此 model.train() 与 model.eval() 是两个不同的函数。对同一批数据调用两次，预测值的最大变化\
        （\(perSeed.count) 个随机种子的均值 ± 波动）：训练模式对训练模式 \(meanSpread(trainVsTrain, .zh))，\
        评估模式对评估模式 \(meanSpread(evalVsEval, .zh))，训练对评估 \(meanSpread(trainVsEval, .zh))。
        """)
    lesson.conclude("lesson2.dropout.trainNoisierThanEval", Comparison(trainVsTrain, evalVsEval),
        lower: Localized(en: "Here two train-mode calls agree better than two eval-mode calls: dropout is not " +
                             "acting.",
                         zh: "这里两次训练模式调用反而比两次评估模式调用更一致：dropout 没有起作用。"),
        higher: Localized(en: "Train-mode calls differ from each other by more than the seeds' spread, eval-mode " +
                              "calls do not: forgetting model.eval() before validating makes every validation " +
                              "score noisy.",
                          zh: "训练模式的两次调用之间的差异超出了随机种子间的波动，评估模式则没有：" +
                              "验证前忘记调用 model.eval()，每次验证分数都会带噪声。"),
        noDifference: Localized(en: "Train-mode and eval-mode calls: no measurable difference in how much two calls " +
                                    "disagree, at this number of seeds.",
                                zh: "训练模式与评估模式：在这个随机种子数下，两次调用之间的差异没有可测量的不同。"),
        diverged: Localized(en: "A prediction is not finite.", zh: "有预测值不是有限数。"))
    let groups = decayGroups(model)
    let shrink = pow(1 - 1e-7, 1600.0)
    lesson.say(en: """
        Weight decay is not a layer: AdamW shrinks every parameter it is given by the fraction \
        lr·λ = 1e-3 · 1e-4 = 1e-7 per step, before the gradient step. The blog post's script passes \
        model.parameters(), so all \
        \(grouped(groups.matrices)) matrix weights and also the \(grouped(groups.vectors)) biases and \
        layer-norm values are decayed (many recipes exempt those); the positional table is a buffer, \
        not a parameter, so neither trained nor decayed. Over the script's 50 × 32 = 1,600 steps, decay \
        alone would shrink a weight by a factor (1 - 1e-7)^1600 ≈ \(fixed(shrink, 5)): a gentle pull.
        """, zh: """
        权重衰减不是一层：AdamW 在每一步梯度更新之前，把它管理的每个参数按比例缩小 lr·λ = 1e-3 · 1e-4 = 1e-7。\
        示例脚本传入 model.parameters()，所以 \(grouped(groups.matrices)) 个矩阵权重以及 \(grouped(groups.vectors)) \
        个偏置和层归一化参数都会衰减（很多做法会把后者排除）；位置编码表是缓冲区而不是参数，既不训练也不衰减。\
        在示例脚本的 50 × 32 = 1,600 步里，仅靠衰减会把权重缩小为 (1 - 1e-7)^1600 ≈ \(fixed(shrink, 5)) 倍：力度很温和。
        """)
    // Mean ± spread over seeds; train()'s verdict against eval() comes from its claim above.
    let evalDiff = meanSpread(evalVsEval, lesson.language)
    let trainDiff = lesson.meanSpread(trainVsTrain, verdictOf: "lesson2.dropout.trainNoisierThanEval",
                                      against: "eval()")
    lesson.headline(en: "dropout sites: \(sites.count); two calls' max diff over \(perSeed.count) seeds: eval() "
                        + "\(evalDiff), train() \(trainDiff); decayed parameters: "
                        + "\(grouped(groups.matrices + groups.vectors))",
                    zh: "dropout 位置：\(sites.count) 处；两次调用的最大差（\(perSeed.count) 个随机种子）：eval() "
                        + "\(evalDiff)，train() \(trainDiff)；被衰减的参数："
                        + "\(grouped(groups.matrices + groups.vectors))")
}
