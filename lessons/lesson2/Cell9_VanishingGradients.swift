import Engine
import LessonKit

// Cell 9: the classic problem the seed names, exploding / vanishing gradients, made to happen in a
// deep MLP and fixed by changing the architecture.

/// One row of the vanishing-gradient table: the deep MLP with one activation, wired three ways.
struct WiringComparison {
    let activation: Activation
    let plain: DepthResult
    let residual: DepthResult
    let preNorm: DepthResult
}

/// The deep MLP (PyTorch's default initialisation) for every activation, plain, residual, and
/// pre-norm residual: one forward and backward pass each.
func vanishingGradientTable(layers: Int, seed: UInt64) -> [WiringComparison] {
    comparedActivations.map { kind in
        func run(_ wiring: Wiring) -> DepthResult {
            deepMLP(layers: layers, activation: kind, initScheme: .pytorchDefault, wiring: wiring, seed: seed)
        }
        return WiringComparison(activation: kind, plain: run(.plain), residual: run(.residual),
                                preNorm: run(.preNormResidual))
    }
}

// MARK: - Cell 9: exploding and vanishing gradients, an architecture problem

func cell9VanishingGradients(_ lesson: Lesson, _ settings: Settings) {
    let depth = settings.layers
    lesson.step(en: "Vanishing gradients: symptom and fix", zh: "梯度消失：症状与修复")
    lesson.say(en: """
        The seed: "too many layers, a poor activation function" make the model faint (vanishing) or \
        go mad (exploding); fixes include another activation and residual connections. The symptom \
        in numbers: the same \(depth)-layer MLP with PyTorch's default initialisation, one backward \
        pass, the gradient norm reaching the first layer, ‖dW₁‖, and its ratio to the last layer's \
        (1 would be perfectly even). Three wirings: plain, residual h + f(h), and residual with a \
        layer norm in front of each block (pre-norm).
        """, zh: """
        种子文章说："层数太多、激活函数不合适"会让模型"晕倒"（梯度消失）或"发疯"（梯度爆炸）；\
        办法包括换激活函数和加残差连接。用数字看症状：同一个 \(depth) 层 MLP，PyTorch 默认初始化，一次反向传播，\
        到达第一层的梯度范数 ‖dW₁‖，以及它与最后一层之比（1 表示完全均匀）。三种连接方式：普通、残差 h + f(h)、\
        以及每个模块前加层归一化的残差（pre-norm）。
        """)
    let results = vanishingGradientTable(layers: depth, seed: settings.seed)
    let ratio = lesson.tr(en: "1st/last", zh: "首/末")
    var table = Table([lesson.tr(en: "activation", zh: "激活函数"),
                       lesson.tr(en: "plain ‖dW₁‖", zh: "普通 ‖dW₁‖"), ratio,
                       lesson.tr(en: "residual ‖dW₁‖", zh: "残差 ‖dW₁‖"), ratio,
                       lesson.tr(en: "pre-norm ‖dW₁‖", zh: "pre-norm ‖dW₁‖"), ratio])
    func ratioOf(_ r: DepthResult) -> TableCell { .text(sci(r.firstLayerGradientNorm / r.lastLayerGradientNorm)) }
    for r in results {
        table.append([.text(r.activation.displayName),
                      .text(sci(r.plain.firstLayerGradientNorm)), ratioOf(r.plain),
                      .text(sci(r.residual.firstLayerGradientNorm)), ratioOf(r.residual),
                      .text(sci(r.preNorm.firstLayerGradientNorm)), ratioOf(r.preNorm)])
    }
    lesson.table(table)
    let sigmoid = results.first { $0.activation == .sigmoid }!
    let leaky = results.first { $0.activation == .leakyRelu }!
    let leakyKaiming = deepMLP(layers: depth, activation: .leakyRelu, initScheme: .kaiming, seed: settings.seed)
    lesson.plot(LineChart(title: lesson.tr(en: "‖dL/dW‖ per layer, \(depth) layers (log scale)",
                                           zh: "每层的 ‖dL/dW‖，\(depth) 层（对数坐标）"),
                          series: [.init("Sigmoid", sigmoid.plain.gradientNorms),
                                   .init("LeakyReLU", leaky.plain.gradientNorms),
                                   .init("LeakyReLU + residual", leaky.residual.gradientNorms),
                                   .init("LeakyReLU + pre-norm residual", leaky.preNorm.gradientNorms)],
                          xLabel: lesson.tr(en: "layer", zh: "层"), logScale: true))
    let sigmoidFirst = sci(sigmoid.plain.firstLayerGradientNorm)
    let sigmoidRatio = sci(sigmoid.plain.firstLayerGradientNorm / sigmoid.plain.lastLayerGradientNorm)
    let vanished = sigmoid.plain.firstLayerGradientNorm < 1e-6
    let leakyVanishes = leaky.plain.firstLayerGradientNorm < 1e-4
    lesson.say(vanished
        ? Localized(en: "Symptom: with sigmoid the first layer's gradient is \(sigmoidFirst), only \(sigmoidRatio) " +
                        "times the last layer's: the early layers would not learn at all.",
                    zh: "症状：使用 sigmoid 时，第一层的梯度是 \(sigmoidFirst)，只有最后一层的 \(sigmoidRatio) " +
                        "倍：前面的层根本学不动。")
        : Localized(en: "At \(depth) layers sigmoid's first layer still gets \(sigmoidFirst) (\(sigmoidRatio) times " +
                        "the last layer's); raise --layers to watch it vanish.",
                    zh: "在 \(depth) 层时，sigmoid 的第一层梯度仍有 \(sigmoidFirst)（最后一层的 \(sigmoidRatio) " +
                        "倍）；加大 --layers 看它消失。"))
    lesson.say(leakyVanishes
        ? Localized(en: """
            Another activation alone is not enough here: LeakyReLU still ends at \
            \(sci(leaky.plain.firstLayerGradientNorm)), because PyTorch's default weights shrink the \
            signal too (cell 6); with Kaiming's initialisation it gets \
            \(sci(leakyKaiming.firstLayerGradientNorm)): activation and initialisation go together.
            """, zh: """
            只换激活函数在这里还不够：LeakyReLU 的第一层仍只有 \(sci(leaky.plain.firstLayerGradientNorm))，\
            因为 PyTorch 的默认权重也在缩小信号（见第 6 步）；改用 Kaiming 初始化后是 \
            \(sci(leakyKaiming.firstLayerGradientNorm))：激活函数与初始化要搭配。
            """)
        : Localized(en: """
            Another activation is enough at this depth: LeakyReLU's first layer gets \
            \(sci(leaky.plain.firstLayerGradientNorm)) (with Kaiming's initialisation \
            \(sci(leakyKaiming.firstLayerGradientNorm))).
            """, zh: """
            在这个深度，换激活函数就够了：LeakyReLU 的第一层得到 \(sci(leaky.plain.firstLayerGradientNorm))\
            （用 Kaiming 初始化则是 \(sci(leakyKaiming.firstLayerGradientNorm))）。
            """))
    lesson.say(en: """
        A residual connection gives the gradient an identity path around every layer: the first \
        layer now gets \(sci(leaky.residual.firstLayerGradientNorm)). But a bare sum grows through \
        depth and the gradients with it (last layer \(sci(leaky.residual.lastLayerGradientNorm))); a \
        layer norm in front of each block keeps every block's input at unit scale, and the gradient \
        is nearly even from first to last layer (ratio \
        \(sci(leaky.preNorm.firstLayerGradientNorm / leaky.preNorm.lastLayerGradientNorm))). That is \
        the Transformer's recipe: every block of the seed's model sits in a residual with a layer norm.
        """, zh: """
        残差连接为梯度在每层旁边留了一条恒等通路：第一层现在得到 \(sci(leaky.residual.firstLayerGradientNorm))。\
        但单纯的相加会随深度不断变大，梯度也跟着变大（最后一层 \(sci(leaky.residual.lastLayerGradientNorm))）；\
        在每个模块前加层归一化，让每个模块的输入保持单位尺度，梯度从第一层到最后一层几乎一样大（比值 \
        \(sci(leaky.preNorm.firstLayerGradientNorm / leaky.preNorm.lastLayerGradientNorm))）。\
        这正是 Transformer 的做法：种子模型的每个模块都包在残差里，并配有层归一化。
        """)
    lesson.headline(en: "\(depth) layers, first-layer gradient norm: Sigmoid " +
                        "\(sci(sigmoid.plain.firstLayerGradientNorm)) → LeakyReLU \(sci(leaky.plain.firstLayerGradientNorm)) → + residual \(sci(leaky.residual.firstLayerGradientNorm)) → + pre-norm \(sci(leaky.preNorm.firstLayerGradientNorm))",
                    zh: "\(depth) 层，第一层梯度范数：Sigmoid \(sci(sigmoid.plain.firstLayerGradientNorm)) → " +
                        "LeakyReLU \(sci(leaky.plain.firstLayerGradientNorm)) → + 残差 \(sci(leaky.residual.firstLayerGradientNorm)) → + pre-norm \(sci(leaky.preNorm.firstLayerGradientNorm))")
}
