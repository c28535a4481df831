import Engine
import LessonKit

// Cell 5: Overfitting — shown with little data and a big model, then fixed.

/// The overfitting experiment and its fixes, each a full training run with validation.
struct OverfitExperiment {
    /// The seed's model, no dropout, no weight decay, `trainSize` samples: it memorises.
    let overfit: RunRecord
    /// Fix 1a, regularization by weight decay: the same run with a strong decay.
    let weightDecayed: RunRecord
    /// Fix 1b, regularization by dropout: the same run with dropout.
    let droppedOut: RunRecord
    /// Fix 2, a simpler model: `ModelSize.small` on the same few samples.
    let smaller: RunRecord
    /// Fix 3, more data: all 800 training samples, (about) the same number of gradient steps.
    let moreData: RunRecord
    /// Fix 4, early stopping: the overfitting run's best epoch, weights restored and re-evaluated.
    let earlyStopped: EarlyStoppingSummary
}

/// The settings of the overfitting run: the seed's, minus every regularizer.
func overfitSettings(_ base: Settings, epochs: Int) -> Settings {
    var s = base
    s.epochs = epochs
    s.dropout = 0
    s.weightDecay = 0
    s.stopEarly = false
    return s
}

/// Dropout and weight decay strengths of fix 1. The seed's decay (1e-4) removes lr·λ = 1e-7 of each
/// weight per step, nothing in 40 steps; λ = 10 removes 1 % per step.
let fixDropout = 0.3
let fixWeightDecay = 10.0

/// Runs the experiment: first `trainSize` training samples, `epochs` epochs for the small-data runs.
func runOverfitExperiment(data: LessonData, trainSize: Int, epochs: Int, base: Settings) -> OverfitExperiment {
    let few = data.train.subset(Array(0..<trainSize))   // the split is already shuffled
    let plain = overfitSettings(base, epochs: epochs)
    let overfitRun = trainWithValidation(train: few, validation: data.validation, settings: plain)
    let overfit = overfitRun.record
    let earlyStopped = summarizeEarlyStopping(overfit, model: overfitRun.model, validation: data.validation)

    var decaySettings = plain
    decaySettings.weightDecay = fixWeightDecay
    let weightDecayed = trainWithValidation(train: few, validation: data.validation, settings: decaySettings).record

    var dropoutSettings = plain
    dropoutSettings.dropout = fixDropout
    let droppedOut = trainWithValidation(train: few, validation: data.validation, settings: dropoutSettings).record

    var smallerSettings = plain
    smallerSettings.model = .small
    let smaller = trainWithValidation(train: few, validation: data.validation, settings: smallerSettings).record

    // Same number of gradient steps as the small-data run, spread over all 800 samples.
    let stepsPerEpochFew = (trainSize + base.batchSize - 1) / base.batchSize
    let stepsPerEpochAll = (data.train.count + base.batchSize - 1) / base.batchSize
    var moreDataSettings = plain
    moreDataSettings.epochs = Swift.max(1, (epochs * stepsPerEpochFew + stepsPerEpochAll - 1) / stepsPerEpochAll)
    let moreData = trainWithValidation(train: data.train, validation: data.validation, settings: moreDataSettings).record

    return OverfitExperiment(overfit: overfit, weightDecayed: weightDecayed, droppedOut: droppedOut,
                             smaller: smaller, moreData: moreData, earlyStopped: earlyStopped)
}

// MARK: - Cell 5: Overfitting — shown with little data and a big model, then fixed

func cell5Overfitting(_ lesson: Lesson, data: LessonData, fullRun: RunRecord, settings: Settings) {
    lesson.heading(en: "Cell 5 · Overfitting: perfect on the exercises, failing the exam",
                   zh: "第 5 格 · 过拟合：练习题全对，考试不及格")
    let trainSize = lesson.flags.int("train-size"), epochs = lesson.flags.int("overfit-epochs")
    lesson.say(en: """
        The seed's table: overfitting comes from too little data and a model too complex. So we give the seed's \
        191,873-parameter model only \(trainSize) training samples and no regularization at all (dropout 0, weight \
        decay 0), for \(epochs) epochs, and mark the same 100-sample weekly exam after each.
        """, zh: """
        种子的表格说：过拟合来自数据太少、模型太复杂。于是我们只给种子那个 191,873 个参数的模型 \(trainSize) \
        个训练样本，\
        完全不加正则化（dropout 0，权重衰减 0），训练 \(epochs) 轮，每轮后用同一份 100 个样本的周考打分。
        """)
    lesson.step(en: "Overfit on purpose", zh: "故意过拟合")
    let ex = runOverfitExperiment(data: data, trainSize: trainSize, epochs: epochs, base: settings)
    let o = ex.overfit
    lesson.plot(LineChart(title: lesson.tr(en: "\(trainSize) samples, no regularization",
                                           zh: "\(trainSize) 个样本，无正则化"),
                          series: [.init(lesson.tr(en: "train", zh: "训练"), o.trainLosses),
                                   .init(lesson.tr(en: "validation", zh: "验证"), o.validationLosses)],
                          xLabel: lesson.tr(en: "epoch", zh: "轮"), yLabel: "MSE", logScale: true))
    lesson.headline(en: String(format: "overfitting: training loss %.4f, validation loss %.4f (best %.4f at epoch " +
                                       "%d), gap %.4f",
                               o.last.trainLoss, o.last.validationLoss, o.bestValidationLoss, o.bestEpoch, o.finalGap),
                    zh: String(format: "过拟合：训练损失 %.4f，验证损失 %.4f（最佳 %.4f，第 %d 轮），差距 %.4f",
                               o.last.trainLoss, o.last.validationLoss, o.bestValidationLoss, o.bestEpoch, o.finalGap))
    let climbed = o.last.validationLoss - o.bestValidationLoss
    lesson.say(en: """
        The symptom in numbers: the training loss fell to \(String(format: "%.4f", o.last.trainLoss)) (the model has \
        memorised its \(trainSize) answers) while the validation loss bottomed out at epoch \(o.bestEpoch) and then \
        rose \
        by \(String(format: "%.4f", climbed)). Compare the full run of cell 3, \(data.train.count) samples with the \
        seed's regularization: gap \(String(format: "%.4f", fullRun.finalGap)).
        """, zh: """
        数字上的症状：训练损失降到 \(String(format: "%.4f", o.last.trainLoss))（模型把 \(trainSize) 个答案背下来了），\
        验证损失却在第 \(o.bestEpoch) 轮见底，之后又上升了 \(String(format: "%.4f", climbed))。对比第 3 格的完整训练\
        （\(data.train.count) 个样本，带种子的正则化）：差距只有 \(String(format: "%.4f", fullRun.finalGap))。
        """)

    lesson.say(en: "Now the seed's fixes, one at a time, each on the same exam:",
               zh: "现在逐一试种子给的药方，每个都用同一份周考打分：")
    var table = Table([lesson.tr(en: "fix", zh: "药方"), lesson.tr(en: "train loss", zh: "训练损失"),
                       lesson.tr(en: "valid loss", zh: "验证损失"), lesson.tr(en: "gap", zh: "差距")],
                      title: lesson.tr(en: "validation loss at the end of each run (early stopping: at its best epoch)",
                                       zh: "每次训练结束时的验证损失（早停：取最佳那一轮）"))
    func row(_ name: String, _ r: RunRecord) {
        table.append([.text(name), .number(r.last.trainLoss), .number(r.last.validationLoss), .number(r.finalGap)])
    }
    row(lesson.tr(en: "none (overfitting)", zh: "不治（过拟合）"), o)
    row(lesson.tr(en: "regularization: weight decay λ = \(fixWeightDecay)",
                  zh: "正则化：权重衰减 λ = \(fixWeightDecay)"), ex.weightDecayed)
    row(lesson.tr(en: "regularization: dropout \(fixDropout)", zh: "正则化：dropout \(fixDropout)"), ex.droppedOut)
    row(lesson.tr(en: "simpler model (\(ex.smaller.settings.model.modelDimensions)-wide, 1 layer)",
                  zh: "更简单的模型（宽 \(ex.smaller.settings.model.modelDimensions)，1 层）"), ex.smaller)
    let fewSteps = o.epochs.reduce(0) { $0 + $1.steps }, manySteps = ex.moreData.epochs.reduce(0) { $0 + $1.steps }
    row(lesson.tr(en: "more data: \(data.train.count) samples, \(manySteps) steps (vs \(fewSteps))",
                  zh: "更多数据：\(data.train.count) 个样本，\(manySteps) 步（对比 \(fewSteps) 步）"), ex.moreData)
    let es = ex.earlyStopped
    let stopText = es.stopEpoch.map { lesson.tr(en: "stops at \($0), ", zh: "第 \($0) 轮停下，") } ?? ""
    table.append([.text(lesson.tr(en: "early stopping: \(stopText)epoch \(es.bestEpoch) restored",
                                  zh: "早停：\(stopText)恢复第 \(es.bestEpoch) 轮的权重")),
                  .number(o.epochs[es.bestEpoch - 1].trainLoss), .number(es.restoredValidationLoss),
                  .number(es.restoredValidationLoss - o.epochs[es.bestEpoch - 1].trainLoss)])
    lesson.table(table)
    let smallCount = makeModel(.small, dropout: 0, seed: 0).parameterCount()
    let decayRatio = Int(fixWeightDecay / Settings().weightDecay)
    lesson.say(en: """
        Read the table against the seed's advice. More data is the real cure. Regularization and early stopping \
        limit the damage without removing it; note that weight decay had to be λ = \(fixWeightDecay), \
        \(decayRatio) times the seed's, to act within \(fewSteps) steps, and that it lowers the validation loss \
        while the training loss stays near zero: the model still fits every exercise, but with smaller weights, \
        so its answers in between are smoother. A "simpler model" helps only if it is simple *relative to the \
        data*: the small network still has \(smallCount) weights for \(trainSize) samples, and memorises them just \
        as well.
        """, zh: """
        对照种子的建议来读这张表：更多数据才是根治；正则化和早停能减轻损害，但去不了根。注意权重衰减要开到 \
        λ = \(fixWeightDecay)（种子的 \(decayRatio) 倍）才能在 \(fewSteps) 步内起作用；而且它降低了验证损失，\
        训练损失却仍接近零：模型照样做对每一道练习题，只是权重更小，题与题之间的答案更平滑。\
        “更简单的模型”只有在*相对数据而言*足够简单时才有用：这个小网络仍有 \(smallCount) 个权重，\
        只对应 \(trainSize) 个样本，照样能全背下来。
        """)
    let losses: [CVarArg] = [o.last.validationLoss, ex.weightDecayed.last.validationLoss,
                             ex.droppedOut.last.validationLoss, ex.smaller.last.validationLoss,
                             ex.moreData.last.validationLoss, es.restoredValidationLoss]
    lesson.headline(
        en: String(format: "fixes, validation loss: none %.4f · weight decay %.4f · dropout %.4f · "
                   + "simpler model %.4f · more data %.4f · early stopping %.4f", arguments: losses),
        zh: String(format: "各药方的验证损失：不治 %.4f · 权重衰减 %.4f · dropout %.4f · "
                   + "更简单的模型 %.4f · 更多数据 %.4f · 早停 %.4f", arguments: losses))
}
