import Engine
import LessonKit

// Cells 8–9: gradients. First one real forward and backward pass of the seed's model, with the
// gradient norm of every layer; then the classic problem the seed names, exploding / vanishing
// gradients, made to happen in a deep MLP and fixed by changing the architecture.

/// What one training-mode forward and backward pass of the seed's model measured.
struct ForwardBackward {
    let loss: Float
    /// ‖dL/dθ‖ per module (all of a module's parameters together), in forward order.
    let moduleNorms: [(name: String, norm: Float)]
    /// Per parameter: ‖dL/dθ‖ and ‖θ‖, in `namedParameters()` order.
    let parameterNorms: [(name: String, gradient: Float, weight: Float)]
    /// ‖dL/dθ‖ over every parameter (what `clip_grad_norm_(…, 1.0)` compares with 1.0).
    let totalNorm: Float
    /// dL/dŷ for the first 4 samples: 2(ŷ - y)/B.
    let outputGradient: Tensor
    /// dL/d(encoder output), sample 0, position 0, first 8 features (kept by `retainGrad()`).
    let memoryGradient: Tensor
}

/// One forward pass of the seed's model in training mode (dropout on, seeded) on the first batch,
/// MSE loss, one backward pass.
func forwardBackward(_ settings: Settings) -> ForwardBackward {
    let (data, model) = makeSeedDataAndModel(settings)
    let (x, y) = firstBatch(data)
    manualSeed(settings.seed)            // the dropout masks come from the default generator
    model.train()
    // model(x), spelled out so that two intermediate tensors can keep their gradients.
    let d = Float(model.modelDimensions).squareRoot()
    let memory = model.encoder(model.posEncoder(model.inputProj(x) * d))          // [B, T, D]
    memory.retainGrad()
    let prediction = model.outputLayer(memory.view([memory.shape[0], -1]))        // [B, 1]
    prediction.retainGrad()
    let loss = Tensor.mseLoss(prediction, y)
    loss.backward()

    // Group the parameters by module: "encoder.layers.0.self_attn.out_proj.weight" -> "…self_attn".
    func module(_ name: String) -> String {
        var parts = name.split(separator: ".").map(String.init)
        parts.removeLast()
        if parts.last == "out_proj" { parts.removeLast() }
        return parts.joined(separator: ".")
    }
    var order: [String] = [], squares: [String: Float] = [:]
    for (name, p) in model.namedParameters() {
        let key = module(name)
        if squares[key] == nil { order.append(key) }
        let n = gradientNorm(p)
        squares[key, default: 0] += n * n
    }
    let norms = order.map { (name: $0, norm: squares[$0]!.squareRoot()) }
    let perParameter = model.namedParameters().map { name, p in
        (name: name, gradient: gradientNorm(p), weight: withNoGrad { (p * p).sum().sqrt().item })
    }
    return ForwardBackward(
        loss: loss.item, moduleNorms: norms, parameterNorms: perParameter, totalNorm: gradNorm(model.parameters()),
        outputGradient: prediction.grad!.narrow(dim: 0, start: 0, length: 4),
        memoryGradient: memory.grad!.narrow(dim: 0, start: 0, length: 1).narrow(dim: 1, start: 0, length: 1)
            .narrow(dim: 2, start: 0, length: 8).reshape([8]))
}

// MARK: - Cell 8: one forward and backward pass

func cell8ForwardBackward(_ lesson: Lesson, _ settings: Settings) {
    lesson.step(en: "One forward and backward pass of the seed's model", zh: "种子模型的一次前向与反向传播")
    lesson.say(en: """
        Training mode (dropout on), MSE loss on the first batch, then loss.backward(). The gradient \
        starts at the output, dL/dŷ = 2(ŷ - y)/32, and flows back through the head, the three \
        encoder layers and the input projection. Two intermediate gradients, kept with retainGrad():
        """, zh: """
        训练模式（dropout 打开），在第一批数据上算 MSE 损失，然后 loss.backward()。梯度从输出开始，\
        dL/dŷ = 2(ŷ - y)/32，依次流过输出头、三个编码层和输入投影。用 retainGrad() 留下的两个中间梯度：
        """)
    let pass = forwardBackward(settings)
    lesson.show(pass.outputGradient.reshape([4]), name: "dL/dŷ[0:4]")
    lesson.show(pass.memoryGradient, name: "dL/d(encoder output)[0, 0, :8]")
    lesson.plot(BarChart(title: lesson.tr(en: "‖dL/dθ‖ per module (loss \(fixed(pass.loss)))",
                                          zh: "各模块的梯度范数 ‖dL/dθ‖（损失 \(fixed(pass.loss))）"),
                         bars: pass.moduleNorms.map { ($0.name, $0.norm) }))
    lesson.say(en: """
        Per parameter (input projection, layer 0 and the head; layers 1 and 2 look like layer 0). \
        ‖dL/dθ‖ / ‖θ‖ says how large a plain gradient step would be relative to the weight itself: \
        parameters that start at 0 (attention biases, layer-norm β) have no such ratio yet.
        """, zh: """
        逐个参数（输入投影、第 0 层和输出头；第 1、2 层与第 0 层类似）。‖dL/dθ‖ / ‖θ‖ \
        表示一次普通梯度步相对于权重本身有多大；\
        从 0 开始的参数（注意力偏置、层归一化的 β）暂时没有这个比值。
        """)
    var table = Table([lesson.tr(en: "parameter", zh: "参数"), "‖dL/dθ‖", "‖θ‖", "‖dL/dθ‖ / ‖θ‖"])
    for p in pass.parameterNorms where !p.name.hasPrefix("encoder.layers.1.") && !p.name.hasPrefix("encoder.layers.2.") {
        table.append([.text(p.name), .text(sci(p.gradient)), .number(Double(p.weight)),
                      p.weight > 0 ? .text(sci(p.gradient / p.weight)) : "—"])
    }
    lesson.table(table)
    let largest = pass.moduleNorms.max { $0.norm < $1.norm }!
    let smallest = pass.moduleNorms.min { $0.norm < $1.norm }!
    lesson.say(en: """
        Largest: \(largest.name) (\(fixed(largest.norm, 3))), nearest the loss; smallest: \
        \(smallest.name) (\(fixed(smallest.norm, 3))). Nothing vanishes on the way to input_proj: \
        three layers with residuals and layer norms are shallow. The seed clips the total norm to \
        1.0 before each step: this first step's total is \(fixed(pass.totalNorm)), so clipping \
        \(pass.totalNorm > 1 ? "scales every gradient by \(fixed(1 / pass.totalNorm, 3))" : "leaves it alone").
        """, zh: """
        最大的是 \(largest.name)（\(fixed(largest.norm, 3))），离损失最近；最小的是 \
        \(smallest.name)（\(fixed(smallest.norm, 3))）。\
        梯度传到 input_proj 并没有消失：带残差和层归一化的三层网络很浅。种子代码每步先把总范数裁剪到 1.0：\
        第一步的总范数是 \
        \(fixed(pass.totalNorm))，所以裁\
        剪\(pass.totalNorm > 1 ? "把每个梯度乘以 \(fixed(1 / pass.totalNorm, 3))" : "不起作用")。
        """)
    lesson.headline(en: "first batch: loss \(fixed(pass.loss)), total gradient norm \(fixed(pass.totalNorm))",
                    zh: "第一批：损失 \(fixed(pass.loss))，总梯度范数 \(fixed(pass.totalNorm))")
}

// MARK: - Cell 9: exploding and vanishing gradients, an architecture problem

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
        ? Localized(en: "Symptom: with sigmoid the first layer's gradient is \(sigmoidFirst), only \(sigmoidRatio) times the last layer's: the early layers would not learn at all.",
                    zh: "症状：使用 sigmoid 时，第一层的梯度是 \(sigmoidFirst)，只有最后一层的 \(sigmoidRatio) 倍：前面的层根本学不动。")
        : Localized(en: "At \(depth) layers sigmoid's first layer still gets \(sigmoidFirst) (\(sigmoidRatio) times the last layer's); raise --layers to watch it vanish.",
                    zh: "在 \(depth) 层时，sigmoid 的第一层梯度仍有 \(sigmoidFirst)（最后一层的 \(sigmoidRatio) 倍）；加大 --layers 看它消失。"))
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
    lesson.headline(en: "\(depth) layers, first-layer gradient norm: Sigmoid \(sci(sigmoid.plain.firstLayerGradientNorm)) → LeakyReLU \(sci(leaky.plain.firstLayerGradientNorm)) → + residual \(sci(leaky.residual.firstLayerGradientNorm)) → + pre-norm \(sci(leaky.preNorm.firstLayerGradientNorm))",
                    zh: "\(depth) 层，第一层梯度范数：Sigmoid \(sci(sigmoid.plain.firstLayerGradientNorm)) → LeakyReLU \(sci(leaky.plain.firstLayerGradientNorm)) → + 残差 \(sci(leaky.residual.firstLayerGradientNorm)) → + pre-norm \(sci(leaky.preNorm.firstLayerGradientNorm))")
}
