import Engine

// The NaN guard's diagnosis in words. The engine's `TrainingDiverged` holds the facts (where, the
// numbers of that step, the seed's suspects with their evidence); this file says them to a
// student, in both languages.

/// A readable diagnosis of a diverged run:
///
///     Training stopped: the loss is no longer a finite number.
///       epoch 1, step 7, learning rate 1.0, loss inf
///       gradient norm: nan
///       first parameter that went bad: fc1.weight (its gradient)
///     Likely causes:
///       1. Learning rate too large (1.0): each step overshoots …
public func divergenceReport(_ d: TrainingDiverged) -> Localized {
    let what = Localized(en: d.loss.isFinite ? "gradient" : "loss", zh: d.loss.isFinite ? "梯度" : "损失")
    let norm = d.gradientNorm.map { "\($0)" }
    let bad = d.firstBadParameter.map { p in
        Localized(en: "\(p.name) (its \(p.inValue ? "value" : "gradient"))",
                  zh: "\(p.name)（它的\(p.inValue ? "值" : "梯度")）")
    }
    let causes = d.causes.map { causeText($0.cause) }
    func lines(_ l: Language) -> String {
        var lines: [String]
        switch l {
        case .en:
            lines = ["Training stopped: the \(what.en) is no longer a finite number.",
                     "  epoch \(d.epoch), step \(d.step), learning rate \(d.learningRate), loss \(d.loss)",
                     "  gradient norm: \(norm ?? "not computed")",
                     "  first parameter that went bad: \(bad?.en ?? "none yet (only the loss)")",
                     "Likely causes:"]
        case .zh:
            lines = ["训练已停止：\(what.zh)不再是有限的数。",
                     "  第 \(d.epoch) 轮，第 \(d.step) 步，学习率 \(d.learningRate)，损失 \(d.loss)",
                     "  梯度范数：\(norm ?? "未计算")",
                     "  最先坏掉的参数：\(bad?.zh ?? "还没有（只有损失坏了）")",
                     "可能的原因："]
        }
        lines += causes.enumerated().map { "  \($0.offset + 1). \($0.element(l))" }
        return lines.joined(separator: "\n")
    }
    return Localized(en: lines(.en), zh: lines(.zh))
}

/// One suspect in words, with its evidence.
func causeText(_ cause: DivergenceCause) -> Localized {
    switch cause {
    case .learningRate(let rate):
        return Localized(
            en: "Learning rate too large (\(rate)): each step overshoots and the loss grows until it overflows. "
                + "Try 10x smaller (AdamW usually trains Transformers at 1e-4 to 1e-3).",
            zh: "学习率太大（\(rate)）：每一步都迈过了头，损失越来越大直到溢出。"
                + "试试小 10 倍（AdamW 训练 Transformer 通常用 1e-4 到 1e-3）。")
    case .noClipping:
        return Localized(
            en: "No gradient clipping: one exploding gradient can throw the weights to infinity. "
                + "Call clipGradNorm(parameters, maxNorm: 1.0) between backward() and step().",
            zh: "没有梯度裁剪：一次梯度爆炸就能把权重甩到无穷大。"
                + "在 backward() 和 step() 之间调用 clipGradNorm(parameters, maxNorm: 1.0)。")
    case .clipping(let maxNorm):
        return Localized(
            en: "Gradient clipping is on (max norm \(maxNorm)), so a single huge gradient is "
                + "unlikely; a lower threshold can still help.",
            zh: "梯度裁剪已打开（最大范数 \(maxNorm)），单次巨大的梯度不太可能；调低阈值仍可能有帮助。")
    case .unnormalisedData(let batch):
        let en = "Unnormalised data: inputs with large values or spreads give large activations and "
            + "gradients. Standardise them with StandardScaler fitted on the training split."
        let zh = "数据没有标准化：数值或离散程度很大的输入会带来很大的激活值和梯度。"
            + "用在训练集上拟合的 StandardScaler 把它们标准化。"
        guard let batch else { return Localized(en: en, zh: zh) }
        return Localized(en: en + " (this batch: mean \(batch.mean), std \(batch.std))",
                         zh: zh + "（这一批：均值 \(batch.mean)，标准差 \(batch.std)）")
    case .nonFiniteInputs:
        return Localized(
            en: "The input batch itself contains NaN or infinity: clean the data (findMissing, imputeMissing).",
            zh: "输入的这一批本身就含有 NaN 或无穷大：先清洗数据（findMissing、imputeMissing）。")
    }
}
