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

/// The learning rate each optimizer gets in the race (chosen by a small sweep on this problem; momentum
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
    lesson.cell(3)
    lesson.say(en: """
        The same student (same initial weights), the same exercises (same batches), four optimizers. \
        SGD steps along -gradient; momentum keeps a running sum of past corrections; Adam divides each \
        weight's step by the size of its recent gradients; AdamW adds decoupled weight decay.
        """, zh: """
        同一个学生（同样的初始权重）、同样的练习（同样的批次），四种优化器。SGD 沿负梯度走一步；动量法累积过去的订正；\
        Adam 把每个权重的步长除以它最近梯度的大小；AdamW 再加上解耦的权重衰减。
        """)
    let races = overSeeds(lesson, Localized(en: "cell 3: optimizer race", zh: "第 3 格：优化器比赛")) {
        raceOptimizers(seed: $0)
    }
    let (runs, peek, sgd) = races[0]
    lesson.say(en: "SGD's first step, for four weights of fc1.weight[0] (lr \(raceLearningRates[.sgd]!), "
                   + "seed \(lesson.seeds[0])): after = before - lr · grad",
               zh: "SGD 的第一步，fc1.weight[0] 的四个权重（lr \(raceLearningRates[.sgd]!)，随机种子 "
                   + "\(lesson.seeds[0])）：之后 = 之前 - lr · grad")
    lesson.show(sgd.before, name: "before")
    lesson.show(sgd.grad, name: "grad  ")
    lesson.show(sgd.after, name: "after ")
    lesson.plot(LineChart(title: lesson.tr(en: "training loss (MSE) per step, seed \(lesson.seeds[0])",
                                           zh: "每步的训练损失（MSE），随机种子 \(lesson.seeds[0])"),
                          series: runs.map { .init($0.kind.rawValue, $0.run.curve,
                              x: $0.run.curveSteps.map(Float.init)) },
                          xLabel: lesson.tr(en: "step", zh: "步数"), logScale: true))
    func sample(_ k: Int, _ value: (OptimizerRun) -> Float) -> SeedSample {
        SeedSample(races.map { race in
            let r = race.runs[k]
            return measured(r.run, value(r))
        })
    }
    let checkpoints = [50, raceSteps]
    let atStep = checkpoints.map { step in
        OptimizerKind.allCases.indices.map { k in sample(k) { $0.loss(after: step) } }
    }
    let valid = OptimizerKind.allCases.indices.map { k in sample(k) { $0.run.validLoss } }
    var table = Table([lesson.tr(en: "optimizer", zh: "优化器"), "lr"]
                      + checkpoints.map { lesson.tr(en: "loss @\($0)", zh: "第 \($0) 步损失") }
                      + [lesson.tr(en: "valid loss", zh: "验证损失")])
    for (k, r) in runs.enumerated() {
        table.append([.text(r.kind.rawValue), .number(r.learningRate, format: "%g")]
                     + atStep.map { .number(meanSpread($0[k], lesson.language)) }
                     + [.number(meanSpread(valid[k], lesson.language))])
    }
    lesson.say(en: "Mean ± spread over \(seedRange(lesson).en):", zh: "\(seedRange(lesson).zh) 上的均值 ± 波动：")
    lesson.table(table)
    let final = atStep[1]
    func race(_ id: String, _ a: Int, _ b: Int, why: Localized) {
        let (na, nb) = (OptimizerKind.allCases[a].rawValue, OptimizerKind.allCases[b].rawValue)
        lesson.conclude("lesson3.optimizer.\(na)Vs\(nb)", Comparison(final[a], final[b]),
            lower: Localized(en: "\(na) ends lower than \(nb) after \(raceSteps) steps (\(meanSpread(final[a], .en)) "
                                 + "against \(meanSpread(final[b], .en))). " + why.en,
                             zh: "\(raceSteps) 步后 \(na) 比 \(nb) 低（\(meanSpread(final[a], .zh)) 对 "
                                 + "\(meanSpread(final[b], .zh))）。" + why.zh),
            higher: Localized(en: "\(na) ends higher than \(nb) after \(raceSteps) steps (\(meanSpread(final[a], .en)) "
                                  + "against \(meanSpread(final[b], .en))) at these learning rates.",
                              zh: "在这些学习率下，\(raceSteps) 步后 \(na) 比 \(nb) "
                                  + "高（\(meanSpread(final[a], .zh)) 对 "
                                  + "\(meanSpread(final[b], .zh))）。"),
            noDifference: noDifference(Localized(en: "\(na) against \(nb) after \(raceSteps) steps",
                                                 zh: "\(raceSteps) 步后 \(na) 与 \(nb) 的比较")),
            diverged: Localized(en: "\(na) or \(nb) diverged on some seed: no comparison.",
                                zh: "\(na) 或 \(nb) 在某个随机种子上发散了：无法比较。"))
    }
    race("momentum", 1, 0, why: Localized(en: "Why: the running sum keeps moving along directions the "
                                              + "gradients agree on, so it covers more ground per step.",
                                          zh: "原因：累积的动量沿着各步梯度一致的方向持续前进，每步走得更远。"))
    race("adam", 2, 0, why: Localized(en: "Why: Adam scales each weight's step to its own gradients, so weights "
                                          + "with small gradients move as fast as the others.",
                                      zh: "原因：Adam 按每个权重自己的梯度调整步长，梯度小的权重也和别的走得一样快。"))
    race("adamw", 3, 2, why: Localized(en: "Here the decoupled decay (0.01) "
        + "helped.", zh: "在这里，解耦的衰减（0.01）有帮助。"))
    lesson.say(en: "Inside Adam after \(peek.step) steps, for four weights of fc1.weight[0]:",
               zh: "第 \(peek.step) 步之后 Adam 的内部状态（fc1.weight[0] 的四个权重）：")
    lesson.show(peek.grad, name: "grad      ")
    lesson.show(peek.expAvg, name: "exp_avg   ")
    lesson.show(peek.expAvgSq, name: "exp_avg_sq")
    lesson.show(peek.update, name: "update    ")
    let lr = Float(raceLearningRates[.adam]!)
    let smallest = Double(peek.update.scalars.map { Swift.abs($0) / lr }.min() ?? .nan)
    lesson.conclude("lesson3.optimizer.adamStepNearLr", .threshold(value: smallest, relation: .atLeast, limit: 0.5), [
        "true": Localized(
            en: "Every update is close to ±lr whatever the gradient's size (smallest |update|/lr "
                + "\(significant(Float(smallest), 3))): m̂/√v̂ is about ±1 while the signs agree. That is why "
                + "Adam needs no per-layer tuning of the learning rate.",
            zh: "无论梯度大小，每次更新都接近 ±lr（最小的 |update|/lr 为 \(significant(Float(smallest), 3))）："
                + "只要符号一致，m̂/√v̂ 大约是 ±1。所以 Adam 不需要为每一层单独调学习率。"),
        "false": Localized(
            en: "Some updates are far below lr (smallest |update|/lr \(significant(Float(smallest), 3))): m̂/√v̂ "
                + "shrinks when the recent gradients of a weight disagree in sign.",
            zh: "有些更新远小于 lr（最小的 |update|/lr 为 \(significant(Float(smallest), 3))）："
                + "当一个权重最近的梯度符号不一致时，m̂/√v̂ 会变小。"),
        "diverged": Localized(en: "Adam's update is not finite.", zh: "Adam 的更新不是有限数。"),
    ])
    // Mean ± spread, and the verdict of each race above (momentum and adam against sgd, adamw against adam).
    let claimOf = [1: "lesson3.optimizer.momentumVssgd", 2: "lesson3.optimizer.adamVssgd",
                   3: "lesson3.optimizer.adamwVsadam"]
    let summary = OptimizerKind.allCases.enumerated().map { k, kind in
        "\(kind.rawValue) \(lesson.meanSpread(final[k], verdictOf: claimOf[k]))"
    }.joined(separator: lesson.tr(en: ", ", zh: "，"))
    lesson.headline(en: "cell 3: training loss after \(raceSteps) steps, \(lesson.seeds.count) seeds (verdicts: "
                        + "momentum and adam against sgd, adamw against adam): \(summary)",
                    zh: "第 3 格：\(raceSteps) 步后的训练损失（\(lesson.seeds.count) "
                        + "个随机种子；括号里的结论：momentum 和 adam 对 sgd，adamw 对 adam）：\(summary)")
}
