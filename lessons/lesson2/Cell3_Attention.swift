import Engine
import LessonKit

// Cell 3: inside encoder layer 0, one attention head by hand beside MultiheadAttention's.
// The numbers come from `walkThrough` in Cell1_Layers.swift.

// MARK: - Cell 3: one attention head

func cell3Attention(_ lesson: Lesson, _ walk: Walkthrough) {
    let attention = walk.model.encoder.layers[0].selfAttn
    let h = attention.numHeads, dh = attention.headDimensions
    lesson.step(en: "Self-attention: one head's scores and weights", zh: "自注意力：一个头的分数与权重")
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
    lesson.say(en: """
        At initialisation the scores of this head already span \(fixed(scoreValues.min()!, 1)) … \
        \(fixed(scoreValues.max()!, 1)): with inputs at std ≈ \(fixed(standardDeviation(walk.positioned), 1)) \
        (cell 1) the softmax is close to one-hot, its largest weight \(fixed(walk.weights.max().item, 4)). \
        A saturated softmax passes little gradient to the other keys; training or a smaller input \
        scale softens it.
        """, zh: """
        刚初始化时，这个头的分数范围已经是 \(fixed(scoreValues.min()!, 1)) … \(fixed(scoreValues.max()!, 1))：\
        输入的标准差约为 \(fixed(standardDeviation(walk.positioned), 1))（第 1 步），softmax 几乎是独热的，最大权重 \
        \(fixed(walk.weights.max().item, 4))。饱和的 softmax \
        几乎不把梯度传给其他键；训练或更小的输入尺度会让它变得平缓。
        """)
    lesson.headline(en: "attention scores [B·H, T, T] = [\(walk.x.shape[0] * h), 5, 5]; head 0 by hand = " +
                        "MultiheadAttention's weights (max diff \(sci(maxAbsDifference(walk.weights, walk.moduleWeights))))",
                    zh: "注意力分数 [B·H, T, T] = [\(walk.x.shape[0] * h), 5, 5]；手算的第 0 个头与 " +
                        "MultiheadAttention 的权重一致（最大差 \(sci(maxAbsDifference(walk.weights, walk.moduleWeights)))）")
}
