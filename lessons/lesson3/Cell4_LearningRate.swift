import Engine
import LessonKit

// Cell 4: the learning rate — too small, right, too large (and the NaN guard).

/// One run of the learning-rate sweep.
struct RateRun {
    /// What the rate is, in English and Chinese ("too small", "太小").
    let label: String
    let labelZh: String
    let optimizer: OptimizerKind
    let learningRate: Double
    let run: TrainingRun
}

/// SGD's three rates of the sweep: 100× too small, right, 20× too large.
let sweepRates: [(label: String, labelZh: String, rate: Double)] = [
    ("too small", "太小", 0.0005), ("right", "合适", 0.05), ("too large", "太大", 1.0),
]

/// Trains the cell-1 MLP for 200 steps with SGD at each of `sweepRates`, then with "your" optimizer
/// and learning rate (`--optimizer`, `--lr`). Every run goes through the NaN guard.
func sweepLearningRates(seed: UInt64, yourOptimizer: OptimizerKind, yourRate: Double) -> [RateRun] {
    let problem = makeProblem(seed: seed)
    let plan = sweepRates.map { ($0.label, $0.labelZh, OptimizerKind.sgd, $0.rate) }
        + [("your run", "你的训练", yourOptimizer, yourRate)]
    return plan.map { label, labelZh, kind, rate in
        let model = MLP(sizes: [problem.features, 32, 1], seed: seed)
        let run = train(model, on: problem, TrainingConfig(optimizer: kind, learningRate: rate, steps: 200, seed: seed,
                                                           keepsFrames: true))
        return RateRun(label: label, labelZh: labelZh, optimizer: kind, learningRate: rate, run: run)
    }
}

// MARK: - Cell 4: the learning rate — too small, right, too large (and the NaN guard)

func cell4LearningRate(_ lesson: Lesson, _ settings: Settings) {
    lesson.cell(4)
    lesson.say(en: """
        The learning rate is how far the student moves after each correction. Too small and nothing \
        is learnt in the time given; too large and every step overshoots the minimum by more than the \
        last, until the numbers overflow. The NaN guard stops the run at the first non-finite value \
        and says what probably went wrong.
        """, zh: """
        学习率是每次订正之后学生挪动的距离。太小，规定时间内什么也学不会；太大，每一步都比上一步冲得更远，\
        直到数值溢出。NaN 守卫在出现第一个非有限数时停下训练，并给出可能的原因。
        """)
    let sweeps = overSeeds(lesson, Localized(en: "cell 4: learning-rate sweep", zh: "第 4 格：学习率扫描")) {
        sweepLearningRates(seed: $0, yourOptimizer: settings.optimizer, yourRate: settings.learningRate)
    }
    let runs = sweeps[0]
    lesson.plot(LineChart(title: lesson.tr(en: "training loss per step, seed \(lesson.seeds[0])",
                                           zh: "每步训练损失，随机种子 \(lesson.seeds[0])"),
                          series: runs.map { $0.run.chartSeries("\($0.optimizer.rawValue) " +
                                                                 "lr=\(String(format: "%g", $0.learningRate))",
                                                                 $0.run.curve) },
                          xLabel: lesson.tr(en: "step", zh: "步数"), logScale: true))
    let n = lesson.seeds.count
    func sample(_ k: Int, _ value: (TrainingRun) -> Float) -> SeedSample {
        SeedSample(sweeps.map { measured($0[k].run, value($0[k].run)) })
    }
    let train = runs.indices.map { k in sample(k) { $0.trainLoss } }
    let valid = runs.indices.map { k in sample(k) { $0.validLoss } }
    let diverged = runs.indices.map { k in sweeps.filter { $0[k].run.diverged != nil }.count }
    var table = Table(["", lesson.tr(en: "optimizer", zh: "优化器"), "lr",
                       lesson.tr(en: "train loss", zh: "训练损失"), lesson.tr(en: "valid loss", zh: "验证损失"),
                       lesson.tr(en: "NaN guard", zh: "NaN 守卫")])
    for (k, r) in runs.enumerated() {
        table.append([.text(lesson.tr(en: r.label, zh: r.labelZh)), .text(r.optimizer.rawValue),
                      .number(r.learningRate, format: "%g"), .number(meanSpread(train[k], lesson.language)),
                      .number(meanSpread(valid[k], lesson.language)),
                      .text(lesson.tr(en: "stopped \(diverged[k])/\(n)", zh: "停下 \(diverged[k])/\(n)"))])
    }
    lesson.say(en: "200 steps each, mean ± spread over \(seedRange(lesson).en):",
               zh: "每组 200 步，\(seedRange(lesson).zh) 上的均值 ± 波动：")
    lesson.table(table)
    lesson.conclude("lesson3.lr.rightVsTooSmall", Comparison(train[1], train[0]),
        lower: Localized(en: "At lr 0.05 SGD ends far lower than at 0.0005 (\(meanSpread(train[1], .en)) against "
                             + "\(meanSpread(train[0], .en))): steps 100× shorter learn too little in 200 steps.",
                         zh: "lr 0.05 时 SGD 的损失远低于 0.0005 时（\(meanSpread(train[1], .zh)) 对 "
                             + "\(meanSpread(train[0], .zh))）：步子小 100 倍，200 步内学得太少。"),
        higher: Localized(en: "Here lr 0.0005 ends lower than 0.05 (\(meanSpread(train[0], .en)) against "
                              + "\(meanSpread(train[1], .en))).",
                          zh: "这里 lr 0.0005 反而比 0.05 低（\(meanSpread(train[0], .zh)) 对 "
                              + "\(meanSpread(train[1], .zh))）。"),
        noDifference: noDifference(Localized(en: "lr 0.05 against 0.0005", zh: "lr 0.05 与 0.0005 的比较")),
        diverged: Localized(en: "SGD at 0.05 or 0.0005 diverged on some seed: no comparison.",
                            zh: "lr 0.05 或 0.0005 的 SGD 在某个随机种子上发散了：无法比较。"))
    lesson.conclude("lesson3.lr.tooLargeDiverges",
                    .threshold(value: Double(diverged[2]), relation: .atLeast, limit: Double(n)), [
        "true": Localized(en: "At lr 1.0 the NaN guard stopped SGD on all \(n) seeds: every step overshoots the "
                              + "minimum by more than the last, until the numbers overflow.",
                          zh: "lr 1.0 时，NaN 守卫在全部 \(n) 个随机种子上都停下了 "
                              + "SGD：每一步都比上一步冲得更远，直到数值溢出。"),
        "false": Localized(en: "At lr 1.0 the NaN guard stopped SGD on \(diverged[2]) of \(n) seeds: at this rate "
                               + "whether a run overflows depends on its seed.",
                           zh: "lr 1.0 时，NaN 守卫在 \(n) 个随机种子中的 \(diverged[2]) 个上停下了 SGD："
                               + "在这个学习率下，会不会溢出取决于随机种子。"),
    ])
    if let (seedIndex, diverging) = sweeps.enumerated().lazy.compactMap({ i, sweep in
        sweep.first { $0.run.diverged != nil }.map { (i, $0) } }).first, let diagnosis = diverging.run.diverged {
        let seed = lesson.seeds[seedIndex]
        lesson.say(en: "The NaN guard's diagnosis of the \(diverging.label) run (lr = \(diverging.learningRate), "
                       + "seed \(seed)):",
                   zh: "NaN 守卫对“\(diverging.labelZh)”那一组（lr = \(diverging.learningRate)，随机种子 "
                       + "\(seed)）的诊断：")
        lesson.lines(divergenceReport(diagnosis)(lesson.language).split(separator: "\n").map(String.init), bullet: "")
        let norms = diverging.run.normsBefore.map(sci).joined(separator: ", ")
        lesson.say(en: "Its gradient norm step by step: \(norms)", zh: "它每一步的梯度范数：\(norms)")
    }
    // The first seed's four runs, frame by frame, in the --report page's step-through.
    // (A run the NaN guard stopped before its first frame has nothing to replay.)
    for r in runs where !r.run.record.frames.isEmpty {
        let (name, seed) = ("\(r.optimizer.rawValue), lr \(r.learningRate)", lesson.seeds[0])
        var record = r.run.record
        record.title = lesson.tr(en: "\(name) (\(r.label), seed \(seed))",
                                 zh: "\(name)（\(r.labelZh)，随机种子 \(seed)）")
        lesson.training(record)
    }
    let yours = runs[3]
    lesson.conclude("lesson3.lr.yoursVsRight", Comparison(valid[3], valid[1]),
        lower: Localized(en: "Your run (\(yours.optimizer.rawValue), lr \(yours.learningRate)) validates better than "
                             + "SGD at 0.05.",
                         zh: "你的训练（\(yours.optimizer.rawValue)，lr \(yours.learningRate)）在验证集上比 lr 0.05 "
                             + "的 SGD 好。"),
        higher: Localized(en: "Your run (\(yours.optimizer.rawValue), lr \(yours.learningRate)) validates worse than "
                              + "SGD at 0.05.",
                          zh: "你的训练（\(yours.optimizer.rawValue)，lr \(yours.learningRate)）在验证集上比 lr "
                              + "0.05 的 SGD 差。"),
        noDifference: noDifference(Localized(en: "Your run against SGD at 0.05", zh: "你的训练与 lr 0.05 的 SGD "
            + "的比较")),
        diverged: Localized(en: "Your run (or SGD at 0.05) diverged on some seed: its numbers are not learning.",
                            zh: "你的训练（或 lr 0.05 的 SGD）在某个随机种子上发散了：这些数字不代表学到了东西。"))
    let rightTrain = lesson.meanSpread(train[1], verdictOf: "lesson3.lr.rightVsTooSmall",
                                       against: Localized(en: "lr 0.0005", zh: "lr 0.0005"))
    lesson.headline(
        en: "cell 4: SGD after 200 steps over \(n) seeds: lr 0.0005 loss \(meanSpread(train[0], .en)), lr 0.05 loss "
            + "\(rightTrain), lr 1.0 stopped by the NaN guard on \(diverged[2])/\(n)",
        zh: "第 4 格：SGD 200 步，\(n) 个随机种子：lr 0.0005 损失 \(meanSpread(train[0], .zh))，lr 0.05 损失 "
            + "\(rightTrain)，lr 1.0 被 NaN 守卫停下 \(diverged[2])/\(n)")
    let yourValid = lesson.meanSpread(valid[3], verdictOf: "lesson3.lr.yoursVsRight",
                                      against: Localized(en: "SGD at 0.05", zh: "lr 0.05 的 SGD"))
    lesson.headline(en: "cell 4: your run (\(yours.optimizer.rawValue), lr \(yours.learningRate)): train "
                        + "\(meanSpread(train[3], .en)), valid \(yourValid)",
                    zh: "第 4 格：你的训练（\(yours.optimizer.rawValue)，lr \(yours.learningRate)）：训练 "
                        + "\(meanSpread(train[3], .zh))，验证 \(yourValid)")
}
