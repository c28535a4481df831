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
    let parameterDifference = zip(single.parameters(), replicas[0].parameters()).map { ($0 - $1).abs().max().item }.max()!

    return DataParallelResult(workers: workers, perWorkerBatch: b, workerSlices: workerSlices,
                              averagedSlice: slice(averaged[0]), fullSlice: slice(full[0]),
                              maxGradDifference: gradDifference, maxParameterDifference: parameterDifference)
}

// MARK: - Cell 9: data-parallel training, simulated

func cell9DataParallel(_ lesson: Lesson, _ settings: Settings) {
    lesson.step(en: "Data-parallel training, simulated", zh: "模拟数据并行训练")
    lesson.say(en: """
        The seed's other cure for slow training: distributed training. K workers hold identical copies \
        of the model, each takes a different slice of the batch, and they average their gradients \
        before the step. Because the mean loss over the batch is the mean of the slices' mean losses, \
        the averaged gradient is the big-batch gradient — up to rounding.
        """, zh: """
        种子文章治"训练太慢"的另一剂药：分布式训练。K 个工作节点持有相同的模型副本，各自处理批中不同的一段，\
        在更新之前把梯度取平均。因为整批的平均损失等于各段平均损失的平均，所以平均后的梯度就是大批的梯度 —— \
        只差舍入误差。
        """)
    let r = simulateDataParallel(seed: settings.seed, perWorkerBatch: settings.batchSize)
    for (k, s) in r.workerSlices.enumerated() { lesson.show(s, name: "worker \(k) grad") }
    lesson.show(r.averagedSlice, name: "average       ")
    lesson.show(r.fullSlice, name: "big batch     ")
    lesson.headline(en: "cell 9: \(r.workers) workers × \(r.perWorkerBatch) samples: max |averaged - big-batch " +
                        "gradient| = "
                        + "\(sci(r.maxGradDifference)); after one SGD step, max parameter difference = " +
                          "\(sci(r.maxParameterDifference))",
                    zh: "第 9 格：\(r.workers) 个节点 × \(r.perWorkerBatch) 个样本：平均梯度与大批梯度的最大差 = "
                        + "\(sci(r.maxGradDifference))；SGD 一步之后参数最大差 = \(sci(r.maxParameterDifference))")
}
