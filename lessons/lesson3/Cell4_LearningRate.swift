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
        let run = train(model, on: problem, TrainingConfig(optimizer: kind, learningRate: rate, steps: 200, seed: seed))
        return RateRun(label: label, labelZh: labelZh, optimizer: kind, learningRate: rate, run: run)
    }
}

// MARK: - Cell 4: the learning rate — too small, right, too large (and the NaN guard)

func cell4LearningRate(_ lesson: Lesson, _ settings: Settings) {
    lesson.step(en: "The learning rate: too small, right, too large", zh: "学习率：太小、合适、太大")
    lesson.say(en: """
        The learning rate is how far the student moves after each correction. Too small and nothing \
        is learnt in the time given; too large and every step overshoots the minimum by more than the \
        last, until the numbers overflow. The NaN guard stops the run at the first non-finite value \
        and says what probably went wrong.
        """, zh: """
        学习率是每次订正之后学生挪动的距离。太小，规定时间内什么也学不会；太大，每一步都比上一步冲得更远，\
        直到数值溢出。NaN 守卫在出现第一个非有限数时停下训练，并给出可能的原因。
        """)
    let runs = sweepLearningRates(seed: settings.seed, yourOptimizer: settings.optimizer, yourRate: settings.learningRate)
    lesson.plot(LineChart(title: lesson.tr(en: "training loss per step", zh: "每步训练损失"),
                          series: runs.map { .init("\($0.optimizer.rawValue) " +
                                                   "lr=\(String(format: "%g", $0.learningRate))",
                                                   $0.run.curve, x: $0.run.curveSteps.map(Float.init)) },
                          xLabel: lesson.tr(en: "step", zh: "步数"), logScale: true))
    var table = Table(["", lesson.tr(en: "optimizer", zh: "优化器"), "lr", lesson.tr(en: "steps", zh: "步数"),
                       lesson.tr(en: "train loss", zh: "训练损失"), lesson.tr(en: "valid loss", zh: "验证损失"),
                       lesson.tr(en: "NaN guard", zh: "NaN 守卫")])
    for r in runs {
        table.append([.text(lesson.tr(en: r.label,
                                      zh: r.labelZh)), .text(r.optimizer.rawValue), .number(r.learningRate, format: "%g"),
                      .integer(r.run.stepsDone), .number(Double(r.run.trainLoss), format: "%.4g"),
                      .number(Double(r.run.validLoss), format: "%.4g"),
                      .text(r.run.stoppedAt.map { lesson.tr(en: "stopped at step \($0)",
                                                            zh: "第 \($0) 步停下") } ?? "—")])
    }
    lesson.table(table)
    if let diverged = runs.first(where: { $0.run.diverged != nil }) {
        lesson.say(en: "The NaN guard's diagnosis of the \(diverged.label) run (lr = \(diverged.learningRate)):",
                   zh: "NaN 守卫对“\(diverged.labelZh)”那一组（lr = \(diverged.learningRate)）的诊断：")
        if let diagnosis = diverged.run.diverged {
            // The English wording in both languages, as before the wording moved here: the Chinese
            // one (`divergenceReport(_:).zh`) is printed once lesson outputs may change (issue 14).
            lesson.say(.init(stringLiteral: divergenceReport(diagnosis).en))
        }
        let norms = diverged.run.normsBefore.map(sci).joined(separator: ", ")
        lesson.say(en: "Its gradient norm step by step: \(norms)", zh: "它每一步的梯度范数：\(norms)")
    }
    let tooSmall = runs[0].run, right = runs[1].run, tooLarge = runs[2].run
    lesson.headline(
        en: "cell 4: SGD after 200 steps: lr 0.0005 loss \(significant(tooSmall.trainLoss)), lr 0.05 loss " +
            "\(significant(right.trainLoss)), "
            + "lr 1.0 " + (tooLarge.stoppedAt.map { "stopped by the NaN guard at step \($0)" } ?? "loss " +
                                                                                                  "\(significant(tooLarge.trainLoss))"),
        zh: "第 4 格：SGD 200 步后：lr 0.0005 损失 \(significant(tooSmall.trainLoss))，lr 0.05 损失 " +
            "\(significant(right.trainLoss))，"
            + "lr 1.0 " + (tooLarge.stoppedAt.map { "在第 \($0) 步被 NaN 守卫停下" } ?? "损失 " +
                                                                                        "\(significant(tooLarge.trainLoss))"))
    let yours = runs[3]
    let stopped = yours.run.stoppedAt.map { (en: "stopped by the NaN guard at step \($0)",
                                             zh: "在第 \($0) 步被 NaN 守卫停下") }
    lesson.headline(en: "cell 4: your run (\(yours.optimizer.rawValue), lr \(yours.learningRate)): "
                        + (stopped?.en ?? "train \(significant(yours.run.trainLoss)), valid " +
                                          "\(significant(yours.run.validLoss))"),
                    zh: "第 4 格：你的训练（\(yours.optimizer.rawValue)，lr \(yours.learningRate)）："
                        + (stopped?.zh ?? "训练 \(significant(yours.run.trainLoss))，验证 " +
                                          "\(significant(yours.run.validLoss))"))
}
