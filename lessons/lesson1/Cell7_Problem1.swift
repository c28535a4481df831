import Engine
import LessonKit

/// One labelled training run of problem 1.
struct NamedRun {
    let name: Localized
    let run: TrainingRun
}

/// Problem 1's numbers: the same model and steps, trained on different versions of the data.
struct Problem1Result {
    /// Clean labels; inputs standardised, raw (seed units), raw (recorded units).
    let inputs: [NamedRun]
    /// Standardised inputs; labels clean, noisy, and (with a label check) noisy then cleaned.
    let labels: [NamedRun]
    /// Clean labels, sigmoid instead of tanh: standardised and the largest raw version.
    let sigmoid: [NamedRun]
    let noisyRows: Int
    /// Rows the label check dropped (nil without a check), and how many of them were noisy.
    let droppedRows: Int?
    let droppedNoisy: Int?
}

/// Trains every variant of problem 1 on the given split.
///
/// - Parameters:
///   - synthetic: the seed's data: add the "recorded units" input version, and the run whose noisy
///     labels were found by `checkLabels` and dropped (possible only where the label rule is known).
func computeProblem1(_ split: SplitResult, settings: Settings, synthetic: Bool = true) -> Problem1Result {
    func train(_ data: Splits, activation: Activation = .tanh) -> TrainingRun {
        trainSmallModel(train: data.train, validation: data.validation, steps: settings.steps,
                        learningRate: settings.learningRate, activation: activation, seed: settings.seed)
    }
    let inputRuns = inputVersions(split, synthetic: synthetic).map { version in
        NamedRun(name: version.name, run: train(transformed(split.splits, version.transform, yScaler: split.yScaler)))
    }
    // Noisy labels on the training split only: validation keeps the true labels, so its score
    // says how well the model learned the real rule.
    var generator = Generator(seed: settings.seed &+ 6)
    let clean = split.splits.train
    let labelStd = clean.targets.variance(unbiased: false).sqrt().item
    let (noisyY, noisyRows) = injectLabelNoise(clean.targets, fraction: settings.noise, std: 2 * labelStd,
                                               generator: &generator)
    let noisy = TensorDataset(inputs: clean.inputs, targets: noisyY)
    let standardise: (Tensor) -> Tensor = { split.xScaler.transform($0) }
    func withTrain(_ d: TensorDataset) -> Splits {
        Splits(train: d, validation: split.splits.validation, test: split.splits.test)
    }
    var labelRuns = [NamedRun(name: Localized(en: "clean labels", zh: "干净标签"), run: inputRuns[0].run),
                     NamedRun(name: Localized(en: "noisy labels", zh: "噪声标签"),
                              run: train(transformed(withTrain(noisy), standardise, yScaler: split.yScaler)))]
    var dropped: Int?, droppedNoisy: Int?
    if synthetic {
        let check = checkLabels(table: flattened(noisy).inputs, targets: noisyY, noisyRows: noisyRows)
        let flagged = Set(check.flagged)
        let kept = noisy.subset((0..<noisy.count).filter { !flagged.contains($0) })
        labelRuns.append(NamedRun(name: Localized(en: "noisy, then checked", zh: "噪声标签，经检查清洗"),
                                  run: train(transformed(withTrain(kept), standardise, yScaler: split.yScaler))))
        dropped = check.flagged.count
        droppedNoisy = check.caught
    }
    let versions = inputVersions(split, synthetic: synthetic)
    let sigmoidRuns = [versions.first!, versions.last!].map { version in
        NamedRun(name: version.name,
                 run: train(transformed(split.splits, version.transform, yScaler: split.yScaler), activation: .sigmoid))
    }
    return Problem1Result(inputs: inputRuns, labels: labelRuns, sigmoid: sigmoidRuns, noisyRows: noisyRows.count,
                          droppedRows: dropped, droppedNoisy: droppedNoisy)
}

/// The loss curves of some runs (mean of every 10 steps), on a log scale.
func lossChart(_ lesson: Lesson, title: Localized, _ runs: [NamedRun]) -> LineChart {
    LineChart(title: title(lesson.language),
              series: runs.map { named in
                  let curve = named.run.smoothed(10)
                  return .init(named.name(lesson.language), curve, x: curve.indices.map { Float($0 * 10 + 10) })
              },
              xLabel: lesson.tr(en: "step", zh: "步"), yLabel: "MSE", logScale: true)
}

// MARK: - Cell 7: problem 1 — "the loss does not go down", and its data causes

func cell7Problem1(_ lesson: Lesson, _ settings: Settings, _ split: SplitResult, synthetic: Bool = true) {
    lesson.step(en: "Problem 1: the loss does not go down", zh: "问题 1：损失降不下来")
    lesson.say(en: """
        The seed's first problem: "the loss does not go down, the model learns nothing", cause \
        number one: bad data. Same model, same initial weights, same \(settings.steps) Adam steps \
        (lr \(settings.learningRate)), clip_grad_norm 1.0 — only the data change. Losses are in \
        units of the labels' variance: 1.0 means no better than always guessing the mean.
        """, zh: """
        原文的第一个问题："损失降不下来，模型什么都没学会"，头号原因：数据有问题。同一个模型、同样的初始\
        权重、同样 \(settings.steps) 步 Adam（学习率 \(settings.learningRate)）、clip_grad_norm 1.0——\
        只有数据不同。损失以标签方差为单位：1.0 表示不比一直猜均值强。
        """)
    let r = computeProblem1(split, settings: settings, synthetic: synthetic)
    lesson.plot(lossChart(lesson, title: Localized(en: "training loss: inputs raw vs standardised",
                                                   zh: "训练损失：原始输入 vs 标准化输入"), r.inputs))
    lesson.plot(lossChart(lesson, title: Localized(en: "training loss: clean vs noisy labels",
                                                   zh: "训练损失：干净标签 vs 噪声标签"), r.labels))
    var table = Table([lesson.tr(en: "run", zh: "训练"), lesson.tr(en: "first loss", zh: "初始损失"),
                       lesson.tr(en: "final train loss", zh: "最终训练损失"),
                       lesson.tr(en: "validation MSE", zh: "验证 MSE"),
                       lesson.tr(en: "clipped steps", zh: "被裁剪的步数"),
                       lesson.tr(en: "saturated tanh (start → end)", zh: "饱和的 tanh（开始 → 结束）")])
    for named in r.inputs + r.labels.dropFirst() {
        let run = named.run
        table.append([.text(named.name(lesson.language)), .number(Double(run.firstLoss)),
                      .number(Double(run.finalLoss)), .number(Double(run.validationLoss)),
                      .number("\(run.clippedSteps) / \(settings.steps)"),
                      .number("\(percent(run.saturationStart)) → \(percent(run.saturationEnd))")])
    }
    lesson.table(table)
    var sigmoidTable = Table([lesson.tr(en: "sigmoid instead of tanh", zh: "用 sigmoid 代替 tanh"),
                              lesson.tr(en: "final train loss", zh: "最终训练损失"),
                              lesson.tr(en: "validation MSE", zh: "验证 MSE"),
                              lesson.tr(en: "clipped steps", zh: "被裁剪的步数"),
                              lesson.tr(en: "saturated sigmoid (start → end)", zh: "饱和的 sigmoid（开始 → 结束）")])
    for named in r.sigmoid {
        let run = named.run
        sigmoidTable.append([.text(named.name(lesson.language)), .number(Double(run.finalLoss)),
                             .number(Double(run.validationLoss)), .number("\(run.clippedSteps) / \(settings.steps)"),
                             .number("\(percent(run.saturationStart)) → \(percent(run.saturationEnd))")])
    }
    lesson.table(sigmoidTable)
    let standardised = r.inputs[0].run, worst = r.inputs.last!.run
    let worstName = r.inputs.last!.name
    lesson.say(en: """
        Symptom: on raw inputs the loss falls slowly or stalls — \(fixed(worst.finalLoss)) after \
        \(settings.steps) steps with inputs \(worstName.en), against \(fixed(standardised.finalLoss)) standardised. \
        The large inputs push most tanh units onto their flat ends, so their gradients vanish, and \
        the gradient norm exceeds the clip threshold on \(worst.clippedSteps) of \(settings.steps) steps \
        (\(standardised.clippedSteps) when standardised): clipping keeps the steps safe but short. \
        Fix: standardise with training statistics.
        """, zh: """
        症状：原始输入下损失下降很慢甚至停滞——输入为"\(worstName.zh)"时 \(settings.steps) 步后为 \
        \(fixed(worst.finalLoss))，\
        标准化后为 \(fixed(standardised.finalLoss))。大输入把大多数 tanh 单元推到平坦的两端，梯度消失；\
        梯度范数在 \(settings.steps) 步中有 \(worst.clippedSteps) 步超过裁剪阈值（标准化时为 \
        \(standardised.clippedSteps) 步）：裁剪让每一步安全，但也让每一步很短。修复：用训练集的统计量做标准化。
        """)
    let (sigmoidStd, sigmoidRaw) = (r.sigmoid[0].run, r.sigmoid[1].run)
    lesson.say(en: "Sigmoid tells the same story (its flat ends are below 0.01 and above 0.99): validation MSE "
               + "\(fixed(sigmoidStd.validationLoss)) standardised against \(fixed(sigmoidRaw.validationLoss)) " +
                 "\(r.sigmoid[1].name.en), "
               + "with \(percent(sigmoidRaw.saturationEnd)) of its units saturated at the end.",
               zh: "sigmoid 也一样（它的平坦区在 0.01 以下和 0.99 以上）：验证 MSE 标准化时为 " +
                   "\(fixed(sigmoidStd.validationLoss))，"
               + "\(r.sigmoid[1].name.zh)时为 \(fixed(sigmoidRaw.validationLoss))，训练结束时 " +
                 "\(percent(sigmoidRaw.saturationEnd)) 的单元饱和。")
    if synthetic {
        let seedRaw = r.inputs[1].run
        lesson.say(en: "Even the seed's own raw data (std 1 … 5), with \(percent(seedRaw.saturationEnd)) of the " +
                       "units saturated, "
                   + "end \(fixed(seedRaw.validationLoss / standardised.validationLoss, 1))× worse on validation "
                   + "(\(fixed(seedRaw.validationLoss)) against \(fixed(standardised.validationLoss))): the seed is " +
                     "right to standardise.",
                   zh: "即使是原文自己的原始数据（标准差 1 … 5），有 \(percent(seedRaw.saturationEnd)) " +
                       "的单元饱和，验证结果也差了 "
                   + "\(fixed(seedRaw.validationLoss / standardised.validationLoss, 1)) " +
                     "倍（\(fixed(seedRaw.validationLoss)) 对 "
                   + "\(fixed(standardised.validationLoss))）：原文做标准化是对的。")
    }
    let noisy = r.labels[1].run
    var labelText = Localized(
        en: "Noisy labels: \(r.noisyRows) of \(split.splits.train.count) training labels are wrong, so the "
            + "training loss cannot fall below the noise (\(fixed(noisy.finalLoss)) against " +
              "\(fixed(standardised.finalLoss))) "
            + "and the model learns part of the noise: validation MSE \(fixed(noisy.validationLoss)) against "
            + "\(fixed(standardised.validationLoss)). Wrong answers also make large gradients: "
            + "\(noisy.clippedSteps) of \(settings.steps) steps clipped.",
        zh: "噪声标签：\(split.splits.train.count) 个训练标签中有 \(r.noisyRows) 个是错的，所以训练损失降不到噪声以下"
            + "（\(fixed(noisy.finalLoss)) 对 \(fixed(standardised.finalLoss))），模型还学进了一部分噪声：验证 MSE "
            + "\(fixed(noisy.validationLoss)) 对 \(fixed(standardised.validationLoss))。错误的答案也会产生大梯度："
            + "\(settings.steps) 步中有 \(noisy.clippedSteps) 步被裁剪。")
    if let dropped = r.droppedRows, let caught = r.droppedNoisy, let checked = r.labels.last?.run {
        labelText = Localized(
            en: labelText.en + " Fix: the label check of cell 3 drops \(dropped) rows (\(caught) of them noisy); "
                + "trained on the rest, validation MSE is back to \(fixed(checked.validationLoss)).",
            zh: labelText.zh + " 修复：用第 3 格的标签检查删掉 \(dropped) 行（其中 \(caught) 行是噪声）；"
                + "用剩下的数据训练，验证 MSE 回到 \(fixed(checked.validationLoss))。")
    }
    if r.noisyRows == 0 {
        labelText = Localized(en: "With --noise 0 no label is wrong, so the label runs match the clean one.",
                              zh: "--noise 0 时没有错误的标签，所以标签相关的几次训练和干净标签的结果一样。")
    }
    lesson.say(labelText)
    let names = r.inputs.map { "\($0.name.en) \(fixed($0.run.validationLoss))" }.joined(separator: ", ")
    let namesZh = r.inputs.map { "\($0.name.zh) \(fixed($0.run.validationLoss))" }.joined(separator: "，")
    lesson.headline(en: "problem 1, validation MSE: \(names); noisy labels \(fixed(noisy.validationLoss))"
                    + (r.labels.count > 2 ? ", checked \(fixed(r.labels[2].run.validationLoss))" : ""),
                    zh: "问题 1，验证 MSE：\(namesZh)；噪声标签 \(fixed(noisy.validationLoss))"
                    + (r.labels.count > 2 ? "，检查后 \(fixed(r.labels[2].run.validationLoss))" : ""))
    lesson.headline(en: "saturated tanh units at the end: " + r.inputs.map { "\($0.name.en) " +
                                                                             "\(percent($0.run.saturationEnd))" }
                        .joined(separator: ", ")
                    + "; clipped steps: " + r.inputs.map { "\($0.run.clippedSteps)" }.joined(separator: " / "),
                    zh: "训练结束时饱和的 tanh 单元：" + r.inputs.map { "\($0.name.zh) " +
                                                                        "\(percent($0.run.saturationEnd))" }
                        .joined(separator: "，")
                    + "；被裁剪的步数：" + r.inputs.map { "\($0.run.clippedSteps)" }.joined(separator: " / "))
}

// MARK: - Summary

func cell7Summary(_ lesson: Lesson) {
    lesson.step(en: "What to remember", zh: "要记住的")
    lesson.say(en: """
        1. Look at the statistics first: the largest feature dominates the inputs and the gradients.
        2. Find the dirt before training: count missing cells, plot the values, check the labels.
        3. Fill with the median, clip with a robust rule, and fit every fill value, fence and scaler \
        on the training split only.
        4. If the loss does not go down, suspect the data before the model: raw units saturate \
        tanh/sigmoid and trip gradient clipping; noisy labels put a floor under the loss.
        """, zh: """
        1. 先看统计量：最大的特征会主导输入和梯度。
        2. 训练前先找脏数据：数缺失值、画数值分布、检查标签。
        3. 用中位数填补，用稳健规则裁剪；所有填补值、边界和缩放器都只在训练集上拟合。
        4. 损失降不下来时，先怀疑数据再怀疑模型：原始单位会让 tanh/sigmoid 饱和、频繁触发梯度裁剪；\
        噪声标签会给损失垫一个底。
        """)
}
