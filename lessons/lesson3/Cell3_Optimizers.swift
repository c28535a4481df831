import Engine
import Foundation
import LessonKit

// Cell 3: four ways to read the notebook of mistakes (SGD, momentum, Adam, AdamW).

/// One optimizer's run on the cell-1 problem.
struct OptimizerRun {
    let kind: OptimizerKind
    let learningRate: Double
    let run: TrainingRun
    /// The training loss after `step` steps (a multiple of the run's `evalEvery`).
    func loss(after step: Int) -> Float { run.curve[run.curveSteps.firstIndex(of: step)!] }
}

/// What Adam remembers about four weights (`fc1.weight[0, 0..<4]`) after a few steps.
struct AdamPeek {
    let step: Int
    let grad: Tensor, expAvg: Tensor, expAvgSq: Tensor
    /// The update Adam just applied: -lr · m̂ / (√v̂ + ε).
    let update: Tensor
}

/// SGD's first step by hand, for four weights (`fc1.weight[0, 0..<4]`): after = before - lr · grad.
struct SGDPeek {
    let before: Tensor, grad: Tensor, after: Tensor
}

/// The learning rate each optimizer gets in the race (each near its best on this problem; momentum
/// takes ~1/(1-μ) = 10× bigger effective steps than SGD at the same rate).
let raceLearningRates: [OptimizerKind: Double] = [.sgd: 0.05, .momentum: 0.01, .adam: 0.01, .adamw: 0.01]
let raceSteps = 200

/// Trains the same initial MLP (50 -> 32 -> 1) on the same batches with each optimizer for
/// `raceSteps` steps; AdamW with PyTorch's default decay 0.01. Peeks into Adam after `peekStep` steps.
func raceOptimizers(seed: UInt64, peekStep: Int = 3) -> (runs: [OptimizerRun], peek: AdamPeek, sgd: SGDPeek) {
    let problem = makeProblem(seed: seed)
    func firstFour(_ t: Tensor) -> Tensor { t.reshape([t.count]).narrow(dim: 0, start: 0, length: 4).copy() }
    var peek: AdamPeek?
    var sgdPeek: SGDPeek?
    let runs = OptimizerKind.allCases.map { kind -> OptimizerRun in
        let model = MLP(sizes: [problem.features, 32, 1], seed: seed)
        let lr = raceLearningRates[kind]!
        let config = TrainingConfig(optimizer: kind, learningRate: lr, steps: raceSteps,
                                    weightDecay: kind == .adamw ? 0.01 : 0, seed: seed)
        let initial = firstFour(model.layers[0].weight)
        let run = train(model, on: problem, config) { step, optimizer in
            if kind == .sgd && step == 1 {
                sgdPeek = SGDPeek(before: initial, grad: firstFour(model.layers[0].weight.grad!),
                                  after: firstFour(model.layers[0].weight))
            }
            guard kind == .adam, step == peekStep, let adam = optimizer as? Adam else { return }
            let m = firstFour(adam.expAvg[0]), v = firstFour(adam.expAvgSq[0])
            let t = Double(step)
            let mHat = m / Float(1 - pow(0.9, t))           // bias correction: m started at 0
            let vHat = v / Float(1 - pow(0.999, t))
            let update = -Float(lr) * mHat / (vHat.sqrt() + 1e-8)
            peek = AdamPeek(step: step, grad: firstFour(model.layers[0].weight.grad!), expAvg: m,
                            expAvgSq: v, update: update)
        }
        return OptimizerRun(kind: kind, learningRate: lr, run: run)
    }
    return (runs, peek!, sgdPeek!)
}

// MARK: - Cell 3: four ways to read the notebook of mistakes (SGD, momentum, Adam, AdamW)

func cell3Optimizers(_ lesson: Lesson, _ settings: Settings) {
    lesson.step(en: "Four ways to read the notebook of mistakes", zh: "读错题本的四种方法")
    lesson.say(en: """
        The same student (same initial weights), the same exercises (same batches), four optimizers. \
        SGD steps along -gradient; momentum keeps a running sum of past corrections; Adam divides each \
        weight's step by the size of its recent gradients; AdamW adds decoupled weight decay.
        """, zh: """
        同一个学生（同样的初始权重）、同样的练习（同样的批次），四种优化器。SGD 沿负梯度走一步；动量法累积过去的订正；\
        Adam 把每个权重的步长除以它最近梯度的大小；AdamW 再加上解耦的权重衰减。
        """)
    let (runs, peek, sgd) = raceOptimizers(seed: settings.seed)
    lesson.say(en: "SGD's first step, for four weights of fc1.weight[0] (lr \(raceLearningRates[.sgd]!)): after = " +
                   "before - lr · grad",
               zh: "SGD 的第一步，fc1.weight[0] 的四个权重（lr \(raceLearningRates[.sgd]!)）：之后 = 之前 - lr · grad")
    lesson.show(sgd.before, name: "before")
    lesson.show(sgd.grad, name: "grad  ")
    lesson.show(sgd.after, name: "after ")
    lesson.plot(LineChart(title: lesson.tr(en: "training loss (MSE) per step", zh: "每步的训练损失（MSE）"),
                          series: runs.map { .init($0.kind.rawValue, $0.run.curve, x: $0.run.curveSteps.map(Float.init)) },
                          xLabel: lesson.tr(en: "step", zh: "步数"), logScale: true))
    var table = Table([lesson.tr(en: "optimizer", zh: "优化器"), "lr"]
                      + [10, 50, 100, 200].map { lesson.tr(en: "loss @\($0)", zh: "第 \($0) 步损失") }
                      + [lesson.tr(en: "valid loss", zh: "验证损失")])
    for r in runs {
        table.append([.text(r.kind.rawValue), .number(r.learningRate, format: "%g")]
                     + [10, 50, 100, 200].map { .number(Double(r.loss(after: $0))) }
                     + [.number(Double(r.run.validLoss))])
    }
    lesson.table(table)
    lesson.say(en: "Inside Adam after \(peek.step) steps, for four weights of fc1.weight[0]:",
               zh: "第 \(peek.step) 步之后 Adam 的内部状态（fc1.weight[0] 的四个权重）：")
    lesson.show(peek.grad, name: "grad      ")
    lesson.show(peek.expAvg, name: "exp_avg   ")
    lesson.show(peek.expAvgSq, name: "exp_avg_sq")
    lesson.show(peek.update, name: "update    ")
    lesson.say(en: """
        Every update is close to ±lr whatever the gradient's size: m̂/√v̂ is about ±1 while the signs \
        agree. That is why Adam needs no per-layer tuning of the learning rate.
        """, zh: """
        无论梯度大小，每次更新都接近 ±lr：只要符号一致，m̂/√v̂ 大约是 ±1。所以 Adam 不需要为每一层单独调学习率。
        """)
    let summary = runs.map { "\($0.kind.rawValue) \(significant($0.run.trainLoss))" }.joined(separator: ", ")
    lesson.headline(en: "cell 3: training loss after \(raceSteps) steps: \(summary)",
                    zh: "第 3 格：\(raceSteps) 步后的训练损失：\(summary)")
}
