import Engine
import Foundation
import LessonKit

// Cell 7: vanishing and exploding gradients through depth (the network: DeepNet.swift).

// MARK: - Cell 7: vanishing and exploding gradients through depth

func cell7DeepGradients(_ lesson: Lesson, _ settings: Settings) {
    lesson.cell(7)
    let depth = settings.layers
    lesson.say(en: """
        A stack of \(depth) layers of width \(deepWidth). Backward multiplies the gradient by each \
        layer's weights and by the activation's derivative, once per layer: sigmoid's derivative is at \
        most 0.25, so the gradient can fade before it reaches the input side — the student \
        "faints". A residual connection h + f(h) adds a path whose derivative is exactly 1. One backward \
        pass per network and seed; the ratios span decades, so the table shows log₁₀(first/last) as \
        mean ± spread over \(seedRange(lesson).en).
        """, zh: """
        \(depth) 层、每层宽 \(deepWidth) 的网络。反向传播时，梯度每经过一层就乘一次该层的权重和激活函数的导数：\
        sigmoid 的导数最大只有 0.25，梯度可能还没传到输入端就没了 —— 学生“晕倒”了。残差连接 h + f(h) \
        加了一条导数恰好为 1 的通路。每个网络、每个随机种子做一次反向传播；比值跨越好几个数量级，\
        所以表中给出 log₁₀（首层/末层），即 \(seedRange(lesson).zh) 上的均值 ± 波动。
        """)
    let perSeed = overSeeds(lesson, Localized(en: "cell 7: gradient profiles", zh: "第 7 格：梯度剖面")) {
        compareDepth(seed: $0, depth: depth)
    }
    let profiles = perSeed[0]
    func log10Sample(_ k: Int, _ value: (DepthProfile) -> Float) -> SeedSample {
        SeedSample(perSeed.map { log10(Double(value($0[k]))) })
    }
    func index(_ a: Activation, _ w: Wiring) -> Int {
        profiles.firstIndex { $0.activation == a && $0.wiring == w }!
    }
    let ratio = profiles.indices.map { k in log10Sample(k) { $0.first / $0.last } }
    var table = Table([lesson.tr(en: "activation", zh: "激活函数"), lesson.tr(en: "wiring", zh: "连接方式"),
                       lesson.tr(en: "layer 1 ‖∇W‖", zh: "第 1 层 ‖∇W‖"),
                       lesson.tr(en: "layer \(depth) ‖∇W‖", zh: "第 \(depth) 层 ‖∇W‖"),
                       lesson.tr(en: "log₁₀(first/last)", zh: "log₁₀（首层/末层）")])
    for (k, p) in profiles.enumerated() {
        let first = pow(10, log10Sample(k) { $0.first }.mean), last = pow(10, log10Sample(k) { $0.last }.mean)
        table.append([.text(p.activation.rawValue), .text(p.wiring.rawValue), .number(first, format: "%.2e"),
                      .number(last, format: "%.2e"), .number(meanSpread(ratio[k], lesson.language))])
    }
    lesson.say(en: "The norms are geometric means over the seeds:", zh: "范数是各随机种子的几何平均：")
    lesson.table(table)
    let sickIndex = index(.sigmoid, .plain)
    let sickFirst = perSeed.map { Double($0[sickIndex].first) }.max()!
    lesson.conclude("lesson3.depth.sigmoidVanishes", .threshold(value: sickFirst, relation: .below, limit: 1e-6), [
        "true": Localized(en: "Plain sigmoid: layer 1 gets at most \(sci(sickFirst)) on any seed: its gradient "
            + "vanished.",
                          zh: "普通 sigmoid：第 1 层在任何随机种子上最多只得到 \(sci(sickFirst))：梯度消失了。"),
        "false": Localized(en: "Plain sigmoid: layer 1 still gets up to \(sci(sickFirst)) at this depth: not vanished.",
                           zh: "普通 sigmoid：在这个深度下第 1 层仍能得到 \(sci(sickFirst))：没有消失。"),
        "diverged": Localized(en: "Plain sigmoid's gradient is not finite.", zh: "普通 sigmoid 的梯度不是有限数。"),
    ])
    let reluIndex = index(.relu, .plain)
    // √6 per layer between layer 1 and layer L (see the sentence below), as log₁₀.
    let predicted = -Double(depth - 1) / 2 * log10(6.0)
    let measuredShrink = ratio[reluIndex].mean
    let factor = pow(10, Swift.abs(measuredShrink - predicted))
    lesson.say(en: """
        Why ReLU can vanish too: PyTorch's default initial weights (uniform in ±1/√In, variance 1/(3·In)) \
        pass on about 1/3 of the signal's variance per layer and ReLU halves it again, so the gradient \
        should shrink by about √6 ≈ 2.4 per layer on its way back: \(sci(pow(10, predicted))) from layer \(depth) \
        to layer 1.
        """, zh: """
        为什么 ReLU 也会消失：PyTorch 默认的初始权重（在 ±1/√In 内均匀分布，方差 1/(3·In)）每层只传下信号方差的约 \
        1/3，ReLU 又减掉一半，所以梯度往回传时应该每层缩小约 √6 ≈ 2.4 倍：从第 \(depth) 层到第 1 层约为 \
        \(sci(pow(10, predicted)))。
        """)
    lesson.conclude("lesson3.depth.sqrt6Estimate",
                    .threshold(value: Swift.abs(measuredShrink - predicted), relation: .below, limit: 1), [
        "true": Localized(
            en: "Measured: \(sci(pow(10, measuredShrink))) (geometric mean). That is within a factor 10 of the "
                + "estimate, off by \(significant(Float(factor), 2))×: the estimate gets the order of magnitude, not "
                + "the "
                + "number (it ignores the loss's own gradient and the weights' random directions).",
            zh: "实测：\(sci(pow(10, measuredShrink)))（几何平均）。与估计相差不到 10 倍，差 "
                + "\(significant(Float(factor), 2)) "
                    + "倍：估计只给出数量级，不是准确的数（它忽略了损失本身的梯度和权重的随机方向）。"),
        "false": Localized(
            en: "Measured: \(sci(pow(10, measuredShrink))) (geometric mean), more than 10× from the estimate "
                + "(\(significant(Float(factor), 2))×): the variance argument gets the direction (the gradient shrinks "
                + "layer after layer), not its size; it ignores the loss's own gradient and the weights' random "
                + "directions.",
            zh: "实测：\(sci(pow(10, measuredShrink)))（几何平均），与估计相差超过 10 "
                + "倍（\(significant(Float(factor), 2)) 倍）："
                + "方差的推理只说对了方向（梯度一层层缩小），没说对大小；它忽略了损失本身的梯度和权重的随机方向。"),
        "diverged": Localized(en: "ReLU's gradient ratio is not finite: its first-layer gradient underflowed to 0 at "
            + "this depth.", zh: "ReLU 的梯度比值不是有限数：在这个深度下第一层的梯度下溢成了 0。"),
    ])
    // Kaiming initialisation: variance 2/In, i.e. PyTorch's default weights × √6.
    let kaiming = overSeeds(lesson, Localized(en: "cell 7: Kaiming", zh: "第 7 格：Kaiming")) {
        profileGradients(activation: .relu, wiring: .plain, depth: depth, initScale: Float(6).squareRoot(), seed: $0)
    }
    let kaimingRatio = SeedSample(kaiming.map { log10(Double($0.first / $0.last)) })
    lesson.conclude("lesson3.depth.kaimingVsDefault", Comparison(kaimingRatio, ratio[reluIndex]),
        lower: Localized(en: "Kaiming initialisation (variance 2/In) shrinks the gradient even more here.",
                         zh: "Kaiming 初始化（方差 2/In）在这里让梯度缩得更厉害。"),
        higher: Localized(
            en: "Kaiming initialisation (variance 2/In, the default × √6) keeps far more of it: log₁₀(first/last) "
                + "\(meanSpread(kaimingRatio, .en)) against \(meanSpread(ratio[reluIndex], .en)) with the default "
                + "(lesson 2 looks "
                + "at initialisation).",
            zh: "Kaiming 初始化（方差 2/In，即默认值 × √6）保住了多得多的梯度：log₁₀（首层/末层）"
                + "\(meanSpread(kaimingRatio, .zh))，默认初始化是 "
                    + "\(meanSpread(ratio[reluIndex], .zh))（第二课专门讲初始化）。"),
        noDifference: noDifference(Localized(en: "Kaiming against the default initialisation",
                                             zh: "Kaiming 与默认初始化的比较")),
        diverged: Localized(en: "A gradient ratio is not finite (a gradient underflowed to 0 or overflowed): no "
            + "comparison.", zh: "某个梯度比值不是有限数（梯度下溢成 0 或溢出）：无法比较。"))
    func chart(_ p: DepthProfile, note: String = "") {
        let title = "\(p.activation.rawValue)\(p.wiring == .plain ? "" : " + " + p.wiring.rawValue)\(note): "
            + lesson.tr(en: "gradient norm per layer, seed \(lesson.seeds[0])",
                        zh: "每层的梯度范数，随机种子 \(lesson.seeds[0])")
        lesson.plot(BarChart(title: title, bars: p.layerNorms.enumerated().map { ("layer \($0.offset + 1)",
            $0.element) },
                             valueFormat: "%.2e"))
    }
    let sick = profiles[sickIndex]
    let (curedIndex, plainIndex) = (index(.leakyRelu, .residual), index(.leakyRelu, .plain))
    let normedIndex = index(.leakyRelu, .residualNorm)
    let cured = profiles[curedIndex], normed = profiles[normedIndex]
    chart(sick)
    lesson.conclude("lesson3.depth.residualVsPlain", Comparison(ratio[curedIndex], ratio[plainIndex]),
        lower: Localized(en: "For leaky_relu the residual path leaves layer 1 with even less gradient than plain "
            + "wiring.",
                         zh: "对 leaky_relu 来说，残差通路留给第 1 层的梯度比普通连接还少。"),
        higher: Localized(
            en: "For leaky_relu a residual path brings the gradient back to layer 1: log₁₀(first/last) "
                + "\(meanSpread(ratio[curedIndex], .en)) against \(meanSpread(ratio[plainIndex], .en)) plain.",
            zh: "对 leaky_relu 来说，残差通路把梯度带回了第 1 "
                + "层：log₁₀（首层/末层）\(meanSpread(ratio[curedIndex], .zh))，"
                + "普通连接是 \(meanSpread(ratio[plainIndex], .zh))。"),
        noDifference: noDifference(Localized(en: "Residual against plain wiring for leaky_relu",
                                             zh: "leaky_relu 的残差连接与普通连接的比较")),
        diverged: Localized(en: "A gradient ratio is not finite (a gradient underflowed to 0 or overflowed): no "
            + "comparison.", zh: "某个梯度比值不是有限数（梯度下溢成 0 或溢出）：无法比较。"))
    let curedLast = log10Sample(curedIndex) { $0.last }, normedLast = log10Sample(normedIndex) { $0.last }
    lesson.conclude("lesson3.depth.residualStreamGrows", Comparison(curedLast, normedLast),
        lower: Localized(en: "Without normalisation the residual network's last-layer gradient is smaller than with "
            + "pre-norm.",
                         zh: "不加归一化时，残差网络末层的梯度比 pre-norm 的还小。"),
        higher: Localized(
            en: "But without normalisation the residual stream grows layer after layer and the gradients become "
                + "large (layer \(depth), log₁₀: \(meanSpread(curedLast, .en)) against "
                + "\(meanSpread(normedLast, .en)) with "
                + "pre-norm): "
                + "this is why the blog post's Transformer puts a LayerNorm beside every residual.",
            zh: "但没有归一化时，残差流一层层变大，梯度也变得很大（第 \(depth) "
                + "层，log₁₀：\(meanSpread(curedLast, .zh))，"
                + "pre-norm 是 \(meanSpread(normedLast, .zh))）：所以原文的 Transformer 在每个残差旁边都放了 "
                    + "LayerNorm。"),
        noDifference: noDifference(Localized(en: "The last layer's gradient with and without pre-norm",
                                             zh: "有无 pre-norm 时末层梯度的比较")),
        diverged: Localized(en: "A gradient is not finite.", zh: "某个梯度不是有限数。"))
    let flatness = [Activation.sigmoid, .tanh, .relu, .leakyRelu]
        .flatMap { a in ratio[index(a, .residualNorm)].values.map(Swift.abs) }.max()!
    lesson.conclude("lesson3.depth.preNormFlat", .threshold(value: flatness, relation: .below, limit: log10(2.0)), [
        "true": Localized(en: "With pre-norm the profile is flat: first/last within 2× for every activation and seed:",
                          zh: "用 pre-norm 之后各层梯度差不多一样大：每种激活函数、每个随机种子的首层/末层都在 2 "
                              + "倍以内："),
        "false": Localized(en: "Pre-norm narrows the profile, but first/last still reaches "
                               + "\(significant(Float(pow(10, flatness)), 3))× on some activation and seed:",
                           zh: "pre-norm 让剖面变平了，但某个激活函数或随机种子的首层/末层仍达到 "
                               + "\(significant(Float(pow(10, flatness)), 3)) 倍："),
        "diverged": Localized(en: "A gradient ratio is not finite (a gradient underflowed to 0 or overflowed): no "
            + "comparison.", zh: "某个梯度比值不是有限数（梯度下溢成 0 或溢出）：无法比较。"),
    ])
    chart(normed)
    let yours = profileGradients(activation: settings.activation, wiring: .plain, depth: depth, seed: lesson.seeds[0])
    if settings.activation != .sigmoid { chart(yours) }
    lesson.headline(en: "cell 7: \(depth) layers, first-layer gradient norm (seed \(lesson.seeds[0])): sigmoid "
                        + "\(sci(sick.first)); leaky_relu + residual \(sci(cured.first)); + norm \(sci(normed.first)); "
                        + "your \(settings.activation.rawValue) \(sci(yours.first))",
                    zh: "第 7 格：\(depth) 层，第一层梯度范数（随机种子 \(lesson.seeds[0])）：sigmoid "
                        + "\(sci(sick.first))；"
                        + "leaky_relu + 残差 \(sci(cured.first))；再加归一化 \(sci(normed.first))；你选的 "
                        + "\(settings.activation.rawValue) \(sci(yours.first))")
    cell7Exploding(lesson, settings)
}

/// The second half of cell 7: exploding gradients, trained through for several epochs.
func cell7Exploding(_ lesson: Lesson, _ settings: Settings) {
    let depth = settings.layers, n = lesson.seeds.count
    lesson.say(en: """
        The opposite sickness: the same plain ReLU stack with its initial weights 4× too large. Each layer \
        now multiplies the signal instead of shrinking it, so the gradient should explode — the student \
        "goes mad". Below it is trained for real, and the runs say whether it does: SGD \
        (lr \(deepLearningRate)), batches of \(deepTrainBatch), \(deepEpochs) epochs on a task whose answer is \
        Σx/√\(deepWidth) (always answering 0 scores 1), once \
        without clipping and once with clipGradNorm(1), on each of \(seedRange(lesson).en).
        """, zh: """
        相反的病：同样的普通 ReLU 网络，初始权重放大 4 倍。每一层都把信号放大而不是缩小，梯度应该会爆炸 —— \
        学生“发疯”。下面真的训练它，看它是否如此：SGD（lr \(deepLearningRate)），每批 \(deepTrainBatch) 个样本，\
        \(deepEpochs) 轮，任务的答案是 Σx/√\(deepWidth)（永远回答 0 得 1 分），不裁剪和用 clipGradNorm(1) \
        各训练一次，\(seedRange(lesson).zh) 每个都训练。
        """)
    let first = profileGradients(activation: .relu, wiring: .plain, depth: depth, initScale: 4, seed: lesson.seeds[0])
    let runs = overSeeds(lesson, Localized(en: "cell 7: training the exploding network",
                                           zh: "第 7 格：训练梯度爆炸的网络")) { seed in
        (plain: trainDeep(depth: depth, initScale: 4, clip: nil, seed: seed),
         clipped: trainDeep(depth: depth, initScale: 4, clip: 1, seed: seed))
    }
    let shown = runs[0]
    lesson.plot(LineChart(title: lesson.tr(en: "validation MSE per epoch, initial weights × 4, seed \(lesson.seeds[0])",
                                           zh: "每轮验证 MSE，初始权重 × 4，随机种子 \(lesson.seeds[0])"),
                          // Curves once per epoch: a stopped run ends at the epoch it stopped in.
                          series: [shown.clipped.chartSeries("clipGradNorm(1)", shown.clipped.validCurve,
                                                             stoppedAtX: shown.clipped.diverged?.epoch),
                                   shown.plain.chartSeries(lesson.tr(en: "no clipping", zh: "不裁剪"),
                                                           shown.plain.validCurve,
                                                           stoppedAtX: shown.plain.diverged?.epoch)],
                          xLabel: lesson.tr(en: "epoch", zh: "轮"), logScale: true))
    let stopped = runs.filter { $0.plain.diverged != nil }.count
    lesson.conclude("lesson3.explode.unclippedDiverges",
                    .threshold(value: Double(stopped), relation: .atLeast, limit: Double(n)), [
        "true": Localized(en: "Without clipping the NaN guard stopped every one of the \(n) runs (the first step's "
                              + "gradient norm is \(sci(first.totalNorm)) on seed \(lesson.seeds[0])):",
                          zh: "不裁剪时，NaN 守卫停下了全部 \(n) 次训练（随机种子 \(lesson.seeds[0]) "
                              + "第一步的梯度范数是 \(sci(first.totalNorm))）："),
        "false": Localized(en: "Without clipping the NaN guard stopped \(stopped) of the \(n) runs.",
                           zh: "不裁剪时，NaN 守卫停下了 \(n) 次训练中的 \(stopped) 次。"),
    ])
    if let diagnosis = runs.lazy.compactMap({ $0.plain.diverged }).first {
        lesson.lines(divergenceReport(diagnosis)(lesson.language).split(separator: "\n").map(String.init), bullet: "")
    }
    let clippedStopped = runs.filter { $0.clipped.diverged != nil }.count
    let start = SeedSample(runs.map { measured($0.clipped, $0.clipped.validCurve[0]) })
    let end = SeedSample(runs.map { $0.clipped.diverged == nil ? Double($0.clipped.validLoss) : .nan })
    // The losses span decades from seed to seed, so the comparison reads their logarithms.
    let logStart = SeedSample(start.values.map(log10)), logEnd = SeedSample(end.values.map(log10))
    lesson.conclude("lesson3.explode.clippedTrains", Comparison(logEnd, logStart),
        lower: Localized(
            en: "With clipping every run trains through it: the validation MSE falls from \(meanSpread(start, .en)) to "
                + "\(meanSpread(end, .en)) in \(deepEpochs) epochs (log₁₀ \(meanSpread(logStart, .en)) to "
                + "\(meanSpread(logEnd, .en))), "
                + "each step at most lr·1 long whatever the gradient.",
            zh: "裁剪之后每次训练都熬过来了：验证 MSE 在 \(deepEpochs) 轮内从 \(meanSpread(start, .zh)) 降到 "
                + "\(meanSpread(end, .zh))（log₁₀ 从 \(meanSpread(logStart, .zh)) 到 \(meanSpread(logEnd, .zh))），"
                + "不管梯度多大，每一步最多只走 lr·1。"),
        higher: Localized(en: "With clipping the runs stay finite but their validation MSE rises "
            + "(\(meanSpread(start, .en)) to "
                              + "\(meanSpread(end, .en))).",
                          zh: "裁剪之后训练保持有限，但验证 MSE 上升了（\(meanSpread(start, .zh)) 到 "
                              + "\(meanSpread(end, .zh))）。"),
        noDifference: noDifference(Localized(en: "The clipped runs' validation MSE, first epoch against last",
                                             zh: "裁剪训练的验证 MSE，首轮与末轮的比较")),
        diverged: Localized(en: "Even with clipping \(clippedStopped) of \(n) runs diverged.",
                            zh: "即使裁剪，\(n) 次训练中仍有 \(clippedStopped) 次发散。"))
    if clippedStopped == 0 {
        lesson.conclude("lesson3.explode.clippingIsNotACure", .threshold(value: end.mean, relation: .above, limit: 1), [
            "true": Localized(
                en: "Yet it ends far above 1, the score of always answering 0: clipping keeps each step finite, it "
                    + "does not undo the exploded scale. The cure is the initialisation (or normalisation).",
                zh: "可它最后仍远高于 1（永远回答 0 的分数）：裁剪让每一步保持有限，却消除不了爆炸的尺度。"
                    + "治本的是初始化（或归一化）。"),
            "false": Localized(en: "And it ends below 1, the score of always answering 0: the network learnt the task.",
                               zh: "而且最后低于 1（永远回答 0 的分数）：网络学会了这个任务。"),
            "diverged": Localized(en: "The clipped runs are not finite.", zh: "裁剪的训练不是有限数。"),
        ])
    }
    lesson.headline(en: "cell 7: relu with 4× initial weights, \(deepEpochs) epochs over \(n) seeds: without clipping "
                        + "stopped \(stopped)/\(n); with clipGradNorm(1) validation MSE \(meanSpread(start, .en)) -> "
                        + "\(meanSpread(end, .en))",
                    zh: "第 7 格：初始权重放大 4 倍的 relu，\(deepEpochs) 轮，\(n) 个随机种子：不裁剪被停下 "
                        + "\(stopped)/\(n)；"
                        + "clipGradNorm(1) 验证 MSE \(meanSpread(start, .zh)) -> \(meanSpread(end, .zh))")
}
