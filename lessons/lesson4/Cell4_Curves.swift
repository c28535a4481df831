import Engine
import LessonKit

// Cell 4: Reading the exam results — curves, the scheduler's trace, early stopping.

/// The epochs at which ReduceLROnPlateau lowered the learning rate, with the rate before and after.
func learningRateDrops(_ run: RunRecord) -> [(epoch: Int, from: Double, to: Double)] {
    var drops: [(Int, Double, Double)] = []
    var previous = run.settings.learningRate
    for e in run.epochs where e.learningRate != previous {
        drops.append((e.epoch, previous, e.learningRate))
        previous = e.learningRate
    }
    return drops
}

/// How many times, from one epoch to the next, the training and validation losses moved in
/// opposite directions.
func disagreeingEpochs(_ run: RunRecord) -> Int {
    zip(run.epochs, run.epochs.dropFirst()).filter { previous, e in
        (e.trainLoss < previous.trainLoss) != (e.validationLoss < previous.validationLoss)
    }.count
}

/// Early stopping's verdict on a run, checked by evaluating the restored model again.
struct EarlyStoppingSummary {
    let bestEpoch: Int
    let bestValidationLoss: Double
    let lastValidationLoss: Double
    /// Where patience ran out (nil: never within the run).
    let stopEpoch: Int?
    /// The validation loss of the model as returned (best weights restored), measured afresh.
    let restoredValidationLoss: Double
    /// Had training stopped at `stopEpoch`, the best epoch and loss it would have kept.
    let keptIfStopped: (epoch: Int, loss: Double)?
}

func summarizeEarlyStopping(_ run: RunRecord, model: TransformerEncoderRegressor,
                            validation: TensorDataset) -> EarlyStoppingSummary {
    let kept = run.stopEpoch.map { stop -> (epoch: Int, loss: Double) in
        let best = run.epochs.prefix(stop).min { $0.validationLoss < $1.validationLoss }!
        return (best.epoch, best.validationLoss)
    }
    return EarlyStoppingSummary(bestEpoch: run.bestEpoch, bestValidationLoss: run.bestValidationLoss,
                                lastValidationLoss: run.epochs.last?.validationLoss ?? .nan, stopEpoch: run.stopEpoch,
                                restoredValidationLoss: evaluate(model, on: validation), keptIfStopped: kept)
}

// MARK: - Cell 4: Reading the exam results — curves, the scheduler's trace, early stopping

func cell4Curves(_ lesson: Lesson, run: RunRecord, model: TransformerEncoderRegressor, data: LessonData) {
    lesson.cell(4)
    guard !run.diverged, !run.epochs.isEmpty else {
        lesson.say(en: "The full run diverged in cell 3: its numbers show a blow-up, not learning, so there are no "
                       + "exam results to read. Lower --lr (or keep --clip on) and run again.",
                   zh: "完整训练在第 3 格发散了：这些数字显示的是失控，不是学习，所以没有成绩可看。调低 --lr"
                       + "（或保持 --clip 打开）再运行一次。")
        return
    }
    lesson.say(en: """
        Training loss (dropout on, averaged while the weights move) against validation loss (dropout off, after \
        the epoch). The validation loss can sit *below* the training loss: dropout handicaps only the practice. \
        Overfitting would show as the two lines parting, validation going up while training goes down.
        """, zh: """
        训练损失（开着 dropout，在权重变化的同时取平均）对比验证损失（关掉 dropout，在一轮结束后测）。\
        验证损失可能比训练损失还*低*：dropout 只在练习时“绑住一只手”。如果过拟合，两条线会分开：训练往下，验证往上。
        """)
    lesson.plot(LineChart(title: lesson.tr(en: "MSE per epoch", zh: "每轮 MSE"),
                          series: [.init(lesson.tr(en: "train", zh: "训练"), run.trainLosses),
                                   .init(lesson.tr(en: "validation", zh: "验证"), run.validationLosses)],
                          xLabel: lesson.tr(en: "epoch", zh: "轮"), yLabel: "MSE", logScale: true))

    let onValidation = run.settings.plateauOnValidation
    let watched = onValidation
        ? lesson.tr(en: "here (--plateau-on validation) watches the *validation* loss",
                    zh: "这里（--plateau-on validation）盯的是*验证*损失")
        : lesson.tr(en: "as the blog post's script uses it, watches the *training* loss",
                    zh: "按示例脚本的用法，盯的是*训练*损失")
    lesson.say(en: """
        ReduceLROnPlateau, \(watched): an epoch is "bad" unless it beats \
        `best` by more than 0.01 % (threshold 1e-4, relative); after more than \(run.settings.schedulerPatience) \
        bad epochs in a row the rate is multiplied by 0.1 and the count restarts. Its bookkeeping, epoch by epoch:
        """, zh: """
        ReduceLROnPlateau \(watched)：一轮如果没有比 `best` 好 0.01% 以上（threshold 1e-4，相对）\
        就算“坏轮”；连续坏轮超过 \(run.settings.schedulerPatience) 次，学习率乘以 0.1，计数重来。它每一轮的账本如下：
        """)
    var trace = Table(["epoch", lesson.tr(en: "train loss", zh: "训练损失"), lesson.tr(en: "valid "
        + "loss", zh: "验证损失"),
                       "best", "bad", "LR", lesson.tr(en: "max ‖g‖", zh: "最大 ‖g‖"),
                       lesson.tr(en: "clipped", zh: "被裁剪")])
    for e in run.epochs {
        trace.append([.integer(e.epoch), .number(e.trainLoss), .number(e.validationLoss), .number(e.schedulerBest),
                      .integer(e.schedulerBadEpochs), .number(e.learningRate, format: "%.2e"),
                      .number(e.maxGradNorm, format: "%.3f"), .text("\(e.clippedSteps)/\(e.steps)")])
    }
    lesson.table(trace)
    let drops = learningRateDrops(run)
    let dropText = drops.isEmpty ? lesson.tr(en: "none", zh: "没有")
        : drops.map { String(format: "%d (%.0e→%.0e)", $0.epoch, $0.from, $0.to) }.joined(separator: ", ")
    lesson.headline(en: "learning-rate drops at epochs: \(dropText)", zh: "学习率下降发生在第几轮：\(dropText)")
    let disagreements = disagreeingEpochs(run), changes = run.epochs.count - 1
    if !onValidation && changes > 0 {
        let share = Double(disagreements) / Double(changes)
        let usual = Localized(en: " Passing the validation loss to `scheduler.step` is the usual practice: a one-line "
                                  + "change in `trainWithValidation`, or `--plateau-on validation`.",
                              zh: "更常见的做法是把验证损失传给 `scheduler.step`：在 `trainWithValidation` "
                                  + "里只需改一行，或者加 `--plateau-on validation`。")
        lesson.conclude("lesson4.scheduler.noisyGuide", .threshold(value: share, relation: .atLeast, limit: 0.2), [
            "true": Localized(
                en: "Note what the blog post's scheduler watches: the training loss. In \(disagreements) of \(changes) "
                    + "epochs the two losses moved in opposite directions (training better, validation worse, or the "
                    + "reverse), "
                    + "one in five or more, so the training loss is a noisy guide to what we care about." + usual.en,
                zh: "注意示例脚本的调度器盯的是训练损失。在 \(changes) 次轮间变化中，有 \(disagreements) "
                    + "次两个损失朝相反方向走（训练变好、验证变差，或者反过来），达到五分之一以上，可见训练损失并不"
                    + "能可靠地代表我们真正关心的东西。" + usual.zh),
            "false": Localized(
                en: "The blog post's scheduler watches the training loss. Here the two losses moved in "
                    + "opposite directions "
                    + "in "
                    + "only \(disagreements) of \(changes) epochs (under one in five), so in this run it was a fair "
                    + "guide; still, the validation loss is what we care about." + usual.en,
                zh: "示例脚本的调度器盯的是训练损失。这里两个损失只在 \(changes) 次轮间变化中的 \(disagreements) "
                    + "次朝相反方向走（不到五分之一），所以这次它还算可靠；不过我们真正关心的是验证损失。" + usual.zh),
        ])
    }
    let es = summarizeEarlyStopping(run, model: model, validation: data.validation)
    let stopped = run.settings.stopEarly && es.stopEpoch != nil
    let stopText = es.stopEpoch.map { stopped ? lesson.tr(en: "stopped the run at epoch \($0)",
                                                          zh: "在第 \($0) 轮结束了训练")
                                              : lesson.tr(en: "would have stopped at epoch \($0)",
                                                          zh: "会在第 \($0) 轮停下") }
        ?? lesson.tr(en: "never ran out of patience", zh: "耐心始终没有耗尽")
    let howText = stopped
        ? lesson.tr(en: " (--stop-early)", zh: "（--stop-early）")
        : es.stopEpoch == nil ? ""
        : lesson.tr(en: "; we let the run finish like the seed (--stop-early ends it there)",
                    zh: "；我们像示例脚本一样跑完全部轮数（加 --stop-early 就在那里结束）")
    lesson.say(en: """
        Early stopping (patience \(run.settings.stopPatience), watching the validation loss) \(stopText)\(howText). \
        Either way the stopper kept a copy of the weights from its best exam and put them back.
        """, zh: """
        早停（耐心 \(run.settings.stopPatience)，盯验证损失）\(stopText)\(howText)。\
        无论哪种情况，早停器都留着最佳那次周考时的权重副本，最后把它放了回去。
        """)
    if let stop = es.stopEpoch, let kept = es.keptIfStopped {
        let p = run.settings.stopPatience
        lesson.conclude("lesson4.earlyStopping.missedBetter",
                        .threshold(value: kept.loss, relation: .above, limit: es.bestValidationLoss), [
            "true": Localized(
                en: "Stopping at epoch \(stop) would have kept epoch \(kept.epoch)'s weights (validation "
                    + "\(fixed(kept.loss))) and missed the better epoch \(es.bestEpoch) "
                    + "(\(fixed(es.bestValidationLoss))): "
                    + "on a loss this noisy, a patience of \(p) is short. Try `--stop-patience 20`.",
                zh: "如果在第 \(stop) 轮停下，会保留第 \(kept.epoch) 轮的权重（验证 "
                    + "\(fixed(kept.loss))），错过后面更好的"
                    + "第 \(es.bestEpoch) 轮（\(fixed(es.bestValidationLoss))）：损失这么嘈杂，耐心 \(p) 太短了。"
                    + "试试 `--stop-patience 20`。"),
            "false": Localized(
                en: "Stopping at epoch \(stop) would have kept epoch \(kept.epoch)'s weights, the best of the whole "
                    + "run: "
                    + "nothing better came later.",
                zh: "如果在第 \(stop) 轮停下，会保留第 \(kept.epoch) "
                    + "轮的权重，也就是整个训练里最好的：后面没有更好的了。"),
        ])
    }
    lesson.headline(en: "early stopping: best validation \(fixed(es.bestValidationLoss)) at epoch \(es.bestEpoch) "
                        + "(last epoch \(fixed(es.lastValidationLoss))); restored weights re-evaluated: "
                        + "\(fixed(es.restoredValidationLoss))",
                    zh: "早停：最佳验证损失 \(fixed(es.bestValidationLoss))（第 \(es.bestEpoch) 轮；最后一轮 "
                        + "\(fixed(es.lastValidationLoss))）；恢复后的权重重新评估"
                            + "：\(fixed(es.restoredValidationLoss))")
}
