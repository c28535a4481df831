import Engine
import LessonKit

// Cell 6: Clipping, weight decay and dropout — on and off, each over the same seeds, side by side.

/// One comparison run: a name and the switches it flips relative to the lesson's settings.
struct Variant {
    let name: Localized
    let clip: Double
    let weightDecay: Double
    let dropout: Double
    let learningRate: Double
}

/// The variants compared: the lesson's settings, each regularizer off in turn, and clipping on and
/// off under a ten times larger learning rate (where clipping has more work to do).
func comparisonVariants(_ base: Settings) -> [Variant] {
    let lr = base.learningRate
    return [
        Variant(name: Localized(en: "blog post (clip, wd, dropout)", zh: "示例脚本（裁剪+衰减+dropout）"),
                clip: base.clip, weightDecay: base.weightDecay, dropout: base.dropout, learningRate: lr),
        Variant(name: Localized(en: "no clipping", zh: "不裁剪"),
                clip: 0, weightDecay: base.weightDecay, dropout: base.dropout, learningRate: lr),
        Variant(name: Localized(en: "no weight decay", zh: "不衰减"),
                clip: base.clip, weightDecay: 0, dropout: base.dropout, learningRate: lr),
        Variant(name: Localized(en: "no dropout", zh: "不 dropout"),
                clip: base.clip, weightDecay: base.weightDecay, dropout: 0, learningRate: lr),
        Variant(name: Localized(en: "lr ×10, clipping", zh: "学习率×10，裁剪"),
                clip: base.clip, weightDecay: base.weightDecay, dropout: base.dropout, learningRate: lr * 10),
        Variant(name: Localized(en: "lr ×10, no clipping", zh: "学习率×10，不裁剪"),
                clip: 0, weightDecay: base.weightDecay, dropout: base.dropout, learningRate: lr * 10),
    ]
}

/// Runs every variant on the small model (`ModelSize.small`) for `epochs` epochs on the full
/// training set, once per seed, all runs concurrently. `progress` is told after each run (runs done,
/// in all).
func runComparisons(data: LessonData, epochs: Int, base: Settings, seeds: [UInt64],
                    progress: (Int, Int) -> Void = { _, _ in }) -> [(variant: Variant, runs: SeedRuns)] {
    let variants = comparisonVariants(base)
    let groups = variants.map { v in
        var s = base
        s.model = .small
        s.epochs = epochs
        s.clip = v.clip
        s.weightDecay = v.weightDecay
        s.dropout = v.dropout
        s.learningRate = v.learningRate
        return (settings: s, train: data.train)
    }
    return Array(zip(variants, trainOverSeeds(seeds, groups, validation: data.validation, progress: progress)))
        .map { (variant: $0.0, runs: $0.1) }
}

/// Steps the clip shortened, over every seed's run, and the steps taken.
func clippedSteps(_ runs: SeedRuns) -> (clipped: Int, steps: Int) {
    runs.runs.reduce((0, 0)) { total, r in
        (total.0 + r.epochs.reduce(0) { $0 + $1.clippedSteps }, total.1 + r.epochs.reduce(0) { $0 + $1.steps })
    }
}

// MARK: - Cell 6: Clipping, weight decay and dropout — on and off, side by side

func cell6Comparisons(_ lesson: Lesson, data: LessonData, settings: Settings) {
    lesson.cell(6)
    let epochs = lesson.flags.int("compare-epochs"), seeds = lesson.seeds, n = seeds.count
    let lang = lesson.language
    lesson.say(en: """
        Six short runs, identical but for one switch each, each trained on the same \(n) random seeds. To fit the \
        time budget they use the small model (\(ModelSize.small.modelDimensions)-wide, \
        \(ModelSize.small.numLayers) encoder layer, the same data) for \(epochs) epochs. "max ‖g‖" is the largest \
        gradient norm seen before clipping (mean over seeds); "clipped" counts the steps the clip shortened.
        """, zh: """
        六组短训练，每组只拨动一个开关，每组都用同样的 \(n) 个随机种子。为了不超时间预算，它们用小模型（宽 \
        \(ModelSize.small.modelDimensions)，\(ModelSize.small.numLayers) 层编码器，同样的数据）训练 \(epochs) 轮。\
        “最大 ‖g‖”是裁剪前见到的最大梯度范数（各随机种子的均值）；“被裁剪”是被裁剪缩短的步数。
        """)
    let label = Localized(en: "cell 6: runs trained", zh: "第 6 格：已训练的次数")
    let results = runComparisons(data: data, epochs: epochs, base: settings, seeds: seeds) {
        lesson.progress(label, $0, of: $1)
    }
    lesson.endProgress()
    sayFirstDivergence(lesson, results.map { ($0.variant.name, $0.runs) })
    var table = Table([lesson.tr(en: "run", zh: "实验"), lesson.tr(en: "train loss", zh: "训练损失"),
                       lesson.tr(en: "valid loss", zh: "验证损失"), lesson.tr(en: "max ‖g‖", zh: "最大 ‖g‖"),
                       lesson.tr(en: "clipped", zh: "被裁剪")],
                      title: lesson.tr(en: "final losses, mean ± spread over \(n) seeds",
                                       zh: "最终损失，\(n) 个随机种子的均值 ± 波动"))
    for (v, runs) in results {
        let c = clippedSteps(runs)
        let maxNorm = SeedSample(runs.runs.map { $0.epochs.map(\.maxGradNorm).max() ?? .nan })
        table.append([.text(v.name(lang)), .text(meanSpread(runs.training, lang)),
                      .text(meanSpread(runs.validation, lang)), .text(maxNorm.isFinite ? fixed(maxNorm.mean, 3) : "—"),
                      .text("\(grouped(c.clipped))/\(grouped(c.steps))")])
    }
    lesson.table(table)
    func chart(_ title: Localized, _ picked: ArraySlice<(variant: Variant, runs: SeedRuns)>) {
        let series = picked.map { LineChart.Series($0.variant.name(lang), $0.runs.meanValidationCurve) }
        guard series.allSatisfy({ !$0.y.isEmpty && $0.y.allSatisfy(\.isFinite) }) else { return }
        lesson.plot(LineChart(title: title(lang), series: series, xLabel: lesson.tr(en: "epoch", zh: "轮"),
                              yLabel: "MSE", logScale: true))
    }
    chart(Localized(en: "validation loss per epoch, mean of \(n) seeds", zh: "每轮验证损失，\(n) 个随机种子的均值"),
          results.prefix(4))
    chart(Localized(en: "lr ×10: validation loss with and without clipping, mean of \(n) seeds",
                    zh: "学习率×10：裁剪与不裁剪的验证损失，\(n) 个随机种子的均值"), results.suffix(2))

    let seed = results[0].runs, noClip = results[1].runs, noDecay = results[2].runs, noDropout = results[3].runs
    let clipHigh = results[4].runs, noClipHigh = results[5].runs
    let steps = clippedSteps(seed).steps
    func pair(_ off: SeedRuns, _ on: SeedRuns) -> String {
        "\(fixed(off.validation.mean)) off / \(fixed(on.validation.mean)) on"
    }
    func pairZh(_ off: SeedRuns, _ on: SeedRuns) -> String {
        "关 \(fixed(off.validation.mean)) / 开 \(fixed(on.validation.mean))"
    }
    func diverged(_ what: Localized) -> Localized {
        Localized(en: what.en + ": at least one of these runs diverged (see above); their numbers do not describe "
                      + "learning.",
                  zh: what.zh + "：其中至少有一次训练发散了（见上），这些数字说明不了学习的情况。")
    }
    let clipUse = clippedSteps(seed), clipUseHigh = clippedSteps(clipHigh)

    lesson.conclude("lesson4.compare.clipping", Comparison(noClip.validation, seed.validation), lower: Localized(
        en: "Clipping off lowered the validation loss (\(pair(noClip, seed))). Clipping is a safety rail, not a free "
            + "gain: it shortened \(grouped(clipUse.clipped)) of \(grouped(clipUse.steps)) steps, and that changes "
            + "what AdamW's running averages see.",
        zh: "关掉裁剪反而降低了验证损失（\(pairZh(noClip, seed))）。裁剪是护栏，不是免费的好处：它缩短了 "
            + "\(grouped(clipUse.steps)) 步中的 \(grouped(clipUse.clipped)) 步，这会改变 AdamW 的滑动平均看到的东西。"),
        higher: Localized(
        en: "Clipping off raised the validation loss (\(pair(noClip, seed))). A likely reason, not measured here: "
            + "the clip shortened \(grouped(clipUse.clipped)) of \(grouped(clipUse.steps)) gradients before AdamW "
            + "averaged them, so the batches with the largest gradients may weigh less in its moment estimates "
            + "(AdamW's own normalisation already makes such rescaling matter little).",
        zh: "关掉裁剪提高了验证损失（\(pairZh(noClip, seed))）。可能的原因（这里没有测量）："
            + "裁剪在 AdamW 求平均之前缩短了 \(grouped(clipUse.steps)) 个梯度中的 \(grouped(clipUse.clipped)) 个，"
            + "梯度最大的那些批次在它的动量估计里的分量可能因此变小（AdamW 自身的归一化本来就让这种缩放影响不大）。"),
        noDifference: Localized(
        en: "Clipping on or off: no measurable difference at this budget (\(pair(noClip, seed))). AdamW divides each "
            + "step by a running average of the gradient's size, so rescaling gradients changes its steps far less "
            + "than it would change plain SGD's.",
        zh: "裁剪开或关：在这个预算下没有可测的差异（\(pairZh(noClip, seed))）。AdamW 每一步都除以梯度大小的滑动平均，"
            + "所以缩放梯度对它的步子影响远小于对普通 SGD 的影响。"),
        diverged: diverged(Localized(en: "Clipping on and off", zh: "裁剪开与关")))
    lesson.conclude("lesson4.compare.weightDecay", Comparison(noDecay.validation, seed.validation), lower: Localized(
        en: "Weight decay off lowered the validation loss (\(pair(noDecay, seed))), beyond the seed noise.",
        zh: "关掉权重衰减降低了验证损失（\(pairZh(noDecay, seed))），超出了随机种子的噪声。"), higher: Localized(
        en: "Weight decay off raised the validation loss (\(pair(noDecay, seed))), beyond the seed noise.",
        zh: "关掉权重衰减提高了验证损失（\(pairZh(noDecay, seed))），超出了随机种子的噪声。"), noDifference: Localized(
        en: "Weight decay on or off: no measurable difference at this budget (\(pair(noDecay, seed))). Why: AdamW's "
            + "decay removes lr·λ = \(sci(settings.learningRate * settings.weightDecay)) of every weight per step, "
            + "far too little to matter in \(grouped(steps / Swift.max(1, n))) steps.",
        zh: "权重衰减开或关：在这个预算下没有可测的差异（\(pairZh(noDecay, seed))）。原因：AdamW 的衰减每一步只去掉每个"
            + "权重的 lr·λ = \(sci(settings.learningRate * settings.weightDecay))，"
            + "\(grouped(steps / Swift.max(1, n))) 步内根本看不出来。"),
        diverged: diverged(Localized(en: "Weight decay on and off", zh: "权重衰减开与关")))
    lesson.conclude("lesson4.compare.dropout", Comparison(noDropout.validation, seed.validation), lower: Localized(
        en: "Dropout off lowered the validation loss (\(pair(noDropout, seed))). Why: dropout guards against "
            + "memorising, and with \(grouped(data.train.count)) samples this small model has little to memorise in "
            + "\(epochs) epochs, so it mostly slows learning.",
        zh: "关掉 dropout 降低了验证损失（\(pairZh(noDropout, seed))）。原因：dropout 防的是死记硬背，而 "
            + "\(grouped(data.train.count)) 个样本、\(epochs) "
                + "轮，对这个小模型来说还没什么可背的，它主要是让学习变慢。"),
        higher: Localized(
        en: "Dropout off raised the validation loss (\(pair(noDropout, seed))): its guard against memorising paid "
            + "off here.",
        zh: "关掉 dropout 提高了验证损失（\(pairZh(noDropout, seed))）：它防止死记硬背的作用在这里见效了。"),
        noDifference: Localized(
        en: "Dropout on or off: no measurable difference at this budget (\(pair(noDropout, seed))).",
        zh: "dropout 开或关：在这个预算下没有可测的差异（\(pairZh(noDropout, seed))）。"),
        diverged: diverged(Localized(en: "Dropout on and off", zh: "dropout 开与关")))
    lesson.conclude("lesson4.compare.clippingHighLR", Comparison(noClipHigh.validation, clipHigh.validation),
                    lower: Localized(
        en: "At ten times the learning rate, clipping off lowered the validation loss (\(pair(noClipHigh, clipHigh))): "
            + "the clip shortened \(grouped(clipUseHigh.clipped)) of \(grouped(clipUseHigh.steps)) steps, and here "
            + "that cost more than it protected.",
        zh: "学习率×10 时，关掉裁剪降低了验证损失（\(pairZh(noClipHigh, clipHigh))）：裁剪缩短了 "
            + "\(grouped(clipUseHigh.steps)) 步中的 \(grouped(clipUseHigh.clipped)) 步，在这里代价大于保护。"),
                    higher: Localized(
        en: "At ten times the learning rate, clipping off raised the validation loss (\(pair(noClipHigh, clipHigh))). "
            + "Why: at a larger rate every step moves further, so a step driven by one rough batch's outsized "
            + "gradient costs more, and the clip (\(grouped(clipUseHigh.clipped)) of \(grouped(clipUseHigh.steps)) "
            + "steps) shortens exactly those.",
        zh: "学习率×10 "
            + "时，关掉裁剪提高了验证损失（\(pairZh(noClipHigh, clipHigh))）。原因：学习率越大，每一步走得越远，"
            + "被某一批过大的梯度带偏的一步代价也越大，而裁剪（\(grouped(clipUseHigh.steps)) 步中的 "
            + "\(grouped(clipUseHigh.clipped)) 步）缩短的正是这些步子。"),
                    noDifference: Localized(
        en: "At ten times the learning rate, clipping on or off: no measurable difference at this budget "
            + "(\(pair(noClipHigh, clipHigh))).",
        zh: "学习率×10 时，裁剪开或关：在这个预算下没有可测的差异（\(pairZh(noClipHigh, clipHigh))）。"),
                    diverged: diverged(Localized(en: "At ten times the learning rate, clipping on and off",
                                                 zh: "学习率×10 时裁剪开与关")))
    // Each variant's mean ± spread and, from its claim above, the verdict of the change: the
    // regularizers against the seed's setting, no clipping at lr ×10 against clipping at lr ×10.
    let claimOf = [1: "lesson4.compare.clipping", 2: "lesson4.compare.weightDecay", 3: "lesson4.compare.dropout",
                   5: "lesson4.compare.clippingHighLR"]
    let line = results.enumerated().map { k, r in
        r.variant.name(lang) + " " + lesson.meanSpread(r.runs.validation, verdictOf: claimOf[k])
    }
    lesson.headline(en: "comparisons, final validation loss over \(n) seeds (verdict of each change): "
                        + line.joined(separator: " · "),
                    zh: "对比实验的最终验证损失（\(n) 个随机种子；括号里是每项改动的结论）："
                        + line.joined(separator: " · "))
}
