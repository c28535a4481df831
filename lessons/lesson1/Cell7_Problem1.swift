import Engine
import LessonKit

// MARK: - Cell 7: problem 1 — "the loss does not go down", and its data causes

func cell7Problem1(_ lesson: Lesson, _ settings: Settings, splitFor: (UInt64) -> SplitResult,
                   synthetic: Bool = true) {
    lesson.cell(7)
    let seeds = lesson.seeds, n = seeds.count
    lesson.say(en: """
        The blog post's first problem: "the loss does not go down, the model learns nothing", cause \
        number one: bad data. Same model, same initial weights, same \(grouped(settings.steps)) Adam steps \
        (lr \(settings.learningRate)), clip_grad_norm 1.0 — only the data change. Every setting runs on the \
        same \(n) seeds (--seeds); the table shows mean ± spread of the validation MSE and of the last 20 \
        batches' training loss, the mean number of clipped steps and of saturated tanh units at the end; \
        the curves are the first seed's runs. Losses are in units of the labels' variance.
        """, zh: """
        原文的第一个问题：“损失降不下来，模型什么都没学会”，头号原因：数据有问题。同一个模型、同样的初始\
        权重、同样 \(grouped(settings.steps)) 步 Adam（学习率 \(settings.learningRate)）、clip_grad_norm 1.0——\
        只有数据不同。每种设置都在同样的 \(n) 个随机种子上运行（--seeds）；表格给出验证 MSE 和最后 20 个\
        批次训练损失的均值 ± 波动、被裁剪步数的均值、训练结束时饱和 tanh 单元比例的均值；\
        曲线是第一个随机种子的结果。损失以标签方差为单位。
        """)
    let r = computeProblem1(seeds: seeds, settings: settings, synthetic: synthetic, splitFor: splitFor) { done in
        lesson.progress(Localized(en: "problem 1, seeds", zh: "问题 1，随机种子"), done, of: n)
    }
    lesson.endProgress()
    let first = r.runs[0]
    let baseline = r.baseline
    lesson.say(en: "Always predicting the training labels' mean scores a validation MSE of "
               + "\(meanSpread(baseline, .en)): "
               + "a run must end below that to have learned anything.",
               zh: "一直预测训练标签的均值，验证 MSE 为 "
                   + "\(meanSpread(baseline, .zh))：训练结果必须低于它才算学到了东西。")
    lesson.plot(lossChart(lesson, title: Localized(en: "training loss: inputs raw vs standardised",
                                                   zh: "训练损失：原始输入 vs 标准化输入"), first.inputs))
    // The first seed's runs, frame by frame, in the --report page.
    for named in first.inputs + first.labels.dropFirst() {
        var record = named.run.record
        record.title = lesson.tr(en: "Training, \(named.name.en) (seed \(seeds[0]))",
                                 zh: "训练过程：\(named.name.zh)（随机种子 \(seeds[0])）")
        lesson.training(record)
    }
    lesson.plot(lossChart(lesson, title: Localized(en: "training loss: clean vs noisy labels",
                                                   zh: "训练损失：干净标签 vs 噪声标签"), first.labels))
    // The table: every run, mean ± spread over seeds.
    var rows: [(name: Localized, run: (Problem1Result) -> TrainingRun)] = []
    for k in first.inputs.indices { rows.append((first.inputs[k].name, { $0.inputs[k].run })) }
    if first.globalScaling != nil {
        rows.append((Localized(en: "blog post's global scaling", zh: "原文的整体缩放"), { $0.globalScaling! }))
    }
    let largest = first.inputs[first.inputs.count - 1].name
    rows.append((Localized(en: "\(largest.en), clipping off", zh: "\(largest.zh)，不裁剪"), { $0.unclipped }))
    for k in first.labels.indices.dropFirst() { rows.append((first.labels[k].name, { $0.labels[k].run })) }
    rows.append((Localized(en: "noisy, weight decay \(settings.weightDecay)",
                           zh: "噪声标签，权重衰减 \(settings.weightDecay)"), { $0.weightDecay }))
    rows.append((Localized(en: "noisy, half the rows", zh: "噪声标签，一半的行"), { $0.halfData }))
    var table = Table([lesson.tr(en: "run", zh: "训练"),
                       lesson.tr(en: "validation MSE", zh: "验证 MSE"),
                       lesson.tr(en: "train loss", zh: "训练损失"),
                       lesson.tr(en: "clipped", zh: "被裁剪"),
                       lesson.tr(en: "saturated", zh: "饱和")])
    for row in rows {
        let clippedMean = r.values { Float(row.run($0).clippedSteps) }.mean
        table.append([.text(row.name(lesson.language)), .number(meanSpread(r.validation(row.run), lesson.language)),
                      .number(meanSpread(r.values { row.run($0).finalLoss }, lesson.language)),
                      .number("\(fixed(clippedMean, 0)) / \(grouped(settings.steps))"),
                      .number(percent(r.values { Float(row.run($0).saturationEnd) }.mean))])
    }
    lesson.table(table)
    // The first run that diverged, named, with the NaN guard's diagnosis.
    let named = rows + [(Localized(en: "sigmoid, standardised", zh: "sigmoid，标准化"), { $0.sigmoid[0].run }),
                        (Localized(en: "sigmoid, \(largest.en)", zh: "sigmoid，\(largest.zh)"), { $0.sigmoid[1].run })]
    let failures = zip(r.seeds, r.runs).flatMap { seed, result in
        named.compactMap { row in row.run(result).diverged.map { (row.name, seed, $0) } }
    }
    if let (name, seed, failed) = failures.first {
        lesson.say(en: "\(failures.count) run\(failures.count == 1 ? "" : "s") diverged; the first, '\(name.en)' on "
                       + "seed \(seed), was stopped by the NaN guard:",
                   zh: "有 \(failures.count) 次训练发散；第一次是随机种子 \(seed) 上的“\(name.zh)”，被 NaN 守卫停下：")
        lesson.lines(divergenceReport(failed)(lesson.language).split(separator: "\n").map(String.init), bullet: "")
    }
    concludeInputs(lesson, r, synthetic: synthetic)
    concludeLabels(lesson, r, split: splitFor(seeds[0]), weightDecay: settings.weightDecay)
    concludeSigmoid(lesson, r)
    problem1Headlines(lesson, r, settings)
    summary(lesson)
}

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

/// Noisy labels, the label check, and the regularization that comes from data.
func concludeLabels(_ lesson: Lesson, _ r: Problem1Seeds, split: SplitResult, weightDecay lambda: Double) {
    let n = r.seeds.count, first = r.runs[0]
    let noisyVsClean = r.compare({ $0.labels[1].run }, { $0.labels[0].run })
    let what = Localized(en: "Noisy labels against clean ones", zh: "噪声标签对干净标签")
    let rows = "\(first.noisyRows) / \(split.splits.train.count)"
    let trainLoss = (noisy: r.values { $0.labels[1].run.finalLoss }, clean: r.values { $0.labels[0].run.finalLoss })
    lesson.conclude("lesson1.problem1.noisy-labels", noisyVsClean,
        lower: Localized(en: "\(what.en) (\(rows) training labels wrong): \(meanSpread(noisyVsClean.a, .en)) against "
                             + "\(meanSpread(noisyVsClean.b, .en)) — the noisy labels end better here.",
                         zh: "\(what.zh)（\(rows) 个训练标签是错的）：\(meanSpread(noisyVsClean.a, .zh)) 对 "
                         + "\(meanSpread(noisyVsClean.b, .zh))——这里噪声标签反而更好。"),
        higher: Localized(en: "Noisy labels (\(rows) training labels wrong) end worse on validation: "
                              + "\(meanSpread(noisyVsClean.a, .en)) against \(meanSpread(noisyVsClean.b, .en)) "
                              + "\(overSeedCount(n).en). The training loss cannot fall below the noise (it ends at "
                              + "\(meanSpread(trainLoss.noisy, .en)) against \(meanSpread(trainLoss.clean, .en))), "
                              + "and the model learns part of it.",
                          zh: "噪声标签（\(rows) "
                          + "个训练标签是错的）的验证结果更差：\(meanSpread(noisyVsClean.a, .zh)) 对 "
                          + "\(meanSpread(noisyVsClean.b, .zh))（\(overSeedCount(n).zh)）。训练损失降不到噪声以下（"
                          + "最后为 \(meanSpread(trainLoss.noisy, .zh)) 对 "
                              + "\(meanSpread(trainLoss.clean, .zh))），模型还学进了一部分噪声。"),
        noDifference: noDifference(what, noisyVsClean), diverged: didNotLearn(noisyVsClean, what))
    if first.labels.count > 2, let dropped = first.droppedRows, let caught = first.droppedNoisy {
        let c = r.compare({ $0.labels[2].run }, { $0.labels[1].run })
        let checked = Localized(en: "Dropping the rows the label check of cell 3 flags (\(dropped) on the first "
                                    + "seed, \(caught) of them noisy)",
                                zh: "删掉单元 3 的标签检查标记的行（第一个随机种子上 \(dropped) 行，其中 \(caught) "
                                    + "行是噪声）")
        let oracle = Localized(
            en: " Remember that this check is an oracle: it knows the rule that made the labels (y is the mean of "
                + "its row). Real data do not tell you their rule, so a real label check finds fewer noisy labels "
                + "and flags some good ones; read this as the best case.",
            zh: "记住这个检查是个“先知”：它知道生成标签的规则（y 是它那一行的均值）。真实数据不会告诉你规则，"
                + "所以真实的标签检查找到的噪声标签更少，还会误标一些好的；把这里当作最好的情况来看。")
        lesson.conclude("lesson1.problem1.label-check", c,
            lower: Localized(en: "\(checked.en) brings validation MSE down to \(meanSpread(c.a, .en)) from "
                                 + "\(meanSpread(c.b, .en)) \(overSeedCount(n).en)." + oracle.en,
                             zh: "\(checked.zh)，验证 MSE 从 \(meanSpread(c.b, .zh)) 降到 \(meanSpread(c.a, .zh))"
                             + "（\(overSeedCount(n).zh)）。" + oracle.zh),
            higher: Localized(en: "\(checked.en) ends worse: \(meanSpread(c.a, .en)) against \(meanSpread(c.b, .en))."
                                  + oracle.en,
                              zh: "\(checked.zh)反而更差：\(meanSpread(c.a, .zh)) 对 "
                                  + "\(meanSpread(c.b, .zh))。" + oracle.zh),
            noDifference: Localized(en: noDifference(checked, c).en + oracle.en,
                                    zh: noDifference(checked, c).zh + oracle.zh),
            diverged: didNotLearn(c, checked))
    }
    // Regularization that belongs to data: more (noisy) rows, weight decay, or clean labels.
    lesson.say(en: """
        Regularization is anything that keeps a model from fitting what is peculiar to its training rows — \
        here the wrong labels. Three candidates against the same noisy labels: more rows (all of them against \
        half), AdamW's weight decay, and cleaning the labels.
        """, zh: """
        正则化指的是一切让模型不去拟合训练数据特有之处的手段——这里就是错误的标签。针对同样的噪声标签，\
        比较三种做法：更多的行（全部对一半）、AdamW 的权重衰减，以及清洗标签。
        """)
    let more = r.compare({ $0.labels[1].run }, { $0.halfData })
    let moreWhat = Localized(en: "Noisy labels, all training rows against half of them",
                             zh: "噪声标签，全部训练行对一半的行")
    lesson.conclude("lesson1.regularization.more-data", more,
        lower: Localized(en: "More data regularizes: with all the rows validation MSE is "
                             + "\(meanSpread(more.a, .en)), with "
                             + "half \(meanSpread(more.b, .en)) \(overSeedCount(n).en). The wrong labels are "
                             + "random, so over more rows they average out while the rule adds up.",
                         zh: "更多的数据本身就是正则化：用全部的行验证 MSE 为 \(meanSpread(more.a, .zh))，用一半为 "
                         + "\(meanSpread(more.b, .zh))（\(overSeedCount(n).zh)）。错误的标签是随机的，行越多越能相互"
                         + "抵消，而规律会不断累积。"),
        higher: Localized(en: "\(moreWhat.en): \(meanSpread(more.a, .en)) against \(meanSpread(more.b, .en)) — more "
                              + "rows end worse here.",
                          zh: "\(moreWhat.zh)：\(meanSpread(more.a, .zh)) 对 "
                              + "\(meanSpread(more.b, .zh))——这里行多反而更差。"),
        noDifference: noDifference(moreWhat, more), diverged: didNotLearn(more, moreWhat))
    let decay = r.compare({ $0.weightDecay }, { $0.labels[1].run })
    let decayWhat = Localized(en: "Noisy labels, weight decay \(lambda) against none",
                              zh: "噪声标签，权重衰减 \(lambda) 对不衰减")
    lesson.conclude("lesson1.regularization.weight-decay", decay,
        lower: Localized(en: "\(decayWhat.en): \(meanSpread(decay.a, .en)) against \(meanSpread(decay.b, .en)) "
                             + "\(overSeedCount(n).en) — weight decay helps, by "
                             + "\(percent(-decay.meanDifference / decay.b.mean)) on "
                             + "average: smaller weights make a smoother function that follows the wrong labels less.",
                         zh: "\(decayWhat.zh)：\(meanSpread(decay.a, .zh)) 对 \(meanSpread(decay.b, .zh))"
                         + "（\(overSeedCount(n).zh)）——权重衰减有帮助，平均好 "
                             + "\(percent(-decay.meanDifference / decay.b.mean))："
                             + "更小的权重让函数更平滑，更少地迁就错误的标签。"),
        higher: Localized(en: "\(decayWhat.en): \(meanSpread(decay.a, .en)) against \(meanSpread(decay.b, .en)) "
                              + "\(overSeedCount(n).en) — weight decay hurts here: it also shrinks the weights the "
                              + "rule needs.",
                          zh: "\(decayWhat.zh)：\(meanSpread(decay.a, .zh)) 对 \(meanSpread(decay.b, .zh))"
                          + "（\(overSeedCount(n).zh)）——这里权重衰减有害：它也缩小了学习规律所需的权重。"),
        noDifference: Localized(
            en: noDifference(decayWhat, decay).en + " Each step multiplies the weights by 1 − lr·λ, "
                + "a small pull over these few steps.",
            zh: noDifference(decayWhat, decay).zh + "每一步把权重乘以 1 − lr·λ，在这么少的步数里拉力很小。"),
        diverged: didNotLearn(decay, decayWhat))
    if first.labels.count > 2 {
        let c = r.compare({ $0.labels[2].run }, { $0.weightDecay })
        let cleanWhat = Localized(en: "Cleaned labels against weight decay", zh: "清洗标签对权重衰减")
        lesson.conclude("lesson1.regularization.clean-vs-decay", c,
            lower: Localized(en: "Cleaning the labels beats weight decay: \(meanSpread(c.a, .en)) against "
                                 + "\(meanSpread(c.b, .en)). A regularizer can only make the model follow wrong "
                                 + "answers less; removing them fixes the data itself.",
                             zh: "清洗标签胜过权重衰减：\(meanSpread(c.a, .zh)) 对 "
                             + "\(meanSpread(c.b, .zh))。正则化只能让模型"
                             + "少迁就错误的答案；删掉它们才是修好数据本身。"),
            higher: Localized(en: "\(cleanWhat.en): \(meanSpread(c.a, .en)) against \(meanSpread(c.b, .en)) — "
                                  + "weight decay ends better here.",
                              zh: "\(cleanWhat.zh)：\(meanSpread(c.a, .zh)) 对 "
                                  + "\(meanSpread(c.b, .zh))——这里权重衰减更好。"),
            noDifference: noDifference(cleanWhat, c), diverged: didNotLearn(c, cleanWhat))
    }
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

func problem1Headlines(_ lesson: Lesson, _ r: Problem1Seeds, _ settings: Settings) {
    let first = r.runs[0], n = r.seeds.count
    // Each number is mean ± spread; the word in brackets is the verdict its claim above concluded.
    func v(_ run: (Problem1Result) -> TrainingRun, _ claim: String? = nil, reversed: Bool = false) -> String {
        problem1MeanSpread(lesson, r.validation(run), verdictOf: claim, reversed: reversed)
    }
    let inputClaims = [nil, "lesson1.problem1.raw-vs-standardised", "lesson1.problem1.recorded-vs-standardised"]
    let inputs = first.inputs.indices.map { k in
        (first.inputs[k].name, v({ $0.inputs[k].run }, inputClaims[Swift.min(k, 2)]))
    }
    var labels = [(Localized(en: "noisy "
        + "labels", zh: "噪声标签"), v({ $0.labels[1].run }, "lesson1.problem1.noisy-labels"))]
    if first.labels.count > 2 {
        labels.append((Localized(en: "checked", zh: "检查后"), v({ $0.labels[2].run }, "lesson1.problem1.label-check")))
    }
    let all = inputs + labels
    lesson.headline(en: "problem 1, validation MSE \(overSeedCount(n).en) (verdicts: raw against standardised, "
                        + "noisy against clean, checked against noisy): "
                        + all.map { "\($0.0.en) \($0.1)" }.joined(separator: ", "),
                    zh: "问题 1，验证 "
                        + "MSE（\(overSeedCount(n).zh)；括号里的结论：原始对标准化，噪声对干净，检查后对噪声）："
                        + all.map { "\($0.0.zh) \($0.1)" }.joined(separator: "，"))
    let k = first.inputs.count - 1
    func saturated(_ i: Int) -> String { percent(r.values { Float($0.inputs[i].run.saturationEnd) }.mean) }
    let clipping = "\(v { $0.inputs[k].run }) / \(v(\.unclipped, "lesson1.problem1.clipping", reversed: true))"
    lesson.headline(en: "saturated tanh units at the end: "
                        + first.inputs.indices.map { i in
                            "\(first.inputs[i].name.en) \(saturated(i))"
                        }.joined(separator: ", ")
                        + "; \(first.inputs[k].name.en), clipping on / off: " + clipping,
                    zh: "训练结束时饱和的 tanh 单元："
                        + first.inputs.indices.map { i in
                            "\(first.inputs[i].name.zh) \(saturated(i))"
                        }.joined(separator: "，")
                        + "；\(first.inputs[k].name.zh)，裁剪开 / 关：" + clipping)
    let none = v { $0.labels[1].run }, half = v(\.halfData, "lesson1.regularization.more-data", reversed: true)
    let decay = v(\.weightDecay, "lesson1.regularization.weight-decay")
    let cleaned = first.labels.count > 2 ? v({ $0.labels[2].run }, "lesson1.regularization.clean-vs-decay") : nil
    lesson.headline(en: "regularization against noisy labels (verdict against none; cleaned against weight decay): "
                        + "none \(none), half the rows \(half), weight decay \(settings.weightDecay) \(decay)"
                        + (cleaned.map { ", cleaned labels \($0)" } ?? ""),
                    zh: "对付噪声标签的正则化（括号里是与“不做”相比的结论；清洗标签与权重衰减相比）：不做 "
                        + "\(none)，一半的行 \(half)，"
                        + "权重衰减 \(settings.weightDecay) \(decay)"
                        + (cleaned.map { "，清洗标签 \($0)" } ?? ""))
}
