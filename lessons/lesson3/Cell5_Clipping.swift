import Engine
import LessonKit

// Cell 5: gradient clipping under a high learning rate.

/// The clipping experiment: the same high-rate SGD run without and with `clipGradNorm`.
struct ClippingResult {
    let learningRate: Double
    let maxNorm: Float
    let unclipped: TrainingRun
    let clipped: TrainingRun
    /// fc1.weight.grad[0, 0..<4] at the first step, before and after clipping, and the norm then.
    let gradBefore: Tensor, gradAfter: Tensor
    let firstNorm: Float
}

/// The rate at which plain SGD diverges on this problem (cell 4 found it between 0.05 and 1.0).
let clippingRate = 0.5

/// Runs SGD at `clippingRate` for 200 steps without clipping and with `maxNorm` (0 = off, then both
/// runs are the same), and clips the first step's gradient by hand to show one parameter's change.
func compareClipping(seed: UInt64, maxNorm: Float) -> ClippingResult {
    let problem = makeProblem(seed: seed)
    func run(_ clip: Float?) -> TrainingRun {
        let model = MLP(sizes: [problem.features, 32, 1], seed: seed)
        return train(model, on: problem, TrainingConfig(optimizer: .sgd, learningRate: clippingRate, steps: 200,
                                                        clipNorm: clip, seed: seed, keepsFrames: true))
    }
    // One step by hand, on the first batch the training loop would draw.
    let model = MLP(sizes: [problem.features, 32, 1], seed: seed)
    var batches = DataLoader(problem.train, batchSize: 32, shuffle: true,
        generator: Generator(seed: seed)).makeIterator()
    let (x, y) = batches.next()!
    Tensor.mseLoss(model(x), y).backward()
    let grad = model.layers[0].weight.grad!
    func slice() -> Tensor { grad.narrow(dim: 0, start: 0, length: 1).narrow(dim: 1, start: 0, length: 4).copy() }
    let before = slice()
    let norm = maxNorm > 0 ? clipGradNorm(model.parameters(), maxNorm: maxNorm) : gradNorm(model.parameters())
    return ClippingResult(learningRate: clippingRate, maxNorm: maxNorm, unclipped: run(nil),
                          clipped: run(maxNorm > 0 ? maxNorm : nil), gradBefore: before, gradAfter: slice(),
                          firstNorm: norm)
}

/// SGD at `clippingRate` with each clipping threshold: how tight must the cap be?
func sweepClipThresholds(seed: UInt64, thresholds: [Float] = [0.25, 0.5, 1, 2, 4]) -> [(maxNorm: Float,
    run: TrainingRun)] {
    let problem = makeProblem(seed: seed)
    return thresholds.map { maxNorm in
        let model = MLP(sizes: [problem.features, 32, 1], seed: seed)
        return (maxNorm, train(model, on: problem, TrainingConfig(optimizer: .sgd, learningRate: clippingRate,
            steps: 200,
                                                                  clipNorm: maxNorm, seed: seed)))
    }
}

// MARK: - Cell 5: gradient clipping under a high learning rate

func cell5Clipping(_ lesson: Lesson, _ settings: Settings) {
    lesson.cell(5)
    lesson.say(en: """
        SGD at lr = \(clippingRate), ten times the right rate. clipGradNorm rescales all gradients \
        together whenever their global norm exceeds max_norm (--clip, the blog post's 1.0): the direction \
        is kept, only the step's length is capped.
        """, zh: """
        SGD，lr = \(clippingRate)，是合适学习率的十倍。只要全局梯度范数超过 max_norm（--clip，示例脚本用 1.0），\
        clipGradNorm 就把所有梯度一起缩小：方向不变，只限制步长。
        """)
    let r = compareClipping(seed: lesson.seeds[0], maxNorm: settings.clip)
    lesson.say(en: "Step 1: the global norm is \(significant(r.firstNorm)); one row of fc1.weight.grad before and " +
                   "after clipping:",
               zh: "第 1 步：全局范数是 \(significant(r.firstNorm))；fc1.weight.grad 的一行，裁剪前后：")
    lesson.show(r.gradBefore, name: "before")
    lesson.show(r.gradAfter, name: "after ")
    var table = Table([lesson.tr(en: "step", zh: "步"), lesson.tr(en: "no clip: norm", zh: "不裁剪：范数"),
                       lesson.tr(en: "clip: norm before", zh: "裁剪：裁剪前"), lesson.tr(en: "clip: norm after",
                           zh: "裁剪：裁剪后")])
    for i in 0..<10 {
        func cell(_ norms: [Float]) -> TableCell { i < norms.count ? .number(significant(norms[i])) : "—" }
        table.append([.integer(i + 1), cell(r.unclipped.normsBefore), cell(r.clipped.normsBefore),
            cell(r.clipped.normsAfter)])
    }
    lesson.table(table)
    lesson.plot(LineChart(title: lesson.tr(en: "training loss, lr \(clippingRate), seed \(lesson.seeds[0])",
                                           zh: "训练损失，lr \(clippingRate)，随机种子 \(lesson.seeds[0])"),
                          series: [r.clipped.chartSeries(lesson.tr(en: "clip \(significant(r.maxNorm))",
                                                                   zh: "裁剪 \(significant(r.maxNorm))"),
                                                         r.clipped.curve),
                                   r.unclipped.chartSeries(lesson.tr(en: "no clipping", zh: "不裁剪"),
                                                           r.unclipped.curve)],
                          xLabel: lesson.tr(en: "step", zh: "步数"), logScale: true))
    for (run, en, zh) in [(r.clipped, "clip \(significant(r.maxNorm))", "裁剪 \(significant(r.maxNorm))"),
                          (r.unclipped, "no clipping", "不裁剪")] where !run.record.frames.isEmpty {
        var record = run.record
        record.title = lesson.tr(en: "SGD, lr \(clippingRate), \(en) (seed \(lesson.seeds[0]))",
                                 zh: "SGD，lr \(clippingRate)，\(zh)（随机种子 \(lesson.seeds[0])）")
        lesson.training(record)
    }
    let n = lesson.seeds.count
    let perSeed = overSeeds(lesson, Localized(en: "cell 5: clipping sweep", zh: "第 5 格：裁剪阈值扫描")) { seed in
        (clip: seed == lesson.seeds[0] ? r : compareClipping(seed: seed, maxNorm: settings.clip),
         sweep: sweepClipThresholds(seed: seed), right: trainRightRate(seed: seed))
    }
    let unclippedStopped = perSeed.filter { $0.clip.unclipped.diverged != nil }.count
    let clippedStopped = perSeed.filter { $0.clip.clipped.diverged != nil }.count
    lesson.conclude("lesson3.clip.unclippedDiverges",
                    .threshold(value: Double(unclippedStopped), relation: .atLeast, limit: Double(n)), [
        "true": Localized(en: "Without clipping, lr \(clippingRate) diverged on all \(n) seeds.",
                          zh: "不裁剪时，lr \(clippingRate) 在全部 \(n) 个随机种子上都发散了。"),
        "false": Localized(en: "Without clipping, lr \(clippingRate) diverged on \(unclippedStopped) of \(n) seeds.",
                           zh: "不裁剪时，lr \(clippingRate) 在 \(n) 个随机种子中的 \(unclippedStopped) 个上发散了。"),
    ])
    lesson.conclude("lesson3.clip.clippedTrains",
                    .threshold(value: Double(clippedStopped), relation: .atMost, limit: 0), [
        "true": Localized(en: "With clip \(significant(r.maxNorm)) every one of the \(n) runs stayed finite.",
                          zh: "裁剪到 \(significant(r.maxNorm)) 时，\(n) 次训练全都保持有限。"),
        "false": Localized(en: "With clip \(significant(r.maxNorm)), \(clippedStopped) of \(n) runs still diverged: "
                               + "the cap is too loose (or 0, which turns clipping off) for this rate.",
                           zh: "裁剪到 \(significant(r.maxNorm)) 时，\(n) 次训练中仍有 \(clippedStopped) 次发散："
                               + "对这个学习率来说上限太松（或为 0，即关闭裁剪）。"),
    ])
    lesson.say(en: "How tight must the cap be? The same run with other thresholds, mean ± spread over "
                   + "\(seedRange(lesson).en):",
               zh: "上限要多紧？同样的训练换几个阈值，\(seedRange(lesson).zh) 上的均值 ± 波动：")
    let thresholds = perSeed[0].sweep.map(\.maxNorm)
    let tightestCap = String(format: "%g", thresholds[0])
    func sample(_ k: Int, _ value: (TrainingRun) -> Double) -> SeedSample {
        SeedSample(perSeed.map { value($0.sweep[k].run) })
    }
    let train = thresholds.indices.map { k in sample(k) { measured($0, $0.trainLoss) } }
    let valid = thresholds.indices.map { k in sample(k) { measured($0, $0.validLoss) } }
    let clippedCounts = thresholds.indices.map { k in sample(k) { run in
        Double(zip(run.normsBefore, run.normsAfter).filter { $0 > $1 }.count) } }
    let rightTrain = SeedSample(perSeed.map { measured($0.right, $0.right.trainLoss) })
    let rightValid = SeedSample(perSeed.map { measured($0.right, $0.right.validLoss) })
    var sweep = Table(["max_norm", lesson.tr(en: "steps clipped", zh: "被裁剪的步数"),
                       lesson.tr(en: "train loss", zh: "训练损失"), lesson.tr(en: "valid loss", zh: "验证损失")])
    for k in thresholds.indices {
        sweep.append([.number(Double(thresholds[k]), format: "%g"),
                      .text("\(String(format: "%.0f", clippedCounts[k].mean)) / 200"),
                      .number(meanSpread(train[k], lesson.language)), .number(meanSpread(valid[k], lesson.language))])
    }
    sweep.append([.text(lesson.tr(en: "SGD lr 0.05, no clip", zh: "SGD lr 0.05，不裁剪")), "0 / 200",
                  .number(meanSpread(rightTrain, lesson.language)), .number(meanSpread(rightValid, lesson.language))])
    lesson.table(sweep)
    lesson.conclude("lesson3.clip.tightestVsRightRate", Comparison(train[0], rightTrain),
        lower: Localized(
            en: "The tightest cap (\(tightestCap)) even ends below plain SGD at the right rate "
                + "(\(meanSpread(train[0], .en)) "
                + "against \(meanSpread(rightTrain, .en))). Why: it clips nearly every step, so SGD moves a fixed "
                + "distance lr·max_norm per step (normalised gradient descent), long steps early and no blow-up.",
            zh: "最紧的上限（\(tightestCap)）甚至比合适学习率下的普通 SGD 还低（\(meanSpread(train[0], .zh)) 对 "
                + "\(meanSpread(rightTrain, .zh))）。原因：几乎每一步都被裁剪，SGD 每步只走固定的距离 lr·max_norm"
                + "（归一化梯度下降），前期步子大，又不会爆炸。"),
        higher: Localized(
            en: "The tightest cap (\(tightestCap)) trains, but ends above plain SGD at the right rate "
                + "(\(meanSpread(train[0], .en)) against \(meanSpread(rightTrain, .en))): clipping rescues a rate "
                + "that is too large; it does not replace choosing a good one.",
            zh: "最紧的上限（\(tightestCap)）能训练，但仍比合适学习率下的普通 SGD 高（\(meanSpread(train[0], .zh)) 对 "
                + "\(meanSpread(rightTrain, .zh))）：裁剪能救回太大的学习率，却代替不了选一个好的学习率。"),
        noDifference: noDifference(Localized(en: "The tightest cap against plain SGD at the right rate",
                                             zh: "最紧的上限与合适学习率下的普通 SGD 的比较")),
        diverged: Localized(en: "A run of the tightest cap or of plain SGD at 0.05 diverged: no comparison.",
                            zh: "最紧上限或 lr 0.05 普通 SGD 的某次训练发散了：无法比较。"))
    let loosest = thresholds.count - 1
    let loosestCap = String(format: "%g", thresholds[loosest])
    let loosestStopped = perSeed.filter { $0.sweep[loosest].run.diverged != nil }.count
    let loosestClipped = String(format: "%.0f", clippedCounts[loosest].mean)
    lesson.conclude("lesson3.clip.looseCapEnough",
                    .threshold(value: Double(loosestStopped), relation: .atMost, limit: 0), [
        "true": Localized(
            en: "Even the loosest cap (\(loosestCap)) clipped only \(loosestClipped) of 200 steps on average and "
                + "kept every run finite: capping the few steps that would have exploded is enough to stay finite.",
            zh: "即使最宽松的上限（\(loosestCap)）平均只裁剪了 200 步中的 \(loosestClipped) 步，也让每次训练保持"
                + "有限：只裁掉那几步本来会爆炸的，就足以让数值保持有限。"),
        "false": Localized(
            en: "The loosest cap (\(loosestCap)) let \(loosestStopped) of \(n) runs diverge: at this rate the "
                + "cap must be tighter.",
            zh: "最宽松的上限（\(loosestCap)）让 \(n) 次训练中的 \(loosestStopped) "
                + "次发散了：在这个学习率下上限必须更紧。"),
    ])
    let clippedSteps = zip(r.clipped.normsBefore, r.clipped.normsAfter).filter { $0 > $1 }.count
    func outcome(_ run: TrainingRun) -> String {
        run.stoppedAt.map { lesson.tr(en: "NaN guard at step \($0)", zh: "第 \($0) 步被 NaN 守卫停下") }
            ?? lesson.tr(en: "loss \(significant(run.trainLoss))", zh: "损失 \(significant(run.trainLoss))")
    }
    lesson.headline(en: "cell 5: lr \(clippingRate), seed \(lesson.seeds[0]), without clipping: "
        + "\(outcome(r.unclipped)); "
                        + "with clip \(significant(r.maxNorm)): \(outcome(r.clipped)) (clipped \(clippedSteps) of "
                        + "\(r.clipped.stepsDone) steps); diverged without clip \(unclippedStopped)/\(n), with "
                        + "\(clippedStopped)/\(n)",
                    zh: "第 5 格：lr \(clippingRate)，随机种子 "
                        + "\(lesson.seeds[0])，不裁剪：\(outcome(r.unclipped))；裁剪到 "
                        + "\(significant(r.maxNorm))：\(outcome(r.clipped))（\(r.clipped.stepsDone) 步中裁剪了 "
                        + "\(clippedSteps) 步）；发散次数：不裁剪 \(unclippedStopped)/\(n)，裁剪 "
                            + "\(clippedStopped)/\(n)")
}

/// Plain SGD at the right rate of cell 4 (0.05, no clipping), the bar a clipped run must beat.
func trainRightRate(seed: UInt64) -> TrainingRun {
    let problem = makeProblem(seed: seed)
    let model = MLP(sizes: [problem.features, 32, 1], seed: seed)
    return train(model, on: problem, TrainingConfig(optimizer: .sgd, learningRate: 0.05, steps: 200, seed: seed))
}
