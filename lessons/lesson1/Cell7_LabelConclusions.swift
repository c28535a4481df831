import Engine
import LessonKit

// Cell 7, the labels' side of problem 1: noisy labels, the label check of cell 3, and the
// regularization that belongs to data (more rows, weight decay, cleaned labels), each chosen by its
// numbers over the seeds. The runs: Problem1Runs.swift; the cell itself: Cell7_Problem1.swift.

/// Noisy labels, the label check, and the regularization that comes from data.
func concludeLabels(_ lesson: Lesson, _ r: Problem1Seeds, split: SplitResult, weightDecay lambda: Double) {
    let n = r.seeds.count, first = r.runs[0]
    let noisyVsClean = r.compare({ $0.labels[1].run }, { $0.labels[0].run })
    let what = Localized(en: "Noisy labels against clean ones", zh: "噪声标签对干净标签")
    let rows = "\(first.noisyRows) / \(split.splits.train.count)"
    let trainLoss = (noisy: r.values { $0.labels[1].run.finalLoss }, clean: r.values { $0.labels[0].run.finalLoss })
    lesson.conclude("lesson1.problem1.noisy-labels", noisyVsClean,
        lower: Localized(en: "\(what.en) (\(rows) training labels wrong): \(meanSpread(noisyVsClean.a, .en)) against "
                             + "\(meanSpread(noisyVsClean.b, .en)) — the noisy labels end better here.",
                         zh: "\(what.zh)（\(rows) 个训练标签是错的）：\(meanSpread(noisyVsClean.a, .zh)) 对 "
                         + "\(meanSpread(noisyVsClean.b, .zh))——这里噪声标签反而更好。"),
        higher: Localized(en: "Noisy labels (\(rows) training labels wrong) end worse on validation: "
                              + "\(meanSpread(noisyVsClean.a, .en)) against \(meanSpread(noisyVsClean.b, .en)) "
                              + "\(overSeedCount(n).en). The training loss cannot fall below the noise (it ends at "
                              + "\(meanSpread(trainLoss.noisy, .en)) against \(meanSpread(trainLoss.clean, .en))), "
                              + "and the model learns part of it.",
                          zh: "噪声标签（\(rows) "
                          + "个训练标签是错的）的验证结果更差：\(meanSpread(noisyVsClean.a, .zh)) 对 "
                          + "\(meanSpread(noisyVsClean.b, .zh))（\(overSeedCount(n).zh)）。训练损失降不到噪声以下（"
                          + "最后为 \(meanSpread(trainLoss.noisy, .zh)) 对 "
                              + "\(meanSpread(trainLoss.clean, .zh))），模型还学进了一部分噪声。"),
        noDifference: noDifference(what, noisyVsClean), diverged: didNotLearn(noisyVsClean, what))
    if first.labels.count > 2, let dropped = first.droppedRows, let caught = first.droppedNoisy {
        let c = r.compare({ $0.labels[2].run }, { $0.labels[1].run })
        let checked = Localized(en: "Dropping the rows the label check of cell 3 flags (\(dropped) on the first "
                                    + "seed, \(caught) of them noisy)",
                                zh: "删掉单元 3 的标签检查标记的行（第一个随机种子上 \(dropped) 行，其中 \(caught) "
                                    + "行是噪声）")
        let oracle = Localized(
            en: " Remember that this check is an oracle: it knows the rule that made the labels (y is the mean of "
                + "its row). Real data do not tell you their rule, so a real label check finds fewer noisy labels "
                + "and flags some good ones; read this as the best case.",
            zh: "记住这个检查是个“先知”：它知道生成标签的规则（y 是它那一行的均值）。真实数据不会告诉你规则，"
                + "所以真实的标签检查找到的噪声标签更少，还会误标一些好的；把这里当作最好的情况来看。")
        lesson.conclude("lesson1.problem1.label-check", c,
            lower: Localized(en: "\(checked.en) brings validation MSE down to \(meanSpread(c.a, .en)) from "
                                 + "\(meanSpread(c.b, .en)) \(overSeedCount(n).en)." + oracle.en,
                             zh: "\(checked.zh)，验证 MSE 从 \(meanSpread(c.b, .zh)) 降到 \(meanSpread(c.a, .zh))"
                             + "（\(overSeedCount(n).zh)）。" + oracle.zh),
            higher: Localized(en: "\(checked.en) ends worse: \(meanSpread(c.a, .en)) against \(meanSpread(c.b, .en))."
                                  + oracle.en,
                              zh: "\(checked.zh)反而更差：\(meanSpread(c.a, .zh)) 对 "
                                  + "\(meanSpread(c.b, .zh))。" + oracle.zh),
            noDifference: Localized(en: noDifference(checked, c).en + oracle.en,
                                    zh: noDifference(checked, c).zh + oracle.zh),
            diverged: didNotLearn(c, checked))
    }
    // Regularization that belongs to data: more (noisy) rows, weight decay, or clean labels.
    lesson.say(en: """
        Regularization is anything that keeps a model from fitting what is peculiar to its training rows — \
        here the wrong labels. Three candidates against the same noisy labels: more rows (all of them against \
        half), AdamW's weight decay, and cleaning the labels.
        """, zh: """
        正则化指的是一切让模型不去拟合训练数据特有之处的手段——这里就是错误的标签。针对同样的噪声标签，\
        比较三种做法：更多的行（全部对一半）、AdamW 的权重衰减，以及清洗标签。
        """)
    let more = r.compare({ $0.labels[1].run }, { $0.halfData })
    let moreWhat = Localized(en: "Noisy labels, all training rows against half of them",
                             zh: "噪声标签，全部训练行对一半的行")
    lesson.conclude("lesson1.regularization.more-data", more,
        lower: Localized(en: "More data regularizes: with all the rows validation MSE is "
                             + "\(meanSpread(more.a, .en)), with "
                             + "half \(meanSpread(more.b, .en)) \(overSeedCount(n).en). The wrong labels are "
                             + "random, so over more rows they average out while the rule adds up.",
                         zh: "更多的数据本身就是正则化：用全部的行验证 MSE 为 \(meanSpread(more.a, .zh))，用一半为 "
                         + "\(meanSpread(more.b, .zh))（\(overSeedCount(n).zh)）。错误的标签是随机的，行越多越能相互"
                         + "抵消，而规律会不断累积。"),
        higher: Localized(en: "\(moreWhat.en): \(meanSpread(more.a, .en)) against \(meanSpread(more.b, .en)) — more "
                              + "rows end worse here.",
                          zh: "\(moreWhat.zh)：\(meanSpread(more.a, .zh)) 对 "
                              + "\(meanSpread(more.b, .zh))——这里行多反而更差。"),
        noDifference: noDifference(moreWhat, more), diverged: didNotLearn(more, moreWhat))
    let decay = r.compare({ $0.weightDecay }, { $0.labels[1].run })
    let decayWhat = Localized(en: "Noisy labels, weight decay \(lambda) against none",
                              zh: "噪声标签，权重衰减 \(lambda) 对不衰减")
    lesson.conclude("lesson1.regularization.weight-decay", decay,
        lower: Localized(en: "\(decayWhat.en): \(meanSpread(decay.a, .en)) against \(meanSpread(decay.b, .en)) "
                             + "\(overSeedCount(n).en) — weight decay helps, by "
                             + "\(percent(-decay.meanDifference / decay.b.mean)) on "
                             + "average: smaller weights make a smoother function that follows the wrong labels less.",
                         zh: "\(decayWhat.zh)：\(meanSpread(decay.a, .zh)) 对 \(meanSpread(decay.b, .zh))"
                         + "（\(overSeedCount(n).zh)）——权重衰减有帮助，平均好 "
                             + "\(percent(-decay.meanDifference / decay.b.mean))："
                             + "更小的权重让函数更平滑，更少地迁就错误的标签。"),
        higher: Localized(en: "\(decayWhat.en): \(meanSpread(decay.a, .en)) against \(meanSpread(decay.b, .en)) "
                              + "\(overSeedCount(n).en) — weight decay hurts here: it also shrinks the weights the "
                              + "rule needs.",
                          zh: "\(decayWhat.zh)：\(meanSpread(decay.a, .zh)) 对 \(meanSpread(decay.b, .zh))"
                          + "（\(overSeedCount(n).zh)）——这里权重衰减有害：它也缩小了学习规律所需的权重。"),
        noDifference: Localized(
            en: noDifference(decayWhat, decay).en + " Each step multiplies the weights by 1 − lr·λ, "
                + "a small pull over these few steps.",
            zh: noDifference(decayWhat, decay).zh + "每一步把权重乘以 1 − lr·λ，在这么少的步数里拉力很小。"),
        diverged: didNotLearn(decay, decayWhat))
    if first.labels.count > 2 {
        let c = r.compare({ $0.labels[2].run }, { $0.weightDecay })
        let cleanWhat = Localized(en: "Cleaned labels against weight decay", zh: "清洗标签对权重衰减")
        lesson.conclude("lesson1.regularization.clean-vs-decay", c,
            lower: Localized(en: "Cleaning the labels beats weight decay: \(meanSpread(c.a, .en)) against "
                                 + "\(meanSpread(c.b, .en)). A regularizer can only make the model follow wrong "
                                 + "answers less; removing them fixes the data itself.",
                             zh: "清洗标签胜过权重衰减：\(meanSpread(c.a, .zh)) 对 "
                             + "\(meanSpread(c.b, .zh))。正则化只能让模型"
                             + "少迁就错误的答案；删掉它们才是修好数据本身。"),
            higher: Localized(en: "\(cleanWhat.en): \(meanSpread(c.a, .en)) against \(meanSpread(c.b, .en)) — "
                                  + "weight decay ends better here.",
                              zh: "\(cleanWhat.zh)：\(meanSpread(c.a, .zh)) 对 "
                                  + "\(meanSpread(c.b, .zh))——这里权重衰减更好。"),
            noDifference: noDifference(cleanWhat, c), diverged: didNotLearn(c, cleanWhat))
    }
}
