import Engine
import LessonKit

// Cell 4: the rest of encoder layer 0 (residual, layer norm, feed-forward), the rest of the stack,
// the flatten and the head. The numbers come from `walkThrough` in Cell1_Layers.swift.

// MARK: - Cell 4: residual + layer norm, feed-forward, the stack, flatten, head

func cell4Head(_ lesson: Lesson, _ walk: Walkthrough) {
    let attention = walk.model.encoder.layers[0].selfAttn
    let d = attention.embedDimensions
    lesson.cell(4)
    lesson.say(en: """
        The attention output is added back to its input (the residual connection) and layer norm \
        rescales each position's \(d) features to mean 0, std 1. Sample 0, per position:
        """, zh: """
        注意力的输出加回到它的输入上（残差连接），层归一化再把每个位置的 \(d) 个特征缩放到均值 0、标准差 1。样本 \
        0，逐个位置：
        """)
    var norm = Table([lesson.tr(en: "position", zh: "位置"),
                      lesson.tr(en: "mean before", zh: "归一化前均值"), lesson.tr(en: "std "
                          + "before", zh: "归一化前标准差"),
                      lesson.tr(en: "mean after", zh: "归一化后均值"), lesson.tr(en: "std "
                          + "after", zh: "归一化后标准差")])
    let before = walk.normRowsBefore, after = walk.normRowsAfter
    for t in before.mean.indices {
        norm.append([.integer(t), .number(Double(before.mean[t])), .number(Double(before.std[t])),
                     .number(Double(after.mean[t])), .number(Double(after.std[t]))])
    }
    lesson.table(norm)

    let f = walk.hidden.shape[2]
    lesson.say(en: """
        The feed-forward network widens each position to F = \(f), applies ReLU, and narrows back \
        to \(d); another residual + layer norm closes the layer. ReLU zeroes \
        \(fixed(100 * walk.hiddenZeroFraction, 1)) % of the hidden values. Layers 1 and 2 repeat \
        the same recipe with their own copies of the weights. Then the \(walk.memory.shape[1]) positions × \(d) \
        features are flattened into one vector of \(walk.flattened.shape[1]) per sample, and the \
        head maps it to one number.
        """, zh: """
        前馈网络把每个位置加宽到 F = \(f)，经过 ReLU，再收窄回 \(d)；又一次残差 + 层归一化结束这一层。\
        ReLU 把 \(fixed(100 * walk.hiddenZeroFraction, 1)) % 的隐藏值变成 0。第 1、2 \
        层用各自的一份权重副本重复同样的步骤。\
        然后把 \(walk.memory.shape[1]) 个位置 × \(d) 个特征展平成每个样本一个 \(walk.flattened.shape[1]) \
        维向量，输出头把它映射成一个数。
        """)
    let layerCount = walk.model.encoder.layers.count
    var shapes = Table([lesson.tr(en: "step", zh: "步骤"), lesson.tr(en: "shape", zh: "形状"),
                        lesson.tr(en: "std", zh: "标准差")])
    let layer0 = lesson.tr(en: "layer 0", zh: "第 0 层"), colon = lesson.tr(en: ": ", zh: "：")
    let steps: [(String, Tensor)] = [
        ("x", walk.x), ("input_proj(x)·√\(d)", walk.projected), ("+ pos_encoder", walk.positioned),
        ("\(layer0)\(colon)x + self_attn(x)", walk.attended), ("\(layer0)\(colon)norm1", walk.normalized),
        ("\(layer0)\(colon)relu(linear1)", walk.hidden), ("\(layer0)\(colon)norm2(x + linear2)", walk.layer0),
        (lesson.tr(en: "encoder (\(layerCount) layers)", zh: "编码器（\(layerCount) 层）"), walk.memory),
        ("flatten", walk.flattened), ("output_layer → ŷ", walk.output),
    ]
    for (name, tensor) in steps {
        shapes.append([.text(name), .text(shapeText(tensor.shape)), .number(Double(standardDeviation(tensor)))])
    }
    lesson.table(shapes)
    lesson.show(walk.output.narrow(dim: 0, start: 0, length: 4), name: "ŷ[0:4]")
    let difference = maxAbsDifference(walk.output, walk.modelOutput)
    let flow = "flatten \(shapeText(walk.flattened.shape)) → head → ŷ \(shapeText(walk.output.shape))"
    let zhFlow = "展平 \(shapeText(walk.flattened.shape)) → 输出头 → ŷ \(shapeText(walk.output.shape))"
    lesson.conclude("lesson2.head.byHandEqualsModel",
                    .threshold(value: Double(difference), relation: .atMost, limit: 0), [
        "true": Localized(en: "\(flow); by hand = model(x) bit for bit (max diff \(sci(difference)))",
                          zh: "\(zhFlow)；手算与 model(x) 逐位相同（最大差 \(sci(difference))）"),
        "false": Localized(en: "\(flow); by hand differs from model(x) (max diff \(sci(difference)))",
                           zh: "\(zhFlow)；手算与 model(x) 不同（最大差 \(sci(difference))）"),
        "diverged": Localized(en: "\(flow); the output is not finite", zh: "\(zhFlow)；输出不是有限数"),
    ], headline: true)
}
