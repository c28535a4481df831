import Dispatch
import Engine
import LessonKit

// Cell 8: slow training — batch size, steps and work.

/// One batch size's race to the target loss.
struct BatchSizeRow {
    let batchSize: Int
    /// Steps until the validation loss first fell below the target (`nil`: not within the budget).
    let stepsToTarget: Int?
    /// Samples processed by then (`samplesSeen`: an epoch's last batch may be smaller).
    let samples: Int?
    /// Multiply-add work of one step on a full batch (see `flopsPerStep`).
    let flopsPerStep: Int
    /// Wall-clock throughput, only measured with `--timing`.
    let samplesPerSecond: Double?
    /// Seconds of training to the target at that throughput (`--timing` only).
    var secondsToTarget: Double? {
        guard let samples, let speed = samplesPerSecond else { return nil }
        return Double(samples) / speed
    }
}

let batchTarget: Float = 0.05
let batchStepBudget = 1500
let batchLearningRate = 0.05

/// Samples processed in the first `steps` steps over `rows` training rows in batches of
/// `batchSize`: each epoch has ⌈rows / B⌉ batches, the last one holding what is left (the loader
/// keeps it, as PyTorch's does without `drop_last`). 800 rows at B=640: 640, 160, 640, 160, ….
func samplesSeen(steps: Int, batchSize: Int, rows: Int) -> Int {
    let perEpoch = (rows + batchSize - 1) / batchSize
    let (epochs, extra) = steps.quotientAndRemainder(dividingBy: perEpoch)
    return epochs * rows + extra * batchSize      // the extra steps are all full batches
}

/// FLOPs of one training step of an MLP with layer widths `sizes` on a batch of `batchSize`:
/// forward costs 2·B·In·Out per layer (a multiply and an add per weight per sample), backward twice
/// that (one matmul for ∂x, one for ∂W), so 6·B·Σ In·Out in all — the "6 × parameters" rule.
func flopsPerStep(sizes: [Int], batchSize: Int) -> Int {
    6 * batchSize * zip(sizes, sizes.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 }
}

/// Trains the cell-1 MLP with SGD (lr 0.05) at each batch size until the validation loss drops
/// below `batchTarget` (checked every step), or `batchStepBudget` steps.
func batchSizeSweep(seed: UInt64, sizes: [Int], timing: Bool = false) -> [BatchSizeRow] {
    let problem = makeProblem(seed: seed)
    let layerSizes = [problem.features, 32, 1]
    return sizes.map { b in
        let model = MLP(sizes: layerSizes, seed: seed)
        let config = TrainingConfig(optimizer: .sgd, learningRate: batchLearningRate, steps: batchStepBudget,
                                    batchSize: b, evalEvery: 1, stopBelow: batchTarget, stopOnValidation: true,
                                    seed: seed)
        let run = train(model, on: problem, config)
        let reached = run.diverged == nil && (run.validCurve.last.map { $0 < batchTarget } ?? false)
        let steps = reached ? run.curveSteps.last : nil
        return BatchSizeRow(batchSize: b, stepsToTarget: steps,
                            samples: steps.map { samplesSeen(steps: $0, batchSize: b, rows: problem.train.count) },
                            flopsPerStep: flopsPerStep(sizes: layerSizes, batchSize: b),
                            samplesPerSecond: timing ? measureThroughput(problem, layerSizes: layerSizes,
                                batchSize: b, seed: seed) : nil)
    }
}

/// Wall-clock samples per second of `timedSteps` plain training steps: the clock runs from the end of
/// step 1 (the first step pays for warming up) to the end of step `timedSteps + 1`, with no
/// evaluation in between. Only with `--timing`: the number changes from run to run and machine to machine.
func measureThroughput(_ problem: Problem, layerSizes: [Int], batchSize: Int, seed: UInt64,
    timedSteps: Int = 50) -> Double {
    let model = MLP(sizes: layerSizes, seed: seed)
    let config = TrainingConfig(optimizer: .sgd, learningRate: batchLearningRate, steps: timedSteps + 1,
                                batchSize: batchSize, evalEvery: Int.max, seed: seed)
    var start: UInt64 = 0, end: UInt64 = 0
    train(model, on: problem, config) { step, _ in
        if step == 1 { start = DispatchTime.now().uptimeNanoseconds }
        if step == timedSteps + 1 { end = DispatchTime.now().uptimeNanoseconds }
    }
    let rows = problem.train.count
    let samples = samplesSeen(steps: timedSteps + 1, batchSize: batchSize, rows: rows)
        - samplesSeen(steps: 1, batchSize: batchSize, rows: rows)
    return Double(samples) / (Double(end - start) / 1e9)
}

// MARK: - Cell 8: slow training — batch size, steps and work

func cell8BatchSize(_ lesson: Lesson, _ settings: Settings) {
    lesson.cell(8)
    lesson.say(en: """
        Problem 3 of the blog post: training is slow. Its suspects are a batch too large and too little \
        compute. A bigger batch gives a less noisy gradient, so it may need fewer steps, but every step \
        costs more. Below: SGD (lr \(batchLearningRate)) until the validation loss is under \(batchTarget), \
        on each of \(seedRange(lesson).en); the work is counted (steps, samples, FLOPs), so the table is the \
        same on every machine\(settings.timing ? "; --timing adds measured seconds, which vary from run to run" : "").
        """, zh: """
        原文的第 3 个问题：训练太慢。它怀疑的是批太大、算力太少。批越大，梯度噪声越小，可能需要的步数越少，\
        但每一步都更贵。下面用 SGD（lr \(batchLearningRate)）训练到验证损失低于 \(batchTarget)，\
        \(seedRange(lesson).zh) \
        每个都训练；计算量是数出来的（步数、样本数、FLOPs），所以每台机器上的表格都一样\
        \(settings.timing ? "；--timing 另外给出实测秒数，每次运行都会不同" : "")。
        """)
    let sizes = Array(Set([8, 32, 128, 640, settings.batchSize])).sorted()
    // With --timing each run measures its own seconds: the seeds run one at a time, each run with
    // the whole machine, as a student timing it would.
    let perSeed = overSeeds(lesson, Localized(en: "cell 8: batch sizes", zh: "第 8 格：批大小"),
                            concurrently: !settings.timing) { seed in
        batchSizeSweep(seed: seed, sizes: sizes, timing: settings.timing)
    }
    func sample(_ k: Int, _ value: (BatchSizeRow) -> Int?) -> SeedSample {
        SeedSample(perSeed.map { value($0[k]).map(Double.init) ?? .nan })
    }
    let steps = sizes.indices.map { k in sample(k) { $0.stepsToTarget } }
    let samples = sizes.indices.map { k in sample(k) { $0.samples } }
    let seconds = sizes.indices.map { k in SeedSample(perSeed.map { $0[k].secondsToTarget ?? .nan }) }
    var header = [lesson.tr(en: "batch size", zh: "批大小"), lesson.tr(en: "steps to target", zh: "达标步数"),
                  lesson.tr(en: "samples seen", zh: "处理样本数"), lesson.tr(en: "FLOPs per step", zh: "每步 FLOPs")]
    if settings.timing { header.append(lesson.tr(en: "measured seconds", zh: "实测秒数")) }
    var table = Table(header)
    for (k, b) in sizes.enumerated() {
        func count(_ s: SeedSample) -> TableCell {
            s.isFinite ? .number("\(grouped(Int(s.mean.rounded()))) ± \(grouped(Int(s.spread.rounded())))")
                       : .text("> \(grouped(batchStepBudget)) steps")
        }
        var row: [TableCell] = [.text(b == settings.batchSize ? "\(b) ◀" : "\(b)"), count(steps[k]), count(samples[k]),
                                .number(Double(perSeed[0][k].flopsPerStep), format: "%.3g")]
        if settings.timing { row.append(seconds[k].isFinite ? .number(meanSpread(seconds[k], lesson.language)) : "—") }
        table.append(row)
    }
    lesson.say(en: "Mean ± spread over \(seedRange(lesson).en):", zh: "\(seedRange(lesson).zh) 上的均值 ± 波动：")
    lesson.table(table)
    let (small, mid, large) = (sizes.firstIndex(of: 8)!, sizes.firstIndex(of: 32)!, sizes.firstIndex(of: 640)!)
    let missed = Localized(en: "Some run did not reach the target within \(grouped(batchStepBudget)) steps: no "
        + "comparison.",
                           zh: "有的训练在 \(grouped(batchStepBudget)) 步内没有达标：无法比较。")
    func countText(_ s: SeedSample) -> String { "\(grouped(Int(s.mean.rounded()))) ± "
        + "\(grouped(Int(s.spread.rounded())))" }
    func stepsText(_ k: Int) -> String { countText(steps[k]) }
    lesson.conclude("lesson3.batch.stepsSmallVsMid", Comparison(steps[small], steps[mid]),
        lower: Localized(en: "B=8 needed fewer steps than B=32 (\(stepsText(small)) against \(stepsText(mid))).",
                         zh: "B=8 比 B=32 需要的步数更少（\(stepsText(small)) 对 \(stepsText(mid))）。"),
        higher: Localized(en: "B=8 needed more steps than B=32 (\(stepsText(small)) against \(stepsText(mid))): its "
                              + "gradients are noisier, so some steps go the wrong way.",
                          zh: "B=8 比 B=32 需要更多步（\(stepsText(small)) 对 \(stepsText(mid))）：它的梯度噪声更大，"
                              + "有些步走错了方向。"),
        noDifference: noDifference(Localized(en: "Steps to the target, B=8 against B=32",
                                             zh: "达标步数，B=8 与 B=32 的比较")),
        diverged: missed)
    lesson.conclude("lesson3.batch.stepsLargeVsMid", Comparison(steps[large], steps[mid]),
        lower: Localized(en: "B=640 needed fewer steps than B=32 (\(stepsText(large)) against \(stepsText(mid))): "
                             + "a less noisy gradient makes each step count for more.",
                         zh: "B=640 比 B=32 需要的步数更少（\(stepsText(large)) 对 \(stepsText(mid))）：梯度噪声更小，"
                             + "每一步都更有用。"),
        higher: Localized(en: "B=640 needed more steps than B=32 (\(stepsText(large)) against \(stepsText(mid))).",
                          zh: "B=640 比 B=32 需要更多步（\(stepsText(large)) 对 \(stepsText(mid))）。"),
        noDifference: Localized(
            en: "B=640 needed no measurably fewer steps than B=32 (\(stepsText(large)) against \(stepsText(mid))): "
                + "past "
                + "B=32 the gradient's noise was not what held SGD back at this learning rate. A larger batch usually "
                + "pays only together with a larger learning rate (not tried here).",
            zh: "B=640 并没有比 B=32 少用可测量的步数（\(stepsText(large)) 对 \(stepsText(mid))）：超过 B=32 之后，"
                + "在这个学习率下拖慢 SGD 的不是梯度噪声。更大的批通常要配上更大的学习率才划算（这里没有试）。"),
        diverged: missed)
    lesson.conclude("lesson3.batch.samplesLargeVsMid", Comparison(samples[large], samples[mid]),
        lower: Localized(en: "B=640 even processed fewer samples than B=32.", zh: "B=640 处理的样本甚至比 B=32 还少。"),
        higher: Localized(
            en: "And B=640 processed far more samples (\(countText(samples[large])) against "
                + "\(countText(samples[mid]))): "
                + "the extra samples averaged away noise that was not hurting. What a GPU or several workers can "
                + "speed up is a step (its samples are processed in parallel), not the total work.",
            zh: "而且 B=640 处理的样本多得多（\(countText(samples[large])) 对 \(countText(samples[mid]))）："
                + "多出来的样本只是把本来无害的噪声平均掉。"
                + "GPU 或多个工作节点能加速的是“一步”（一步之内的样本并行处理），"
                + "而不是总计算量。"),
        noDifference: noDifference(Localized(en: "Samples to the target, B=640 against B=32",
                                             zh: "达标所需样本数，B=640 与 B=32 的比较")),
        diverged: missed)
    if settings.timing { concludeBatchSeconds(lesson, large: seconds[large], mid: seconds[mid]) }
    let summary = sizes.indices.map { "B=\(sizes[$0]): \(steps[$0].isFinite ? stepsText($0) : ">\(batchStepBudget)")" }
    lesson.headline(en: "cell 8: steps to validation loss < \(batchTarget) over \(lesson.seeds.count) seeds: "
                        + summary.joined(separator: ", "),
                    zh: "第 8 格：验证损失降到 \(batchTarget) 以下所需步数（\(lesson.seeds.count) 个随机种子）："
                        + summary.joined(separator: "，"))
}

/// With `--timing`: whether the large batch was also slower in seconds (mean ± spread over seeds,
/// each seed's seconds = its samples to the target / the samples per second measured on that seed).
func concludeBatchSeconds(_ lesson: Lesson, large: SeedSample, mid: SeedSample) {
    let (l, m) = (meanSpread(large, lesson.language), meanSpread(mid, lesson.language))
    lesson.conclude("lesson3.batch.secondsLargeVsMid", Comparison(large, mid),
        lower: Localized(en: "Measured: B=640 reached the target sooner than B=32 (\(l) s against \(m) s).",
                         zh: "实测：B=640 比 B=32 更快达标（\(l) 秒对 \(m) 秒）。"),
        higher: Localized(
            en: "Measured: B=640 took longer than B=32 to reach the target (\(l) s against \(m) s). Here "
                + "the batch too large is what is slow, and the smaller batch is the fix: the same target, sooner.",
            zh: "实测：B=640 达标比 B=32 慢（\(l) 秒对 \(m) 秒）。这里慢在批太大，换小批就解决了："
                + "同样的目标，更早达到。"),
        noDifference: noDifference(Localized(en: "Measured seconds to the target, B=640 against B=32",
                                             zh: "实测达标秒数，B=640 与 B=32 的比较")),
        diverged: Localized(en: "Some run did not reach the target: no seconds to compare.",
                            zh: "有的训练没有达标：没有秒数可比。"))
}
