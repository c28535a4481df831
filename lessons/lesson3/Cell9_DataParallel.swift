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
    cell9RealThreads(lesson, settings)
}

// MARK: - Cell 9: data-parallel training on real threads

/// The two networks raced on 1 and 2 workers, with the names of their claims: the cell-1 MLP and the wide one.
let racedNetworks: [(key: String, sizes: [Int])] = [("narrow", [50, 32, 1]), ("wide", wideSizes)]

func cell9RealThreads(_ lesson: Lesson, _ settings: Settings) {
    func name(_ sizes: [Int]) -> String { "[" + sizes.map(String.init).joined(separator: ", ") + "]" }
    func flops(_ sizes: [Int]) -> String { sci(Double(flopsPerStep(sizes: sizes, batchSize: parallelBatch))) }
    let (narrow, wide) = (racedNetworks[0].sizes, racedNetworks[1].sizes)
    lesson.say(en: """
        Now on this machine's real threads. A second thread costs a fixed hand-off (microseconds to wake \
        it, more on a busy machine) and saves in proportion to the work it takes over, so two networks \
        race: the cell-1 MLP \(name(narrow)), \(flops(narrow)) FLOPs a step, and a wider \(name(wide)), \
        \(flops(wide)) FLOPs a step. Each batch of \(parallelBatch) is cut in two halves; with 1 worker one \
        thread computes both halves' gradients in turn, with 2 workers two threads compute them at the same \
        time (DispatchQueue.concurrentPerform, one matmul thread each), and the two gradients are averaged in \
        a fixed order. SGD (lr \(parallelRate)) until the validation loss is under \(parallelTarget).
        """, zh: """
        现在用这台机器真实的线程。第二个线程有固定的交接开销（唤醒它要几微秒，机器繁忙时更多），省下的时间则与它\
        接手的计算量成正比，所以让两个网络比赛：第 1 格的 MLP \(name(narrow))，每步 \(flops(narrow)) FLOPs；\
        更宽的 \(name(wide))，每步 \(flops(wide)) FLOPs。每批 \(parallelBatch) 个样本切成两半；1 个工作节点时\
        一个线程先后算两半的梯度，2 个工作节点时两个线程同时算（DispatchQueue.concurrentPerform，每个线程的矩阵\
        乘法只用一个线程），两份梯度按固定顺序取平均。用 SGD（lr \(parallelRate)）训练到验证损失低于 \
        \(parallelTarget)。
        """)
    let repetitions = settings.timing ? timedRepetitions : 1
    let races = racedNetworks.map { raceWorkers(seed: lesson.seeds[0], repetitions: repetitions, sizes: $0.sizes) }
    // Every run of a network against its first 1-worker run: the largest difference over all.
    let difference = races.flatMap { race in
        (race.one + race.two).map { maxDifference(race.one[0].parameters, $0.parameters) }
    }.max() ?? .nan
    var table = Table([lesson.tr(en: "network", zh: "网络"), lesson.tr(en: "workers", zh: "工作节点"),
                       lesson.tr(en: "steps to target", zh: "达标步数"),
                       lesson.tr(en: "samples seen", zh: "处理样本数")]
                      + (settings.timing ? [lesson.tr(en: "median seconds", zh: "秒（中位数）")] : []))
    for (network, race) in zip(racedNetworks, races) {
        for runs in [race.one, race.two] {
            let run = runs[0]
            table.append([.text(name(network.sizes)), .integer(run.workers),
                          run.stepsToTarget.map { .integer($0) } ?? .text("> \(parallelBudget)"),
                          run.samples.map { .number(grouped($0)) } ?? "—"]
                         + (settings.timing ? [.number(median(secondsToTarget(runs).values), format: "%.3f")] : []))
        }
    }
    lesson.say(en: "Seed \(lesson.seeds[0]):", zh: "随机种子 \(lesson.seeds[0])：")
    lesson.table(table)
    let runCount = races.reduce(0) { $0 + $1.one.count + $1.two.count }
    lesson.conclude("lesson3.parallel.identical", .threshold(value: difference, relation: .atMost, limit: 0), [
        "true": Localized(en: "1 and 2 workers end with identical parameters, bit for bit, in all \(runCount) runs "
                              + "(each against its network's first 1-worker run): the same arithmetic in the same "
                              + "order, only on more threads.",
                          zh: "全部 \(runCount) 次运行中，1 个和 2 个工作节点最后的参数一模一样，连每一位都相同"
                              + "（每次都与同一网络第一次 1 个工作节点的运行比较）：同样的运算、同样的顺序，"
                              + "只是线程更多。"),
        "false": Localized(en: "1 and 2 workers end with parameters up to \(sci(difference)) apart.",
                           zh: "1 个和 2 个工作节点最后的参数最多相差 \(sci(difference))。"),
        "diverged": Localized(en: "A run diverged.", zh: "有一次训练发散了。"),
    ])
    if let diagnosis = races.lazy.flatMap({ $0.one + $0.two }).compactMap(\.diverged).first {
        lesson.lines(divergenceReport(diagnosis)(lesson.language).split(separator: "\n").map(String.init), bullet: "")
    }
    if settings.timing {
        for (network, race) in zip(racedNetworks, races) {
            concludeSpeedUp(lesson, "lesson3.parallel.speedUp.\(network.key)", network: name(network.sizes),
                            one: secondsToTarget(race.one), two: secondsToTarget(race.two))
        }
    } else {
        lesson.say(en: "Run with --timing to measure the seconds and the speed-up of 2 workers over 1.",
                   zh: "加上 --timing 可以测量秒数，以及 2 个工作节点比 1 个快多少。")
    }
    let reached = zip(racedNetworks, races).map { network, race in
        "\(name(network.sizes)) " + (race.one[0].stepsToTarget.map { "\($0)" } ?? "> \(parallelBudget)")
    }
    lesson.headline(en: "cell 9: 1 and 2 threads, steps to validation loss < \(parallelTarget): "
                        + reached.joined(separator: ", ") + "; max parameter difference \(sci(difference))",
                    zh: "第 9 格：1 个和 2 个线程，达到验证损失 < \(parallelTarget) 的步数："
                        + reached.joined(separator: "，") + "；参数最大差 \(sci(difference))")
}

/// The measured verdict on 2 workers against 1 (`--timing`) for one network: the seconds to the
/// target of each repetition, paired (a pair ran at nearly the same moment), judged like every
/// comparison of this lesson: faster or slower only when the difference exceeds the run-to-run noise.
func concludeSpeedUp(_ lesson: Lesson, _ id: String, network: String, one: SeedSample, two: SeedSample) {
    let (t1, t2) = (median(one.values), median(two.values))
    let speedUp = t1 / t2
    let measured = Localized(
        en: "\(network), \(one.count) alternating runs of each: 2 workers reached the target in a median "
            + "\(fixed(t2, 3)) s against \(fixed(t1, 3)) s for 1 (\(fixed(speedUp, 2))× as fast)",
        zh: "\(network)，各交替运行 \(one.count) 次：2 个工作节点达标用时中位数 \(fixed(t2, 3)) 秒，1 个用 "
            + "\(fixed(t1, 3)) 秒（速度是 \(fixed(speedUp, 2)) 倍）")
    lesson.conclude(id, Comparison(two, one),
        lower: Localized(en: "\(measured.en): the same steps, the same parameters, sooner. Problem 3, fixed: a step "
                             + "with enough work, shared by a second core.",
                         zh: "\(measured.zh)：同样的步数、同样的参数，更快达标。问题 3 解决了：一步的计算量足够大时，"
                             + "第二个核心能分担它。"),
        higher: Localized(en: "\(measured.en): slower. The hand-off cost more than the second thread saved: too "
                              + "little work per step, or no core free for it on a busy machine.",
                          zh: "\(measured.zh)：反而更慢。交接的开销比第二个线程省下的还多：要么每步的计算量太少，"
                              + "要么机器繁忙，没有空闲的核心。"),
        noDifference: Localized(en: "\(measured.en): no measurable speed-up (inside the run-to-run noise).",
                                zh: "\(measured.zh)：没有可测量的加速（在运行之间的波动之内）。"),
        diverged: Localized(en: "\(network): a run did not reach the target: no time to the target to compare.",
                            zh: "\(network)：有一次运行没有达标：没有达标时间可比。"),
        tooFewSeeds: Localized(en: "With one run of each there is no run-to-run spread to judge the difference by.",
                               zh: "每种只运行了一次，没有运行之间的波动可以用来判断差异。"))
}
