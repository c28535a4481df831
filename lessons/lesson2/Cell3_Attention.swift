import Engine
import LessonKit

// Cell 3: inside encoder layer 0, one attention head by hand beside MultiheadAttention's.
// The numbers come from `walkThrough` in Cell1_Layers.swift.

// MARK: - Cell 3: one attention head

func cell3Attention(_ lesson: Lesson, _ walk: Walkthrough) {
    let attention = walk.model.encoder.layers[0].selfAttn
    let h = attention.numHeads, dh = attention.headDimensions
    lesson.cell(3)
    lesson.say(en: """
        Each of the \(h) heads projects every position to a query q and a key k of width Dh = \(dh). \
        Position t looks at position s with score q_t·k_s/√\(dh) (the √Dh keeps scores near unit \
        scale); a softmax over s turns each row of scores into weights that sum to 1. Head 0, sample 0:
        """, zh: """
        \(h) 个头中的每一个，都把每个位置投影成宽 Dh = \(dh) 的查询 q 和键 k。位置 t 对位置 s 的分数是 \
        q_t·k_s/√\(dh)（除以 √Dh 让分数保持在单位量级）；对 s 做 softmax，把每行分数变成和为 1 的权重。第 0 个头、样本 \
        0：
        """)
    lesson.show(walk.scores, name: "scores = q·kᵀ/√\(dh)")
    lesson.show(walk.weights, name: "weights = softmax(scores)")
    let labels = (0..<walk.weights.shape[0]).map { "t\($0)" }
    lesson.plot(HeatMap(title: lesson.tr(en: "Attention scores q·kᵀ/√\(dh), head 0, sample 0",
                                         zh: "注意力分数 q·kᵀ/√\(dh)：第 0 个头、样本 0"),
                        rows: rows(walk.scores), rowLabels: labels, columnLabels: labels, cellWidth: 3))
    lesson.plot(HeatMap(title: lesson.tr(en: "Attention weights, head 0, sample 0 (query rows × key columns)",
                                         zh: "注意力权重：第 0 个头、样本 0（行是查询，列是键）"),
                        rows: rows(walk.weights), rowLabels: labels, columnLabels: labels, cellWidth: 3))
    let scoreValues = walk.scores.scalars
    let largestWeight = walk.weights.max().item
    let span = Localized(
        en: "At initialisation the scores of this head span \(fixed(scoreValues.min()!, 1)) … " +
            "\(fixed(scoreValues.max()!, 1)), with inputs at std ≈ \(fixed(standardDeviation(walk.positioned), 1)) " +
            "(cell 1); the largest weight is \(fixed(largestWeight, 4)).",
        zh: "刚初始化时，这个头的分数范围是 \(fixed(scoreValues.min()!, 1)) … \(fixed(scoreValues.max()!, 1))，" +
            "输入的标准差约为 \(fixed(standardDeviation(walk.positioned), 1))（见单元 1）；最大权重是 " +
            "\(fixed(largestWeight, 4))。")
    lesson.say(span)
    lesson.conclude("lesson2.attention.saturated",
                    .threshold(value: Double(largestWeight), relation: .above, limit: 0.9), [
        "true": Localized(en: "Above 0.9: the softmax is close to one-hot. A saturated softmax passes little " +
                              "gradient to the other keys; training or a smaller input scale softens it.",
                          zh: "超过 0.9：softmax 几乎是独热的。饱和的 softmax "
                              + "几乎不把梯度传给其他键；训练或更小的输入尺度会让它变得平缓。"),
        "false": Localized(en: "At most 0.9: this head's softmax is not saturated, so every key still receives " +
                               "some gradient.",
                           zh: "不超过 0.9：这个头的 softmax 没有饱和，每个键都还能收到一些梯度。"),
        "diverged": Localized(en: "The weights are not finite: the scores "
            + "overflowed.", zh: "权重不是有限数：分数溢出了。"),
    ])
    lesson.headline(en: "attention scores [B·H, T, T] = [\(walk.x.shape[0] * h), 5, 5]",
                    zh: "注意力分数 [B·H, T, T] = [\(walk.x.shape[0] * h), 5, 5]")
    let difference = maxAbsDifference(walk.weights, walk.moduleWeights)
    lesson.conclude("lesson2.attention.byHandAgrees",
                    .threshold(value: Double(difference), relation: .below, limit: 1e-5), [
        "true": Localized(en: "head 0 by hand = MultiheadAttention's weights (max diff \(sci(difference)), below 1e-5)",
                          zh: "手算的第 0 个头与 MultiheadAttention 的权重一致（最大差 \(sci(difference))，小于 "
                              + "1e-5）"),
        "false": Localized(en: "head 0 by hand differs from MultiheadAttention's weights (max diff \(sci(difference)))",
                           zh: "手算的第 0 个头与 MultiheadAttention 的权重不一致（最大差 \(sci(difference))）"),
        "diverged": Localized(en: "head 0 by hand: the weights are not finite", zh: "手算的第 0 个头：权重不是有限数"),
    ], headline: true)
}
