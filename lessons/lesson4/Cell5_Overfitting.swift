import Engine
import LessonKit

// Cell 5: Overfitting — shown with little data and no regularization, then five fixes, each
// trained on the same seeds and judged against the seed noise.

extension ModelSize {
    /// The "simpler model" of cell 5: about ten times smaller than `small` (4-wide, one head).
    static let tiny = ModelSize(modelDimensions: 4, numHeads: 1, feedForwardDimensions: 8, numLayers: 1,
                                hiddenDimensions: 4)
}

/// The overfitting experiment and its fixes, each trained once per seed.
struct OverfitExperiment {
    let seeds: [UInt64]
    /// `ModelSize.small`, no dropout, no weight decay, `trainSize` samples: it memorises.
    let overfit: SeedRuns
    /// Fix 1, regularization by weight decay: the same runs with a strong decay.
    let weightDecayed: SeedRuns
    /// Fix 2, regularization by dropout.
    let droppedOut: SeedRuns
    /// Fix 3, a simpler model: `ModelSize.tiny` on the same few samples.
    let smaller: SeedRuns
    /// Fix 4, more data: all 800 training samples, (about) the same number of gradient steps.
    let moreData: SeedRuns
    /// Fix 5, early stopping: each overfitting run's best epoch, weights restored and re-evaluated.
    let earlyStopped: [EarlyStoppingSummary]

    /// Early stopping's validation loss per seed (the restored weights, measured afresh).
    var earlyStoppedValidation: SeedSample {
        SeedSample(zip(overfit.runs, earlyStopped).map { run, es in run.diverged ? .nan : es.restoredValidationLoss })
    }
    /// The training loss at early stopping's best epoch, per seed.
    var earlyStoppedTraining: SeedSample {
        SeedSample(zip(overfit.runs, earlyStopped).map { run, es in
            run.diverged || es.bestEpoch < 1 ? .nan : run.epochs[es.bestEpoch - 1].trainLoss
        })
    }
}

/// The settings of the overfitting run: the lesson's, minus every regularizer, on the small model.
func overfitSettings(_ base: Settings, epochs: Int) -> Settings {
    var s = base
    s.epochs = epochs
    s.dropout = 0
    s.weightDecay = 0
    s.stopEarly = false
    s.model = .small
    return s
}

/// Dropout and weight decay strengths of the fixes. The seed's decay (1e-4) removes lr·λ = 1e-7 of
/// each weight per step, nothing in 40 steps; λ = 10 removes 1 % per step.
let fixDropout = 0.3
let fixWeightDecay = 10.0

/// Runs the experiment on every seed: the first `trainSize` training samples, `epochs` epochs for
/// the small-data runs, all runs concurrently. `progress` is told after each run (runs done, in all).
func runOverfitExperiment(data: LessonData, trainSize: Int, epochs: Int, base: Settings, seeds: [UInt64],
                          progress: (Int, Int) -> Void = { _, _ in }) -> OverfitExperiment {
    let few = data.train.subset(Array(0..<trainSize))   // the split is already shuffled
    let plain = overfitSettings(base, epochs: epochs)
    // More data: the same number of gradient steps as the small-data runs, spread over all 800 samples.
    let stepsPerEpochFew = (trainSize + base.batchSize - 1) / base.batchSize
    let stepsPerEpochAll = (data.train.count + base.batchSize - 1) / base.batchSize
    let moreDataEpochs = Swift.max(1, (epochs * stepsPerEpochFew + stepsPerEpochAll - 1) / stepsPerEpochAll)
    var decaySettings = plain
    decaySettings.weightDecay = fixWeightDecay
    var dropoutSettings = plain
    dropoutSettings.dropout = fixDropout
    var smallerSettings = plain
    smallerSettings.model = .tiny
    var moreDataSettings = plain
    moreDataSettings.epochs = moreDataEpochs

    // The overfitting runs also keep what early stopping's restored weights score.
    let groups = [(plain, few), (decaySettings, few), (dropoutSettings, few), (smallerSettings, few),
                  (moreDataSettings, data.train)]
    let runs = trainOverSeeds(seeds, groups, validation: data.validation, progress: progress) { g, run in
        (record: run.record,
         earlyStopped: g == 0 ? summarizeEarlyStopping(run.record, model: run.model, validation: data.validation) : nil)
    }
    func seedRuns(_ g: Int) -> SeedRuns { SeedRuns(seeds: seeds, runs: runs[g].map(\.record)) }
    return OverfitExperiment(seeds: seeds, overfit: seedRuns(0), weightDecayed: seedRuns(1),
                             droppedOut: seedRuns(2), smaller: seedRuns(3), moreData: seedRuns(4),
                             earlyStopped: runs[0].map { $0.earlyStopped! })
}

// MARK: - Cell 5: Overfitting — shown with little data and no regularization, then fixed

func cell5Overfitting(_ lesson: Lesson, data: LessonData, fullRun: RunRecord, settings: Settings) {
    lesson.cell(5)
    let trainSize = lesson.flags.int("train-size"), epochs = lesson.flags.int("overfit-epochs")
    let seeds = lesson.seeds, n = seeds.count
    let smallCount = makeModel(.small, dropout: 0, seed: 0).parameterCount()
    let tinyCount = makeModel(.tiny, dropout: 0, seed: 0).parameterCount()
    lesson.say(en: """
        The blog post's table: overfitting comes from too little data and a model too complex. So we give a \
        \(grouped(smallCount))-parameter model (the small one of cell 6) only \(trainSize) training samples and no \
        regularization at all (dropout 0, weight decay 0), for \(epochs) epochs, and mark the same 100-sample weekly \
        exam after each.
        """, zh: """
        原文的表格说：过拟合来自数据太少、模型太复杂。于是我们只给一个 \(grouped(smallCount)) 个参数的模型（第 6 格的\
        小模型）\(trainSize) 个训练样本，完全不加正则化（dropout 0，权重衰减 0），训练 \(epochs) 轮，每轮后用同一份 \
        100 个样本的周考打分。
        """)
    teachSeedNoise(lesson)
    let label = Localized(en: "cell 5: runs trained", zh: "第 5 格：已训练的次数")
    let ex = runOverfitExperiment(data: data, trainSize: trainSize, epochs: epochs, base: settings, seeds: seeds) {
        lesson.progress(label, $0, of: $1)
    }
    lesson.endProgress()
    let o = ex.overfit
    let none = Localized(en: "none (overfitting)", zh: "不治（过拟合）")
    let decayName = Localized(en: "weight decay λ = \(fixWeightDecay)", zh: "权重衰减 λ = \(fixWeightDecay)")
    let dropoutName = Localized(en: "dropout \(fixDropout)", zh: "dropout \(fixDropout)")
    let smallerName = Localized(en: "simpler model (\(grouped(tinyCount)) weights)",
                                zh: "更简单的模型（\(grouped(tinyCount)) 个权重）")
    let fewSteps = o.runs.first.map { $0.settings.epochs * ((trainSize + settings.batchSize - 1) / settings.batchSize) }
        ?? 0
    let manySteps = (ex.moreData.runs.first?.settings.epochs ?? 0)
        * ((data.train.count + settings.batchSize - 1) / settings.batchSize)
    let moreName = Localized(en: "more data: \(grouped(data.train.count)) samples, \(manySteps) steps",
                             zh: "更多数据：\(grouped(data.train.count)) 个样本，\(manySteps) 步")
    let stopName = Localized(en: "early stopping (best epoch restored)", zh: "早停（恢复最佳那一轮）")
    sayFirstDivergence(lesson, [(none, o), (decayName, ex.weightDecayed), (dropoutName, ex.droppedOut),
                                (smallerName, ex.smaller), (moreName, ex.moreData)])

    if let first = o.runs.first, !first.epochs.isEmpty, !first.diverged {
        lesson.plot(LineChart(title: lesson.tr(en: "\(trainSize) samples, no regularization (random seed \(seeds[0]))",
                                               zh: "\(trainSize) 个样本，无正则化（随机种子 \(seeds[0])）"),
                              series: [.init(lesson.tr(en: "train", zh: "训练"), first.trainLosses),
                                       .init(lesson.tr(en: "validation", zh: "验证"), first.validationLosses)],
                              xLabel: lesson.tr(en: "epoch", zh: "轮"), yLabel: "MSE", logScale: true))
    }
    let lang = lesson.language
    let t = o.training, v = o.validation, best = o.bestValidation
    lesson.headline(en: "overfitting, \(n) seeds: training loss \(meanSpread(t, .en)), validation loss "
                        + "\(meanSpread(v, .en)) (best \(meanSpread(best, .en)))",
                    zh: "过拟合，\(n) 个随机种子：训练损失 \(meanSpread(t, .zh))，验证损失 \(meanSpread(v, .zh))"
                        + "（最佳 \(meanSpread(best, .zh))）")
    let diverged = Localized(en: "The overfitting runs diverged (see above), so there is no learning to read here.",
                             zh: "过拟合实验的训练发散了（见上），这里没有学习可言。")
    let gap = lesson.conclude("lesson4.overfit.gap", Comparison(t, v), lower: Localized(
        en: "The symptom: the training loss ends far below the validation loss (\(fixed(t.mean)) against "
            + "\(fixed(v.mean)), beyond the seed noise). The model does much better on the exercises it studied "
            + "than on the exam: it overfits.",
        zh: "症状：训练损失远低于验证损失（\(fixed(t.mean)) 对 "
            + "\(fixed(v.mean))，超出随机种子的噪声）。模型在做过的练习题上"
            + "比在考试上好得多：它过拟合了。"), higher: Localized(
        en: "No overfitting here: the training loss (\(fixed(t.mean))) ends above the validation loss "
            + "(\(fixed(v.mean))).",
        zh: "这里没有过拟合：训练损失（\(fixed(t.mean))）反而高于验证损失（\(fixed(v.mean))）"
            + "。"), noDifference: Localized(
        en: "No measurable gap between training loss (\(fixed(t.mean))) and validation loss (\(fixed(v.mean))) at "
            + "this budget: no sign of overfitting yet.",
        zh: "在这个训练预算下，训练损失（\(fixed(t.mean))）和验证损失（\(fixed(v.mean))）之间没有可测的差距：还看不"
            + "出过拟合。"),
        diverged: diverged)
    if gap != .diverged {
    lesson.conclude("lesson4.overfit.memorised", .threshold(value: t.mean, relation: .below, limit: 0.01), [
        "true": Localized(en: "The training loss is near zero (\(fixed(t.mean)) < 0.01): the model has all but "
                              + "memorised its \(trainSize) answers.",
                          zh: "训练损失接近零（\(fixed(t.mean)) < 0.01）：模型几乎把 \(trainSize) 个答案背下来了。"),
        "false": Localized(en: "The training loss (\(fixed(t.mean))) is not near zero (0.01 or more): the model has "
                               + "not memorised its \(trainSize) answers.",
                           zh: "训练损失（\(fixed(t.mean))）并不接近零（不低于 0.01）：模型没有把 \(trainSize) "
                               + "个答案背下来。"),
        "diverged": diverged,
    ])
    lesson.conclude("lesson4.overfit.climb", Comparison(v, best), lower: Localized(
        en: "The validation loss ended below its own best, which cannot "
            + "happen.", zh: "验证损失低于它自己的最佳值，这不可能。"),
        higher: Localized(
        en: "The validation loss bottomed out (best \(fixed(best.mean)) on average) and climbed back to "
            + "\(fixed(v.mean)): training longer made the exam worse.",
        zh: "验证损失先见底（平均最佳 \(fixed(best.mean))），又回升到 \(fixed(v.mean))：训练得越久，考得越差。"),
        noDifference: Localized(
        en: "The validation loss did not measurably climb back from its best (\(fixed(best.mean))) at this budget.",
        zh: "在这个训练预算下，验证损失没有从最佳值（\(fixed(best.mean))）明显回升。"), diverged: diverged)
    }
    if !fullRun.diverged {
        lesson.say(en: "For comparison, the full run of cell 3 (\(grouped(data.train.count)) samples, the "
                       + "blog post's model "
                       + "and regularization) ended with a gap of \(fixed(fullRun.finalGap)).",
                   zh: "作为对照，第 3 格的完整训练（\(grouped(data.train.count)) "
                       + "个样本，示例脚本的模型和正则化）最后的差距是 \(fixed(fullRun.finalGap))。")
    }

    // The fixes, each against "none" on the same seeds.
    let esValid = ex.earlyStoppedValidation, esTrain = ex.earlyStoppedTraining
    let fixes: [(id: String, name: Localized, train: SeedSample, valid: SeedSample)] = [
        ("weightDecay", decayName, ex.weightDecayed.training, ex.weightDecayed.validation),
        ("dropout", dropoutName, ex.droppedOut.training, ex.droppedOut.validation),
        ("simplerModel", smallerName, ex.smaller.training, ex.smaller.validation),
        ("moreData", moreName, ex.moreData.training, ex.moreData.validation),
        ("earlyStopping", stopName, esTrain, esValid),
    ]
    var table = Table([lesson.tr(en: "fix", zh: "药方"), lesson.tr(en: "train loss", zh: "训练损失"),
                       lesson.tr(en: "valid loss", zh: "验证损失"), lesson.tr(en: "vs none", zh: "对比不治")],
                      title: lesson.tr(en: "final validation loss, mean ± spread over \(n) seeds",
                                       zh: "最终验证损失，\(n) 个随机种子的均值 ± 波动"))
    table.append([.text(none(lang)), .text(meanSpread(t, lang)), .text(meanSpread(v, lang)), .text("")])
    for fix in fixes {
        table.append([.text(fix.name(lang)), .text(meanSpread(fix.train, lang)), .text(meanSpread(fix.valid, lang)),
                      .text(differenceText(Comparison(fix.valid, v), lang))])
    }
    lesson.table(table)

    let lr = settings.learningRate
    let fixDiverged = Localized(en: "At least one of these runs diverged (see above): its numbers do not describe "
                                    + "learning.",
                                zh: "其中至少有一次训练发散了（见上）：这些数字说明不了学习的情况。")
    // Each fix's verdict against "none", for the closing comparison with more data.
    var verdicts: [String: Verdict] = [:]
    func judge(_ id: String, _ name: Localized, _ valid: SeedSample, lowerWhy: Localized, higherWhy: Localized,
               noDifferenceWhy: Localized) {
        let numbers = "\(fixed(valid.mean)) / \(fixed(v.mean))"
        /// An English explanation follows its sentence after a space; an empty one adds nothing.
        func then(_ why: String) -> String { why.isEmpty ? "" : " " + why }
        verdicts[id] = lesson.conclude("lesson4.overfit.fix.\(id)", Comparison(valid, v), lower: Localized(
            en: "\(name.en): lowered the validation loss (\(numbers) with / without)." + then(lowerWhy.en),
            zh: "\(name.zh)：降低了验证损失（用 / 不用：\(numbers)）。" + lowerWhy.zh), higher: Localized(
            en: "\(name.en): raised the validation loss (\(numbers) with / without)." + then(higherWhy.en),
            zh: "\(name.zh)：反而提高了验证损失（用 / 不用：\(numbers)）。" + higherWhy.zh), noDifference: Localized(
            en: "\(name.en): no measurable difference at this budget (\(numbers) with / without)."
                + then(noDifferenceWhy.en),
            zh: "\(name.zh)：在这个训练预算下没有可测的差异（用 / 不用：\(numbers)）。" + noDifferenceWhy.zh),
            diverged: Localized(en: "\(name.en): " + fixDiverged.en, zh: "\(name.zh)：" + fixDiverged.zh))
    }
    let decayPerStep = percent(lr * fixWeightDecay, 2)
    judge("weightDecay", decayName, ex.weightDecayed.validation, lowerWhy: Localized(
        en: "Why: AdamW pulls every weight toward zero by lr·λ = \(decayPerStep) per step, so the network fits its "
            + "exercises with smaller weights, and smaller weights give smoother answers between them.",
        zh: "原因：AdamW 每一步把每个权重往零拉 lr·λ = \(decayPerStep)，网络只能用更小的权重去拟合练习题，"
            + "而更小的权重让题与题之间的答案更平滑。"), higherWhy: Localized(
        en: "A decay this strong can shrink the weights faster than the data shape them (look at its training "
            + "loss, \(fixed(ex.weightDecayed.training.mean))); a smaller λ may do better.",
        zh: "这么强的衰减可能让权重缩小得比数据塑造它们还快（看它的训练损失 "
            + "\(fixed(ex.weightDecayed.training.mean))）；小一些的 λ 也许更好。"),
        // No "why" for no difference: the lesson does not measure the weights, so it does not guess.
        noDifferenceWhy: Localized(en: "", zh: ""))
    judge("dropout", dropoutName, ex.droppedOut.validation, lowerWhy: Localized(
        en: "Why: with units dropped at random, the network cannot lean on any one of them to store an answer, "
            + "which makes memorising single exercises harder.",
        zh: "原因：单元被随机丢弃，网络不能靠某一个单元记住一道题的答案，死记硬背就难了。"), higherWhy: Localized(
        en: "In \(fewSteps) steps the noise dropout adds can slow learning more than it stops memorising.",
        zh: "在 \(fewSteps) 步里，dropout 加进来的噪声拖慢学习的程度，可能超过它阻止死记硬背的作用。"),
        noDifferenceWhy: Localized(en: "At this budget its protection and its cost cancel out or are too small to see.",
                                   zh: "在这个预算下，它的保护作用和代价相互抵消，或者小到看不出来。"))
    judge("simplerModel", smallerName, ex.smaller.validation, lowerWhy: Localized(
        en: "Why: with \(grouped(tinyCount)) weights instead of \(grouped(smallCount)) there is less room to store "
            + "each exercise's answer.",
        zh: "原因：只有 \(grouped(tinyCount)) 个权重而不是 \(grouped(smallCount)) "
            + "个，能用来记住每道题答案的空间更小。"),
        higherWhy: Localized(
        en: "A model can be too small to learn the rule itself (its training loss is "
            + "\(fixed(ex.smaller.training.mean)) "
            + "against \(fixed(t.mean))): it underfits instead.",
        zh: "模型可能小到学不会规律本身（它的训练损失是 \(fixed(ex.smaller.training.mean))，对比 \(fixed(t.mean))）："
            + "变成了欠拟合。"), noDifferenceWhy: Localized(
        en: "Simpler helps only when it is simple relative to the data: \(grouped(tinyCount)) weights for "
            + "\(trainSize) samples may still be enough to memorise them.",
        zh: "模型“更简单”只有相对数据而言足够简单时才有用：\(grouped(tinyCount)) 个权重对 \(trainSize) 个样本，"
            + "也许仍然足以把它们背下来。"))
    judge("moreData", moreName, ex.moreData.validation, lowerWhy: Localized(
        en: "Why: with \(grouped(data.train.count)) different examples in about as many steps, no single answer can be "
            + "memorised; what fits them all is the rule.",
        zh: "原因：步数差不多，却有 \(grouped(data.train.count)) 个不同的样本，哪一个答案都背不下来；能同时拟合它们的"
            + "只有规律本身。"), higherWhy: Localized(
        en: "In \(manySteps) steps the model has not yet had time to learn from the larger set.",
        zh: "在 \(manySteps) 步里，模型还来不及从更大的数据集里学到东西。"), noDifferenceWhy: Localized(
        en: "In \(manySteps) steps the larger set has not yet made a measurable difference.",
        zh: "在 \(manySteps) 步里，更大的数据集还没带来可测的差异。"))
    judge("earlyStopping", stopName, esValid, lowerWhy: Localized(
        en: "Why: it hands back the weights from before the validation loss started climbing.",
        zh: "原因：它交回的是验证损失开始回升之前的权重。"), higherWhy: Localized(
        en: "The restored weights re-evaluate above the last epoch's, which would mean the evaluation is not "
            + "repeatable.",
        zh: "恢复的权重重新评估后比最后一轮还差，这说明评估不可重复。"), noDifferenceWhy: Localized(
        en: "The validation loss barely climbed back from its best in these runs, so there was little to undo.",
        zh: "这些训练里验证损失几乎没有从最佳值回升，所以没什么可挽回的。"))

    // Which fix did best: more data against the best of the others, on the same seeds.
    let others = fixes.filter { $0.id != "moreData" && $0.valid.isFinite }
    if let rival = others.min(by: { $0.valid.mean < $1.valid.mean }) {
        lesson.conclude("lesson4.overfit.bestFix", Comparison(ex.moreData.validation, rival.valid), lower: Localized(
            en: "As the blog post's advice says: more data beat even the best of the other fixes "
                + "(\(rival.name.en)) beyond "
                + "the seed noise. " + othersAgainstNone(verdicts).en,
            zh: "正如原文的建议：更多数据连其他药方里最好的那个（\(rival.name.zh)）也超出噪声地比下去了。"
                + othersAgainstNone(verdicts).zh), higher: Localized(
            en: "Here \(rival.name.en) beat more data, beyond the seed noise: with only \(manySteps) steps, the larger "
                + "set had not yet been learned from.",
            zh: "这里“\(rival.name.zh)”超出噪声地胜过了更多数据：只有 \(manySteps) 步，更大的数据集还没被充分学习。"),
            noDifference: Localized(
            en: "More data and the best other fix (\(rival.name.en)): no measurable difference at this budget.",
            zh: "更多数据与其他药方里最好的那个（\(rival.name.zh)）：在这个预算下没有可测的差异。"),
            diverged: fixDiverged)
    }
    if let first = ex.earlyStopped.first, !o.runs[0].diverged {
        let stop = first.stopEpoch.map { lesson.tr(en: "its patience ran out at epoch \($0)", zh: "耐心在第 \($0) "
            + "轮耗尽") }
            ?? lesson.tr(en: "its patience never ran out", zh: "耐心始终没有耗尽")
        lesson.say(en: "Early stopping on the drawn run (random seed \(seeds[0]), patience "
                       + "\(settings.stopPatience)): \(stop); it keeps epoch \(first.bestEpoch)'s weights.",
                   zh: "画出来的那次训练（随机种子 \(seeds[0])，耐心 \(settings.stopPatience)）上的早停：\(stop)；"
                       + "保留第 \(first.bestEpoch) 轮的权重。")
    }
    // Each fix's mean ± spread and, from its claim above, the verdict against "none".
    let line = [none(lang) + " " + lesson.meanSpread(v, verdictOf: nil)] + fixes.map { fix in
        fix.name(lang) + " " + lesson.meanSpread(fix.valid, verdictOf: "lesson4.overfit.fix.\(fix.id)")
    }
    lesson.headline(en: "fixes, validation loss over \(n) seeds (verdict against none): "
                        + line.joined(separator: " · "),
                    zh: "各药方的验证损失（\(n) 个随机种子；括号里是与“不治”相比的结论）："
                        + line.joined(separator: " · "))
}

/// What the fixes other than more data did against "none", grouped by verdict: "Against no fix, weight
/// decay lowered the validation loss; dropout and the simpler model raised it." Read from their claims'
/// verdicts, so it says no more than they did.
func othersAgainstNone(_ verdicts: [String: Verdict]) -> Localized {
    let names: [(id: String, name: Localized)] = [
        ("weightDecay", Localized(en: "weight decay", zh: "权重衰减")),
        ("dropout", Localized(en: "dropout", zh: "dropout")),
        ("simplerModel", Localized(en: "the simpler model", zh: "更简单的模型")),
        ("earlyStopping", Localized(en: "early stopping", zh: "早停")),
    ]
    // Each outcome's words; after the first group, "the validation loss" reads "it" in English.
    let outcomes: [(verdict: Verdict, words: Localized, laterEn: String)] = [
        (.lower, Localized(en: "lowered the validation loss", zh: "降低了验证损失"), "lowered it"),
        (.higher, Localized(en: "raised the validation loss", zh: "反而提高了验证损失"), "raised it"),
        (.noMeasurableDifference, Localized(en: "made no measurable difference", zh: "没有可测的差异"),
         "made no measurable difference"),
        (.diverged, Localized(en: "diverged", zh: "发散了"), "diverged"),
        (.tooFewSeeds, Localized(en: "could not be judged on one seed", zh: "只有一个随机种子，无法判断"),
         "could not be judged on one seed"),
    ]
    var en: [String] = [], zh: [String] = []
    for outcome in outcomes {
        let group = names.filter { verdicts[$0.id] == outcome.verdict }.map(\.name)
        guard let last = group.last else { continue }
        let enNames = group.count == 1 ? last.en
            : group.dropLast().map(\.en).joined(separator: ", ") + " and " + last.en
        en.append(enNames + " " + (en.isEmpty ? outcome.words.en : outcome.laterEn))
        zh.append(group.map(\.zh).joined(separator: "、") + outcome.words.zh)
    }
    guard !en.isEmpty else { return Localized(en: "", zh: "") }
    return Localized(en: "Against no fix, " + en.joined(separator: "; ") + ".",
                     zh: "与“不治”相比：" + zh.joined(separator: "；") + "。")
}
