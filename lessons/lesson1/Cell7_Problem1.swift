import Engine
import LessonKit

// MARK: - Cell 7: problem 1 — "the loss does not go down", and its data causes
//
// The runs are in Problem1Runs.swift, the conclusions the cell draws from them in
// Cell7_InputConclusions.swift (inputs) and Cell7_LabelConclusions.swift (labels, regularization).

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

/// The cell's headlines (all `--quiet` prints of it): each comparison's mean ± spread and verdict.
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
