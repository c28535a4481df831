import Dispatch
import Engine
import LessonKit

// Cell 9: data-parallel training, simulated.

/// K workers each compute the gradient on their share of a batch; the average equals the gradient
/// of the whole batch, so one step with either gives the same parameters.
struct DataParallelResult {
    let workers: Int
    let perWorkerBatch: Int
    /// fc1.weight.grad[0, 0..<4] of each worker, their average, and the big batch's.
    let workerSlices: [Tensor]
    let averagedSlice: Tensor
    let fullSlice: Tensor
    /// max |averaged gradient - big-batch gradient| over every parameter.
    let maxGradDifference: Float
    /// max |parameter after a step with the averaged gradient - after a step with the big-batch one|.
    let maxParameterDifference: Float
}

/// Simulates `workers` replicas of the cell-1 MLP, each on `perWorkerBatch` different samples
/// (mean MSE over its share), averages their gradients (the all-reduce), and compares with the
/// gradient of the mean MSE over the whole `workers × perWorkerBatch` batch; then takes one SGD step
/// (lr 0.05) with each.
func simulateDataParallel(seed: UInt64, workers: Int = 4, perWorkerBatch: Int) -> DataParallelResult {
    let problem = makeProblem(seed: seed)
    let b = Swift.min(perWorkerBatch, problem.train.count / workers)
    let batch = problem.train.subset(Array(0..<(workers * b)))      // x: [K·b, 50]
    let single = MLP(sizes: [problem.features, 32, 1], seed: seed)
    let replicas = (0..<workers).map { _ in single.copy() }

    // The big batch on one machine.
    Tensor.mseLoss(single(batch.inputs), batch.targets).backward()
    // Each worker on its share: rows k·b ..< (k+1)·b.
    for (k, replica) in replicas.enumerated() {
        let share = batch.subset(Array(k * b..<(k + 1) * b))
        Tensor.mseLoss(replica(share.inputs), share.targets).backward()
    }
    // The all-reduce: average the workers' gradients, parameter by parameter.
    let averaged: [Tensor] = single.parameters().indices.map { i in
        let sum = replicas.dropFirst().reduce(replicas[0].parameters()[i].grad!) { $0 + $1.parameters()[i].grad! }
        return sum / Float(workers)
    }
    let full = single.parameters().map { $0.grad! }
    func slice(_ g: Tensor) -> Tensor { g.narrow(dim: 0, start: 0, length: 1).narrow(dim: 1, start: 0, length: 4) }
    let workerSlices = replicas.map { slice($0.layers[0].weight.grad!) }
    let gradDifference = zip(averaged, full).map { ($0 - $1).abs().max().item }.max()!

    // One SGD step with each: worker 0 applies the averaged gradient (every worker would).
    for (p, g) in zip(replicas[0].parameters(), averaged) { p.grad = g }
    SGD(single.parameters(), learningRate: 0.05).step()
    SGD(replicas[0].parameters(), learningRate: 0.05).step()
    let parameterDifference = zip(single.parameters(),
        replicas[0].parameters()).map { ($0 - $1).abs().max().item }.max()!

    return DataParallelResult(workers: workers, perWorkerBatch: b, workerSlices: workerSlices,
                              averagedSlice: slice(averaged[0]), fullSlice: slice(full[0]),
                              maxGradDifference: gradDifference, maxParameterDifference: parameterDifference)
}

// MARK: - Data parallel on the machine's threads

/// A value shared with `concurrentPerform`'s threads. Each thread touches only its own worker's
/// model and gradients (index k), so no two threads write the same memory.
final class Shared<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}

/// One data-parallel training run to a validation target.
struct ParallelRun {
    let workers: Int
    /// Steps until the validation loss fell below the target (`nil`: not within the budget).
    let stepsToTarget: Int?
    /// The wall-clock seconds of the training steps alone (evaluation not counted).
    let seconds: Double
    /// Every parameter after the last step, in `parameters()` order, to compare bit for bit.
    let parameters: [[Float]]
    let diverged: TrainingDiverged?
}

let parallelBatch = 640, parallelRate = 0.05, parallelTarget: Float = 0.05, parallelBudget = 400

/// SGD on the cell-1 MLP where each step's batch of `parallelBatch` rows is cut into two halves; a
/// worker (its own copy of the model) computes the gradient of its half, and the two gradients are
/// averaged in a fixed order, (g₀ + g₁) / 2, before the master's step. With `workers: 1` one thread
/// computes the halves one after the other; with 2, `DispatchQueue.concurrentPerform` computes them
/// at the same time. Same arithmetic in the same order: the results are identical bit for bit.
func trainDataParallel(seed: UInt64, workers: Int) -> ParallelRun {
    let problem = makeProblem(seed: seed)
    let master = MLP(sizes: [problem.features, 32, 1], seed: seed)
    let replicas = Shared([master.copy(), master.copy()])
    let optimizer = SGD(master.parameters(), learningRate: parallelRate)
    let nanGuard = NaNGuard(master.namedParameters(), clipMaxNorm: nil)
    let loader = DataLoader(problem.train, batchSize: parallelBatch, shuffle: true, generator: Generator(seed: seed))
    // One matmul thread per worker: the two workers are the parallelism measured here.
    let previousThreads = matmulMaxThreads
    matmulMaxThreads = 1
    defer { matmulMaxThreads = previousThreads }
    var seconds = 0.0, step = 0, reached: Int?, diverged: TrainingDiverged?
    training: while step < parallelBudget {
        for (x, y) in loader {
            step += 1
            let half = x.shape[0] / 2
            let shares = Shared([(x.narrow(dim: 0, start: 0, length: half).copy(),
                                  y.narrow(dim: 0, start: 0, length: half).copy()),
                                 (x.narrow(dim: 0, start: half, length: x.shape[0] - half).copy(),
                                  y.narrow(dim: 0, start: half, length: x.shape[0] - half).copy())])
            let losses = Shared([Float](repeating: 0, count: 2))
            let start = DispatchTime.now().uptimeNanoseconds
            for replica in replicas.value {
                for (theirs, mine) in zip(replica.parameters(), master.parameters()) { theirs.assign(mine) }
                replica.zeroGrad()
            }
            // The work of one worker: forward and backward on its half.
            let work: @Sendable (Int) -> Void = { k in
                let (xk, yk) = shares.value[k]
                let loss = Tensor.mseLoss(replicas.value[k](xk), yk)
                loss.backward()
                losses.value[k] = loss.item
            }
            if workers == 2 {
                DispatchQueue.concurrentPerform(iterations: 2, execute: work)
            } else {
                for k in 0..<2 { work(k) }
            }
            // The all-reduce, in a fixed order.
            for (i, p) in master.parameters().enumerated() {
                let g0 = replicas.value[0].parameters()[i].grad!, g1 = replicas.value[1].parameters()[i].grad!
                p.grad = withNoGrad { (g0 + g1) * 0.5 }
            }
            let loss = (losses.value[0] + losses.value[1]) / 2
            do {
                try nanGuard.check(loss: loss, gradientNorm: gradNorm(master.parameters()), epoch: 1, step: step,
                                   learningRate: parallelRate, inputs: x)
            } catch let error as TrainingDiverged {
                diverged = error
                break training
            } catch { preconditionFailure("NaNGuard threw \(error)") }
            optimizer.step()
            seconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if evaluate(master, on: problem.validation) < parallelTarget {
                reached = step
                break training
            }
            if step >= parallelBudget { break training }
        }
    }
    return ParallelRun(workers: workers, stepsToTarget: reached, seconds: seconds,
                       parameters: master.parameters().map(\.scalars), diverged: diverged)
}

// MARK: - Cell 9: data-parallel training, simulated

func cell9DataParallel(_ lesson: Lesson, _ settings: Settings) {
    lesson.cell(9)
    lesson.say(en: """
        The blog post's other cure for slow training: distributed training. K workers hold identical copies \
        of the model, each takes a different slice of the batch, and they average their gradients \
        before the step. Because the mean loss over the batch is the mean of the slices' mean losses, \
        the averaged gradient is the big-batch gradient — up to rounding.
        """, zh: """
        原文治“训练太慢”的另一剂药：分布式训练。K 个工作节点持有相同的模型副本，各自处理批中不同的一段，\
        在更新之前把梯度取平均。因为整批的平均损失等于各段平均损失的平均，所以平均后的梯度就是大批的梯度 —— \
        只差舍入误差。
        """)
    let r = simulateDataParallel(seed: lesson.seeds[0], perWorkerBatch: settings.batchSize)
    for (k, s) in r.workerSlices.enumerated() { lesson.show(s, name: "worker \(k) grad") }
    lesson.show(r.averagedSlice, name: "average       ")
    lesson.show(r.fullSlice, name: "big batch     ")
    lesson.conclude("lesson3.parallel.sameGradient",
                    .threshold(value: Double(r.maxGradDifference), relation: .below, limit: 1e-5), [
        "true": Localized(en: "The largest difference between the averaged and the big-batch gradient is "
                              + "\(sci(r.maxGradDifference)): rounding, nothing more.",
                          zh: "平均梯度与大批梯度的最大差是 \(sci(r.maxGradDifference))：只是舍入误差。"),
        "false": Localized(en: "The averaged and the big-batch gradient differ by up to \(sci(r.maxGradDifference)), "
                               + "more than rounding.",
                           zh: "平均梯度与大批梯度最多相差 \(sci(r.maxGradDifference))，超过了舍入误差。"),
        "diverged": Localized(en: "A gradient is not finite.", zh: "某个梯度不是有限数。"),
    ])
    lesson.headline(en: "cell 9: \(r.workers) workers × \(r.perWorkerBatch) samples: max |averaged - big-batch "
                        + "gradient| = \(sci(r.maxGradDifference)); after one SGD step, max parameter difference = "
                        + "\(sci(r.maxParameterDifference))",
                    zh: "第 9 格：\(r.workers) 个节点 × \(r.perWorkerBatch) 个样本：平均梯度与大批梯度的最大差 = "
                        + "\(sci(r.maxGradDifference))；SGD 一步之后参数最大差 = \(sci(r.maxParameterDifference))")
    lesson.say(en: """
        Now on this machine's real threads: batches of \(parallelBatch), cut in two halves; with 1 worker one \
        thread computes both halves' gradients in turn, with 2 workers two threads compute them at the same \
        time (DispatchQueue.concurrentPerform), and the two gradients are averaged in a fixed order. SGD (lr \
        \(parallelRate)) until the validation loss is under \(parallelTarget).
        """, zh: """
        现在用这台机器真实的线程：每批 \(parallelBatch) 个样本，切成两半；1 个工作节点时一个线程先后算两半的梯度，\
        2 个工作节点时两个线程同时算（DispatchQueue.concurrentPerform），两份梯度按固定顺序取平均。\
        用 SGD（lr \(parallelRate)）训练到验证损失低于 \(parallelTarget)。
        """)
    let one = trainDataParallel(seed: lesson.seeds[0], workers: 1)
    let two = trainDataParallel(seed: lesson.seeds[0], workers: 2)
    let difference = zip(one.parameters, two.parameters).flatMap { zip($0, $1).map { Double(Swift.abs($0 - $1)) } }
        .max() ?? .nan
    var table = Table([lesson.tr(en: "workers", zh: "工作节点"), lesson.tr(en: "steps to target", zh: "达标步数"),
                       lesson.tr(en: "samples seen", zh: "处理样本数")]
                      + (settings.timing ? [lesson.tr(en: "seconds (measured)", zh: "秒（实测）")] : []))
    for run in [one, two] {
        table.append([.integer(run.workers), run.stepsToTarget.map { .integer($0) } ?? .text("> \(parallelBudget)"),
                      run.stepsToTarget.map { .number(grouped($0 * parallelBatch)) } ?? "—"]
                     + (settings.timing ? [.number(run.seconds, format: "%.3f")] : []))
    }
    lesson.say(en: "Seed \(lesson.seeds[0]):", zh: "随机种子 \(lesson.seeds[0])：")
    lesson.table(table)
    lesson.conclude("lesson3.parallel.identical", .threshold(value: difference, relation: .atMost, limit: 0), [
        "true": Localized(en: "1 and 2 workers end with identical parameters, bit for bit: the same arithmetic in the "
                              + "same order, only on more threads.",
                          zh: "1 个和 2 个工作节点最后的参数一模一样，连每一位都相同：同样的运算、同样的顺序，只是线程更多。"),
        "false": Localized(en: "1 and 2 workers end with parameters up to \(sci(difference)) apart.",
                           zh: "1 个和 2 个工作节点最后的参数最多相差 \(sci(difference))。"),
        "diverged": Localized(en: "A run diverged.", zh: "有一次训练发散了。"),
    ])
    if let diagnosis = one.diverged ?? two.diverged {
        lesson.lines(divergenceReport(diagnosis)(lesson.language).split(separator: "\n").map(String.init), bullet: "")
    }
    if settings.timing {
        let speedUp = one.seconds / two.seconds
        lesson.conclude("lesson3.parallel.speedUp", .threshold(value: speedUp, relation: .above, limit: 1.1), [
            "true": Localized(en: "Measured: 2 workers took \(fixed(two.seconds, 3)) s against "
                + "\(fixed(one.seconds, 3)) s, "
                                  + "a speed-up of \(fixed(speedUp, 2))× for the same result: problem 3, fixed.",
                              zh: "实测：2 个工作节点用了 \(fixed(two.seconds, 3)) 秒，1 个用了 \(fixed(one.seconds, 3)) 秒，"
                                  + "结果相同，加速 \(fixed(speedUp, 2)) 倍：问题 3 解决了。"),
            "false": Localized(en: "Measured: 2 workers took \(fixed(two.seconds, 3)) s against "
                + "\(fixed(one.seconds, 3)) s "
                                   + "(\(fixed(speedUp, 2))×): no speed-up now. A second thread only pays when a "
                                   + "core is "
                                   + "free for it; on a busy machine the hand-off can cost more than it saves.",
                               zh: "实测：2 个工作节点用了 \(fixed(two.seconds, 3)) 秒，1 个用了 \(fixed(one.seconds, 3)) 秒"
                                   + "（\(fixed(speedUp, 2)) 倍）：这次没有加速。第二个线程只有在有空闲核心时才划算；"
                                   + "机器繁忙时，线程交接的开销可能比省下的还多。"),
            "diverged": Localized(en: "The timing is not finite.", zh: "计时结果不是有限数。"),
        ])
    } else {
        lesson.say(en: "Run with --timing to measure the seconds and the speed-up of 2 workers over 1.",
                   zh: "加上 --timing 可以测量秒数，以及 2 个工作节点比 1 个快多少。")
    }
    let reached = one.stepsToTarget.map { "\($0)" } ?? "> \(parallelBudget)"
    lesson.headline(en: "cell 9: 1 and 2 workers on threads: \(reached) steps to validation loss < \(parallelTarget), "
                        + "max parameter difference \(sci(difference))",
                    zh: "第 9 格：1 个和 2 个工作节点（线程）：\(reached) 步达到验证损失 < \(parallelTarget)，"
                        + "参数最大差 \(sci(difference))")
}
