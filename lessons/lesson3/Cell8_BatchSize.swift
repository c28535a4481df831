import Dispatch
import Engine
import LessonKit

// Cell 8: slow training — batch size, steps and work.

/// One batch size's race to the target loss.
struct BatchSizeRow {
    let batchSize: Int
    /// Steps until the training loss first fell below the target (`nil`: not within the budget).
    let stepsToTarget: Int?
    /// Samples processed by then: steps × batch size.
    var samples: Int? { stepsToTarget.map { $0 * batchSize } }
    /// Multiply-add work of one step (see `flopsPerStep`).
    let flopsPerStep: Int
    var totalFlops: Int? { stepsToTarget.map { $0 * flopsPerStep } }
    /// Wall-clock throughput, only measured with `--timing`.
    let samplesPerSecond: Double?
}

let batchTarget: Float = 0.05
let batchStepBudget = 1500
let batchLearningRate = 0.05

/// FLOPs of one training step of an MLP with layer widths `sizes` on a batch of `batchSize`:
/// forward costs 2·B·In·Out per layer (a multiply and an add per weight per sample), backward twice
/// that (one matmul for ∂x, one for ∂W), so 6·B·Σ In·Out in all — the "6 × parameters" rule.
func flopsPerStep(sizes: [Int], batchSize: Int) -> Int {
    6 * batchSize * zip(sizes, sizes.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 }
}

/// Trains the cell-1 MLP with SGD (lr 0.05) at each batch size until the full training loss drops
/// below `batchTarget` (checked every step), or `batchStepBudget` steps.
func batchSizeSweep(seed: UInt64, sizes: [Int], timing: Bool = false) -> [BatchSizeRow] {
    let problem = makeProblem(seed: seed)
    let layerSizes = [problem.features, 32, 1]
    return sizes.map { b in
        let model = MLP(sizes: layerSizes, seed: seed)
        let config = TrainingConfig(optimizer: .sgd, learningRate: batchLearningRate, steps: batchStepBudget,
                                    batchSize: b, evalEvery: 1, stopBelow: batchTarget, seed: seed)
        let run = train(model, on: problem, config)
        let reached = run.curve.last.map { $0 < batchTarget } ?? false
        return BatchSizeRow(batchSize: b, stepsToTarget: reached ? run.curveSteps.last : nil,
                            flopsPerStep: flopsPerStep(sizes: layerSizes, batchSize: b),
                            samplesPerSecond: timing ? measureThroughput(problem, layerSizes: layerSizes, batchSize: b, seed: seed) : nil)
    }
}

/// Wall-clock samples per second of `timedSteps` plain training steps (no per-step evaluation).
/// Only with `--timing`: the number changes from run to run and machine to machine.
func measureThroughput(_ problem: Problem, layerSizes: [Int], batchSize: Int, seed: UInt64, timedSteps: Int = 50) -> Double {
    let model = MLP(sizes: layerSizes, seed: seed)
    let config = TrainingConfig(optimizer: .sgd, learningRate: batchLearningRate, steps: timedSteps,
                                batchSize: batchSize, evalEvery: timedSteps, seed: seed)
    let start = DispatchTime.now().uptimeNanoseconds
    train(model, on: problem, config)
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    return Double(timedSteps * batchSize) / seconds
}

// MARK: - Cell 8: slow training — batch size, steps and work

func cell8BatchSize(_ lesson: Lesson, _ settings: Settings) {
    lesson.step(en: "Slow training: batch size, steps and work", zh: "训练太慢：批大小、步数与计算量")
    lesson.say(en: """
        The seed blames slow training on a batch too large and too little compute. A bigger batch \
        gives a less noisy gradient, so fewer steps reach the target, but every step costs more. \
        Below: SGD (lr \(batchLearningRate)) until the training loss is under \(batchTarget); the \
        work is counted, not timed, so the table is the same on every machine.
        """, zh: """
        种子文章说训练太慢是因为批太大、算力太少。批越大，梯度噪声越小，达到目标所需的步数越少，但每一步都更贵。\
        下面用 SGD（lr \(batchLearningRate)）训练到训练损失低于 \(batchTarget)；计算量是数出来的而不是计时的，\
        所以每台机器上的表格都一样。
        """)
    let sizes = Array(Set([8, 32, 128, 640, settings.batchSize])).sorted()
    let rows = batchSizeSweep(seed: settings.seed, sizes: sizes, timing: settings.timing)
    var header = [lesson.tr(en: "batch size", zh: "批大小"), lesson.tr(en: "steps to target", zh: "达标步数"),
                  lesson.tr(en: "samples seen", zh: "处理样本数"), lesson.tr(en: "FLOPs per step", zh: "每步 FLOPs"),
                  lesson.tr(en: "total FLOPs", zh: "总 FLOPs")]
    if settings.timing { header.append(lesson.tr(en: "samples/s (measured)", zh: "样本/秒（实测）")) }
    var table = Table(header)
    for r in rows {
        var row: [TableCell] = [.text(r.batchSize == settings.batchSize ? "\(r.batchSize) ◀" : "\(r.batchSize)"),
                                r.stepsToTarget.map { .integer($0) } ?? .text("> \(batchStepBudget)"),
                                r.samples.map { .integer($0) } ?? "—", .number(Double(r.flopsPerStep), format: "%.3g"),
                                r.totalFlops.map { .number(Double($0), format: "%.3g") } ?? "—"]
        if let speed = r.samplesPerSecond { row.append(.number(speed, format: "%.0f")) }
        table.append(row)
    }
    lesson.table(table)
    lesson.say(en: """
        Larger batches need fewer steps but more samples and more FLOPs in all: past a point the extra \
        samples only average away noise that was not hurting. The steps are what a GPU or several \
        workers can speed up (a step's samples are processed in parallel); the total work is not.
        """, zh: """
        批越大，需要的步数越少，但处理的样本和总 FLOPs 越多：超过某个点之后，多出来的样本只是把本来无害的噪声平均掉。\
        GPU 或多个工作节点能加速的是"步"（一步之内的样本并行处理），总计算量却省不掉。
        """)
    let summary = rows.map { "B=\($0.batchSize): \($0.stepsToTarget.map(String.init) ?? ">\(batchStepBudget)")" }
    lesson.headline(en: "cell 8: steps to loss < \(batchTarget): " + summary.joined(separator: ", "),
                    zh: "第 8 格：损失降到 \(batchTarget) 以下所需步数：" + summary.joined(separator: "，"))
}
