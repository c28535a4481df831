import Engine
import LessonKit

/// The leakage cell's numbers: the same model trained twice, once with the input scaler fitted
/// on the training split (right) and once on all the data (leaky).
struct LeakageResult {
    let trainFit: StandardScaler
    let allFit: StandardScaler
    /// The largest gap between the two fits' column means, in training standard deviations.
    let largestMeanGap: Float
    /// The largest ratio between the two fits' column stds (≥ 1).
    let largestStdRatio: Float
    let validationTrainFit: Float
    let validationAllFit: Float
    let testTrainFit: Float
    let testAllFit: Float
    /// How many of the scaled training inputs change when one validation sample changes.
    let changedTrainFit: Int
    let changedAllFit: Int
}

/// The inputs of all three splits in one `[N, F]` table.
func allInputs(_ s: Splits) -> Tensor {
    Tensor.cat([flattened(s.train).inputs, flattened(s.validation).inputs, flattened(s.test).inputs], dim: 0)
}

/// How many scaled training values move when validation sample 0 is replaced by ten times itself,
/// for a scaler fitted on `fitOnAll ? all data : training split`.
func trainingValuesMoved(_ s: Splits, fitOnAll: Bool) -> Int {
    let train = flattened(s.train).inputs
    func scaled(_ splits: Splits) -> [Float] {
        var scaler = StandardScaler()
        scaler.fit(fitOnAll ? allInputs(splits) : flattened(splits.train).inputs)
        return scaler.transform(train).scalars
    }
    let v = flattened(s.validation)
    var changed = v.inputs.scalars
    let width = v.inputs.shape[1]
    for j in 0..<width { changed[j] *= 10 }
    let altered = Splits(train: s.train,
                         validation: TensorDataset(inputs: Tensor(changed, shape: v.inputs.shape),
                                                   targets: v.targets),
                             test: s.test)
    return zip(scaled(s), scaled(altered)).filter { $0 != $1 }.count
}

func computeLeakage(_ split: SplitResult, steps: Int, learningRate: Double, seed: UInt64) -> LeakageResult {
    var allFit = StandardScaler()
    allFit.fit(allInputs(split.splits))
    let trainFit = split.xScaler
    let gaps = zip(zip(trainFit.mean, allFit.mean), trainFit.std).map { Swift.abs($0.0 - $0.1) / $1 }
    let ratios = zip(trainFit.std, allFit.std).map { Swift.max($0 / $1, $1 / $0) }
    func scores(_ scaler: StandardScaler) -> (validation: Float, test: Float) {
        let data = transformed(split.splits, { scaler.transform($0) }, yScaler: split.yScaler)
        let run = trainSmallModel(train: data.train, validation: data.validation, test: data.test,
                                  steps: steps, learningRate: learningRate, seed: seed)
        return (run.validationLoss, run.testLoss ?? .nan)
    }
    let right = scores(trainFit), leaky = scores(allFit)
    return LeakageResult(trainFit: trainFit, allFit: allFit, largestMeanGap: gaps.max() ?? 0,
                         largestStdRatio: ratios.max() ?? 1,
                         validationTrainFit: right.validation, validationAllFit: leaky.validation,
                         testTrainFit: right.test, testAllFit: leaky.test,
                         changedTrainFit: trainingValuesMoved(split.splits, fitOnAll: false),
                         changedAllFit: trainingValuesMoved(split.splits, fitOnAll: true))
}

// MARK: - Cell 6: why the scaler is fitted on the training split only

func cell6Leakage(_ lesson: Lesson, _ settings: Settings, splitFor: (UInt64) -> SplitResult) {
    lesson.cell(6)
    let seeds = lesson.seeds, n = seeds.count
    lesson.say(en: """
        The validation and test sets stand in for data nobody has seen yet. If their values help \
        choose μ and σ, the exam questions have leaked into the textbook. We fit the scaler both \
        ways and train the same small model (\(grouped(settings.steps)) steps) on each, on \(n) seeds.
        """, zh: """
        验证集和测试集代表还没人见过的数据。如果它们的数值参与了 μ 和 σ 的计算，就等于考题泄漏进了课本。\
        我们用两种方式拟合缩放器，再分别训练同一个小模型（\(grouped(settings.steps)) 步），共 \(n) 个随机种子。
        """)
    let perSeed = overSeeds(lesson, Localized(en: "leakage, seeds", zh: "数据泄漏，随机种子")) { seed in
        let split = splitFor(seed)
        return (computeLeakage(split, steps: settings.steps, learningRate: settings.learningRate, seed: seed),
                predictTheMeanMSE(split))
    }
    let results = perSeed.map(\.0), baselines = perSeed.map(\.1)
    let r = results[0]
    func s(_ f: (LeakageResult) -> Float) -> SeedSample { SeedSample(results.map(f)) }
    let right = s(\.validationTrainFit), leaky = s(\.validationAllFit)
    var table = Table([lesson.tr(en: "scaler fitted on", zh: "缩放器拟合于"),
                       lesson.tr(en: "validation MSE", zh: "验证 MSE"), lesson.tr(en: "test MSE", zh: "测试 MSE"),
                       lesson.tr(en: "train values moved by 1 validation sample",
                                 zh: "改动 1 个验证样本后变化的训练值")])
    table.append([.text(lesson.tr(en: "training split", zh: "训练集")), .number(meanSpread(right, lesson.language)),
                  .number(meanSpread(s(\.testTrainFit), lesson.language)), .number(grouped(r.changedTrainFit))])
    table.append([.text(lesson.tr(en: "all data "
        + "(leaky)", zh: "全部数据（泄漏）")), .number(meanSpread(leaky, lesson.language)),
                  .number(meanSpread(s(\.testAllFit), lesson.language)), .number(grouped(r.changedAllFit))])
    lesson.table(table)
    let c = Comparison(leaky, right, divergenceLimit: SeedSample(baselines).mean)
    let what = Localized(en: "Validation MSE, leaky fit against the training-split fit",
                         zh: "验证 MSE，泄漏的拟合对只用训练集的拟合")
    let small = Localized(
        en: " The two fits differ by at most \(fixed(r.largestMeanGap, 3)) σ in a mean and a factor "
            + "\(fixed(r.largestStdRatio, 3)) in a std (first seed): with a large random split of data from one "
            + "distribution, this leak is small.",
        zh: "两种拟合的均值最多相差 \(fixed(r.largestMeanGap, 3)) σ，标准差最多相差 \(fixed(r.largestStdRatio, 3)) "
            + "倍（第一个随机种子）：数据来自同一分布、随机划分且数量较大时，这种泄漏很小。")
    lesson.conclude("lesson1.leakage.score", c,
        lower: Localized(en: "\(what.en): \(meanSpread(c.a, .en)) against \(meanSpread(c.b, .en)) "
                             + "\(overSeedCount(n).en) — the "
                             + "leaky fit scores better, and that better score is the leak: it is not a better model.",
                         zh: "\(what.zh)：\(meanSpread(c.a, .zh)) 对 "
                             + "\(meanSpread(c.b, .zh))（\(overSeedCount(n).zh)）——泄漏的拟合"
                             + "分数更好，而这个更好的分数正是泄漏造成的：模型并没有更好。"),
        higher: Localized(en: "\(what.en): \(meanSpread(c.a, .en)) against \(meanSpread(c.b, .en)) "
                              + "\(overSeedCount(n).en) — the "
                              + "leaky fit scores worse here.",
                          zh: "\(what.zh)：\(meanSpread(c.a, .zh)) 对 "
                              + "\(meanSpread(c.b, .zh))（\(overSeedCount(n).zh)）——"
                              + "这里泄漏的拟合分数更差。"),
        noDifference: Localized(en: noDifference(what, c).en + small.en,
                                zh: noDifference(what, c).zh + small.zh),
        diverged: didNotLearn(c, what))
    lesson.say(en: """
        The last column is the real point: with the leaky fit, changing a single validation sample \
        changes \(grouped(r.changedAllFit)) training inputs; with the right fit, \(grouped(r.changedTrainFit)). \
        A validation score is only an honest exam if the validation data had no say in anything the model \
        learned from, and the leak grows with smaller data sets and richer preprocessing (fences, fill \
        values, feature selection). Note that the blog post's script has no split at all: its X.mean() and \
        X.std() come from all 1,000 samples. Split first, then fit.
        """, zh: """
        最后一列才是关键：泄漏的拟合下，只改一个验证样本，就有 \(grouped(r.changedAllFit)) 个训练输入跟着变；\
        正确的拟合下是 \(grouped(r.changedTrainFit)) 个。只有验证数据对模型学到的任何东西都没有影响，验证分数\
        才是诚实的考试；数据越少、预处理越复杂（边界、填补值、特征选择），泄漏就越大。注意原文的脚本根本\
        没有划分数据集：它的 X.mean() 和 X.std() 来自全部 1,000 个样本。应该先划分，再拟合。
        """)
    lesson.headline(en: "leakage, validation MSE \(overSeedCount(n).en): \(meanSpread(right, .en)) (scaler fitted "
                    + "on train) vs \(meanSpread(leaky, .en)) (on all data); one validation sample moves "
                    + "\(grouped(r.changedTrainFit)) vs \(grouped(r.changedAllFit)) training values",
                    zh: "数据泄漏，验证 "
                    + "MSE（\(overSeedCount(n).zh)）：\(meanSpread(right, .zh))（缩放器拟合于训练集）对 "
                    + "\(meanSpread(leaky, .zh))（拟合于全部数据）；一个验证样本改变 "
                    + "\(grouped(r.changedTrainFit)) 对 \(grouped(r.changedAllFit)) 个训练值")
}
