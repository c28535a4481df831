import Engine
import LessonKit

// Cell 7, the inputs' side of problem 1: the conclusions drawn from the runs with raw, scaled and
// standardised inputs (and sigmoid instead of tanh), each chosen by its numbers over the seeds.
// The runs: Problem1Runs.swift; the cell itself: Cell7_Problem1.swift.

/// Learned at all, raw against standardised, the seed's global scaling, saturation, clipping.
func concludeInputs(_ lesson: Lesson, _ r: Problem1Seeds, synthetic: Bool) {
    let n = r.seeds.count, first = r.runs[0]
    let standardised = r.validation { $0.inputs[0].run }, baseline = r.baseline
    lesson.conclude("lesson1.problem1.learned", .threshold(value: standardised.mean, relation: .below,
                                                           limit: baseline.mean), [
        "true": Localized(
            en: "Standardised inputs learn the rule: validation MSE \(meanSpread(standardised, .en)), below "
                + "predicting the mean (\(meanSpread(baseline, .en))).",
            zh: "标准化输入学到了规律：验证 MSE "
                + "\(meanSpread(standardised, .zh))，低于预测均值（\(meanSpread(baseline, .zh))）。"),
        "false": Localized(
            en: "Even standardised inputs learn nothing here: validation MSE \(meanSpread(standardised, .en)) is no "
                + "better than predicting the mean (\(meanSpread(baseline, .en))). What can cause it: a learning "
                + "rate too large for these steps (the default is 0.001), or too few steps.",
            zh: "这里连标准化输入也什么都没学到：验证 MSE \(meanSpread(standardised, .zh)) 不比预测均值"
            + "（\(meanSpread(baseline, .zh))）好。可能的原因：学习率对这些步数来说太大（默认 0.001），或者步数太少。"),
        "diverged": Localized(
            en: "Standardised inputs diverged: the loss stopped being a finite number (the NaN guard's diagnosis "
                + "is above).",
            zh: "标准化输入的训练发散了：损失不再是有限的数（上面是 NaN 守卫的诊断）。"),
    ])
    let raw = first.inputs[1].name
    let rawVsStd = r.compare({ $0.inputs[1].run }, { $0.inputs[0].run })
    let rawSample = rawVsStd.a
    let rawVerdict = lesson.conclude("lesson1.problem1.raw-vs-standardised", rawVsStd,
        lower: Localized(
            en: "Inputs \(raw.en) end better than standardised (\(meanSpread(rawSample, .en)) against "
                + "\(meanSpread(standardised, .en)) \(overSeedCount(n).en)): on this data standardising did not pay.",
            zh: "输入为“\(raw.zh)”时比标准化更好（\(meanSpread(rawSample, .zh)) 对 \(meanSpread(standardised, .zh))，"
            + "\(overSeedCount(n).zh)）：在这份数据上标准化没有带来好处。"),
        higher: Localized(
            en: "Inputs \(raw.en) end worse on validation than standardised: \(meanSpread(rawSample, .en)) against "
                + "\(meanSpread(standardised, .en)) \(overSeedCount(n).en), "
                + "\(fixed(rawSample.mean / standardised.mean, 1))× on average. "
                + (synthetic ? "The blog post's script is right to standardise." : "Standardise this file "
                                                                                   + "before training."),
            zh: "输入为“\(raw.zh)”时验证结果比标准化差：\(meanSpread(rawSample, .zh)) 对 "
            + "\(meanSpread(standardised, .zh))"
            + "（\(overSeedCount(n).zh)），平均差 \(fixed(rawSample.mean / standardised.mean, 1)) 倍。"
                + (synthetic ? "原文做标准化是对的。" : "训练前应该先把这个文件标准化。")),
        noDifference: noDifference(Localized(en: "Inputs \(raw.en) against standardised",
                                             zh: "“\(raw.zh)”输入对标准化输入"), rawVsStd),
        diverged: didNotLearn(rawVsStd, Localized(en: "Inputs \(raw.en) against standardised",
                                        zh: "“\(raw.zh)”输入对标准化输入")))
    if first.globalScaling != nil {
        let c = r.compare({ $0.globalScaling! }, { $0.inputs[0].run })
        let what = Localized(en: "The blog post's global scaling (one mean and std for all, position 5 still "
                                 + "5× as wide) "
                                 + "against standardising each column",
                             zh: "原文的整体缩放（所有数用同一个均值和标准差，第 5 个位置仍宽 5 倍）对逐列标准化")
        lesson.conclude("lesson1.problem1.global-vs-per-column", c,
            lower: Localized(en: "\(what.en): \(meanSpread(c.a, .en)) against \(meanSpread(c.b, .en)) — the global "
                                 + "scaling ends better at this budget.",
                             zh: "\(what.zh)：\(meanSpread(c.a, .zh)) 对 "
                                 + "\(meanSpread(c.b, .zh))——在这个训练量下整体缩放更好。"),
            higher: Localized(en: "\(what.en): \(meanSpread(c.a, .en)) against \(meanSpread(c.b, .en)) — the global "
                                  + "scaling ends worse: the blog post's line fixes the overall size but not "
                                    + "the unequal "
                                      + "widths.",
                              zh: "\(what.zh)：\(meanSpread(c.a, .zh)) 对 "
                              + "\(meanSpread(c.b, .zh))——整体缩放更差：原文的那行"
                              + "代码修正了整体尺度，却没有修正各位置宽度的不同。"),
            noDifference: noDifference(what, c), diverged: didNotLearn(c, what))
    }
    // The largest raw version: its symptom, what saturation says, what clipping does.
    let k = first.inputs.count - 1
    let largest = first.inputs[k].name
    let saturation = r.values { Float($0.inputs[k].run.saturationEnd) }
    var stalled = rawVerdict == .higher
    if k > 1 {
        let c = r.compare({ $0.inputs[k].run }, { $0.inputs[0].run })
        let what = Localized(en: "Inputs \(largest.en) against standardised", zh: "“\(largest.zh)”输入对标准化输入")
        stalled = lesson.conclude("lesson1.problem1.recorded-vs-standardised", c,
            lower: Localized(en: "\(what.en): \(meanSpread(c.a, .en)) against \(meanSpread(c.b, .en)) — the raw "
                                 + "version ends better here.",
                             zh: "\(what.zh)：\(meanSpread(c.a, .zh)) 对 "
                                 + "\(meanSpread(c.b, .zh))——这里原始输入反而更好。"),
            higher: Localized(en: "Symptom: with inputs \(largest.en) the loss stalls — validation MSE "
                                  + "\(meanSpread(c.a, .en)) against \(meanSpread(c.b, .en)) standardised "
                                      + "\(overSeedCount(n).en).",
                              zh: "症状：输入为“\(largest.zh)”时损失停滞——验证 MSE \(meanSpread(c.a, .zh))，"
                              + "标准化时为 \(meanSpread(c.b, .zh))（\(overSeedCount(n).zh)）。"),
            noDifference: noDifference(what, c), diverged: didNotLearn(c, what)) == .higher
    }
    // The explanation, only beside the outcome it explains: a raw version that ends worse.
    if stalled {
        let check = ClaimCheck.threshold(value: saturation.mean, relation: .above, limit: 0.5)
        lesson.conclude("lesson1.problem1.saturation", check, [
            "true": Localized(
                en: "Why: with inputs \(largest.en), \(percent(saturation.mean)) of the tanh units end on a flat "
                    + "end of the curve (|h| > 0.99, mean \(overSeedCount(n).en)). There 1 − h² ≈ 0, so almost no "
                    + "gradient reaches fc1 through them: most of the hidden layer has stopped learning.",
                zh: "原因：输入为“\(largest.zh)”时，\(percent(saturation.mean)) 的 tanh 单元最后停在曲线的平坦端"
                + "（|h| > 0.99，\(overSeedCount(n).zh)的均值）。那里 1 − h² ≈ 0，几乎没有梯度能经过它们流回 fc1："
                + "隐藏层的大部分已经不再学习。"),
            "false": Localized(
                en: "With inputs \(largest.en) only \(percent(saturation.mean)) of the tanh units end saturated "
                    + "(mean \(overSeedCount(n).en)): saturation does not explain a gap here.",
                zh: "输入为“\(largest.zh)”时只有 \(percent(saturation.mean)) 的 tanh 单元最后饱和"
                + "（\(overSeedCount(n).zh)的均值）：这里的差距不能用饱和来解释。"),
            "diverged": Localized(en: "The saturation could not be measured: a run diverged.",
                                  zh: "无法测量饱和：有一次训练发散了。"),
        ])
    }
    let clipping = r.compare({ $0.inputs[k].run }, { $0.unclipped })
    let clippedSteps = r.values { Float($0.inputs[k].run.clippedSteps) }.mean
    let clipWhat = Localized(en: "Clipping on against off, inputs \(largest.en)",
                             zh: "裁剪开对关（“\(largest.zh)”输入）")
    let adamWhy = Localized(
        en: " Adam divides each update by the running size of its own gradients, so scaling the gradients down "
            + "changes its steps little.",
        zh: "Adam 把每次更新除以自己梯度的滑动平均大小，所以把梯度整体缩小，对它的步长影响不大。")
    let adam = !stalled ? adamWhy : Localized(
        en: " The clip count (\(fixed(clippedSteps, 0)) steps on average) is a symptom of the large inputs, not the "
            + "cause of the stall:" + adamWhy.en,
        zh: "被裁剪的步数（平均 \(fixed(clippedSteps, 0)) 步）是大输入的症状，而不是停滞的原因：" + adamWhy.zh)
    let still = Localized(en: stalled ? ", but the loss still stalls far above the standardised run's" : "",
                          zh: stalled ? "，但损失仍然停滞，远高于标准化输入的结果" : "")
    lesson.conclude("lesson1.problem1.clipping", clipping,
        lower: Localized(en: "\(clipWhat.en): \(meanSpread(clipping.a, .en)) against \(meanSpread(clipping.b, .en)) — "
                             + "clipping helps a little\(still.en).",
                         zh: "\(clipWhat.zh)：\(meanSpread(clipping.a, .zh)) 对 "
                             + "\(meanSpread(clipping.b, .zh))——裁剪略有帮助"
                             + "\(still.zh)。"),
        higher: Localized(en: "\(clipWhat.en): \(meanSpread(clipping.a, .en)) against \(meanSpread(clipping.b, .en)) — "
                              + "clipping makes it slightly worse here.",
                          zh: "\(clipWhat.zh)：\(meanSpread(clipping.a, .zh)) 对 \(meanSpread(clipping.b, .zh))——"
                              + "这里裁剪反而略差。"),
        noDifference: Localized(en: noDifference(clipWhat, clipping).en + adam.en,
                                zh: noDifference(clipWhat, clipping).zh + adam.zh),
        diverged: didNotLearn(clipping, clipWhat))
}

/// Sigmoid instead of tanh: the same comparison of inputs.
func concludeSigmoid(_ lesson: Lesson, _ r: Problem1Seeds) {
    let first = r.runs[0]
    let c = r.compare({ $0.sigmoid[1].run }, { $0.sigmoid[0].run })
    let raw = first.sigmoid[1].name
    let saturation = r.values { Float($0.sigmoid[1].run.saturationEnd) }.mean
    let what = Localized(en: "Sigmoid instead of tanh, inputs \(raw.en) against standardised",
                         zh: "用 sigmoid 代替 tanh，“\(raw.zh)”输入对标准化输入")
    lesson.conclude("lesson1.problem1.sigmoid", c,
        lower: Localized(en: "\(what.en): \(meanSpread(c.a, .en)) against \(meanSpread(c.b, .en)) — raw ends better "
            + "here.",
                         zh: "\(what.zh)：\(meanSpread(c.a, .zh)) 对 \(meanSpread(c.b, .zh))——这里原始输入更好。"),
        higher: Localized(en: "Sigmoid tells the same story (its flat ends are below 0.01 and above 0.99): "
                              + "validation MSE \(meanSpread(c.a, .en)) with inputs \(raw.en) against "
                              + "\(meanSpread(c.b, .en)) "
                              + "standardised, \(percent(saturation)) of its units saturated at the end.",
                          zh: "sigmoid 也一样（它的平坦区在 0.01 以下和 0.99 以上）：“\(raw.zh)”输入的验证 MSE 为 "
                          + "\(meanSpread(c.a, .zh))，标准化时为 \(meanSpread(c.b, .zh))，训练结束时 "
                          + "\(percent(saturation)) "
                          + "的单元饱和。"),
        noDifference: noDifference(what, c), diverged: didNotLearn(c, what))
}
