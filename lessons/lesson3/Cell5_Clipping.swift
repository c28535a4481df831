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
                                                        clipNorm: clip, seed: seed))
    }
    // One step by hand, on the first batch the training loop would draw.
    let model = MLP(sizes: [problem.features, 32, 1], seed: seed)
    var batches = DataLoader(problem.train, batchSize: 32, shuffle: true, generator: Generator(seed: seed)).makeIterator()
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
func sweepClipThresholds(seed: UInt64, thresholds: [Float] = [0.25, 0.5, 1, 2, 4]) -> [(maxNorm: Float, run: TrainingRun)] {
    let problem = makeProblem(seed: seed)
    return thresholds.map { maxNorm in
        let model = MLP(sizes: [problem.features, 32, 1], seed: seed)
        return (maxNorm, train(model, on: problem, TrainingConfig(optimizer: .sgd, learningRate: clippingRate, steps: 200,
                                                                  clipNorm: maxNorm, seed: seed)))
    }
}

// MARK: - Cell 5: gradient clipping under a high learning rate

func cell5Clipping(_ lesson: Lesson, _ settings: Settings) {
    lesson.step(en: "Gradient clipping under a high learning rate", zh: "高学习率下的梯度裁剪")
    lesson.say(en: """
        SGD at lr = \(clippingRate), ten times the right rate. clipGradNorm rescales all gradients \
        together whenever their global norm exceeds max_norm (--clip, the seed's 1.0): the direction \
        is kept, only the step's length is capped.
        """, zh: """
        SGD，lr = \(clippingRate)，是合适学习率的十倍。只要全局梯度范数超过 max_norm（--clip，种子脚本用 1.0），\
        clipGradNorm 就把所有梯度一起缩小：方向不变，只限制步长。
        """)
    let r = compareClipping(seed: settings.seed, maxNorm: settings.clip)
    lesson.say(en: "Step 1: the global norm is \(significant(r.firstNorm)); one row of fc1.weight.grad before and " +
                   "after clipping:",
               zh: "第 1 步：全局范数是 \(significant(r.firstNorm))；fc1.weight.grad 的一行，裁剪前后：")
    lesson.show(r.gradBefore, name: "before")
    lesson.show(r.gradAfter, name: "after ")
    var table = Table([lesson.tr(en: "step", zh: "步"), lesson.tr(en: "no clip: norm", zh: "不裁剪：范数"),
                       lesson.tr(en: "clip: norm before", zh: "裁剪：裁剪前"), lesson.tr(en: "clip: norm after", zh: "裁剪：裁剪后")])
    for i in 0..<10 {
        func cell(_ norms: [Float]) -> TableCell { i < norms.count ? .number(Double(norms[i]), format: "%.4g") : "—" }
        table.append([.integer(i + 1), cell(r.unclipped.normsBefore), cell(r.clipped.normsBefore), cell(r.clipped.normsAfter)])
    }
    lesson.table(table)
    lesson.plot(LineChart(title: lesson.tr(en: "training loss, lr \(clippingRate)", zh: "训练损失，lr \(clippingRate)"),
                          series: [.init(lesson.tr(en: "clip \(significant(r.maxNorm))",
                                                   zh: "裁剪 \(significant(r.maxNorm))"),
                                         r.clipped.curve, x: r.clipped.curveSteps.map(Float.init)),
                                   .init(lesson.tr(en: "no clipping", zh: "不裁剪"),
                                         r.unclipped.curve, x: r.unclipped.curveSteps.map(Float.init))],
                          xLabel: lesson.tr(en: "step", zh: "步数"), logScale: true))
    lesson.say(en: "How tight must the cap be? The same run with other thresholds:",
               zh: "上限要多紧？同样的训练换几个阈值：")
    var sweep = Table(["max_norm", lesson.tr(en: "steps clipped", zh: "被裁剪的步数"), lesson.tr(en: "train loss", zh: "训练损失"),
                       lesson.tr(en: "valid loss", zh: "验证损失"), lesson.tr(en: "NaN guard", zh: "NaN 守卫")])
    for (maxNorm, run) in sweepClipThresholds(seed: settings.seed) {
        sweep.append([.number(Double(maxNorm), format: "%g"),
                      .text("\(zip(run.normsBefore, run.normsAfter).filter { $0 > $1 }.count) / " +
                            "\(run.normsBefore.count)"),
                      .number(Double(run.trainLoss), format: "%.4g"), .number(Double(run.validLoss), format: "%.4g"),
                      .text(run.stoppedAt.map { lesson.tr(en: "stopped at step \($0)",
                                                          zh: "第 \($0) 步停下") } ?? "—")])
    }
    lesson.table(sweep)
    lesson.say(en: """
        A tight cap clips nearly every step, and SGD then moves a fixed distance lr·max_norm per step \
        (normalised gradient descent) — here it even beats plain SGD at the right rate. A loose cap \
        clips only the few steps that would have exploded, and that is already enough to stay finite.
        """, zh: """
        上限很紧时几乎每一步都被裁剪，SGD 每步只走固定的距离 lr·max_norm（归一化梯度下降）—— \
        在这里甚至比合适学习率下的普通 SGD 还好。\
        上限宽松时只裁剪少数几步，也就是那些本来会爆炸的步，这就足以让数值保持有限。
        """)
    let clippedSteps = zip(r.clipped.normsBefore, r.clipped.normsAfter).filter { $0 > $1 }.count
    func outcome(_ run: TrainingRun) -> String {
        run.stoppedAt.map { lesson.tr(en: "NaN guard at step \($0)", zh: "第 \($0) 步被 NaN 守卫停下") }
            ?? lesson.tr(en: "loss \(significant(run.trainLoss))", zh: "损失 \(significant(run.trainLoss))")
    }
    lesson.headline(en: "cell 5: lr \(clippingRate) without clipping: \(outcome(r.unclipped)); with clip " +
                        "\(significant(r.maxNorm)): "
                        + "\(outcome(r.clipped)) (clipped \(clippedSteps) of \(r.clipped.stepsDone) steps)",
                    zh: "第 5 格：lr \(clippingRate) 不裁剪：\(outcome(r.unclipped))；裁剪到 " +
                        "\(significant(r.maxNorm))："
                        + "\(outcome(r.clipped))（\(r.clipped.stepsDone) 步中裁剪了 \(clippedSteps) 步）")
}
