import Engine
import LessonKit

// MARK: - Cell 5: gradient clipping under a high learning rate

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
    lesson.say(en: "Step 1: the global norm is \(fmt(r.firstNorm)); one row of fc1.weight.grad before and after clipping:",
               zh: "第 1 步：全局范数是 \(fmt(r.firstNorm))；fc1.weight.grad 的一行，裁剪前后：")
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
                          series: [.init(lesson.tr(en: "clip \(fmt(r.maxNorm))", zh: "裁剪 \(fmt(r.maxNorm))"),
                                         r.clipped.curve, x: r.clipped.curveSteps.map(Float.init)),
                                   .init(lesson.tr(en: "no clipping", zh: "不裁剪"),
                                         r.unclipped.curve, x: r.unclipped.curveSteps.map(Float.init))],
                          xLabel: lesson.tr(en: "step", zh: "步数"), logScale: true))
    let clippedSteps = zip(r.clipped.normsBefore, r.clipped.normsAfter).filter { $0 > $1 }.count
    func outcome(_ run: TrainingRun) -> String {
        run.stoppedAt.map { lesson.tr(en: "NaN guard at step \($0)", zh: "第 \($0) 步被 NaN 守卫停下") }
            ?? lesson.tr(en: "loss \(fmt(run.trainLoss))", zh: "损失 \(fmt(run.trainLoss))")
    }
    lesson.headline(en: "cell 5: lr \(clippingRate) without clipping: \(outcome(r.unclipped)); with clip \(fmt(r.maxNorm)): "
                        + "\(outcome(r.clipped)) (clipped \(clippedSteps) of \(r.clipped.stepsDone) steps)",
                    zh: "第 5 格：lr \(clippingRate) 不裁剪：\(outcome(r.unclipped))；裁剪到 \(fmt(r.maxNorm))："
                        + "\(outcome(r.clipped))（\(r.clipped.stepsDone) 步中裁剪了 \(clippedSteps) 步）")
}
