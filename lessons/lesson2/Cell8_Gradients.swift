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
    return ForwardBackward(
        loss: loss.item, moduleNorms: norms, totalNorm: gradNorm(model.parameters()),
        outputGradient: prediction.grad!.narrow(dim: 0, start: 0, length: 4),
        memoryGradient: memory.grad!.narrow(dim: 0, start: 0, length: 1).narrow(dim: 1, start: 0, length: 1)
            .narrow(dim: 2, start: 0, length: 8).reshape([8]))
}

// MARK: - Cell 8: one forward and backward pass

func cellForwardBackward(_ lesson: Lesson, _ settings: Settings) {
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
        The head, nearest the loss, gets the largest gradients; layer norms and the input projection \
        small ones. The seed clips the total norm to 1.0 before each step: this first step's total \
        is \(fixed(pass.totalNorm)), so clipping \(pass.totalNorm > 1 ? "would shrink it" : "leaves it alone").
        """, zh: """
        离损失最近的输出头梯度最大；层归一化和输入投影的梯度较小。种子代码每步先把总范数裁剪到 1.0：\
        第一步的总范数是 \(fixed(pass.totalNorm))，所以裁剪\(pass.totalNorm > 1 ? "会把它缩小" : "不起作用")。
        """)
    lesson.headline(en: "first batch: loss \(fixed(pass.loss)), total gradient norm \(fixed(pass.totalNorm))",
                    zh: "第一批：损失 \(fixed(pass.loss))，总梯度范数 \(fixed(pass.totalNorm))")
}

// MARK: - Cell 9: exploding and vanishing gradients, an architecture problem

/// First- and last-layer gradient norms of the deep MLP (PyTorch's default initialisation) for
/// every activation, without and with residual connections.
func vanishingGradientTable(layers: Int, seed: UInt64) -> [(activation: ActivationKind, plain: DepthResult, residual: DepthResult)] {
    ActivationKind.allCases.map { kind in
        (kind,
         deepMLP(layers: layers, activation: kind, initScheme: .pytorchDefault, residual: false, seed: seed),
         deepMLP(layers: layers, activation: kind, initScheme: .pytorchDefault, residual: true, seed: seed))
    }
}

func cellVanishingGradients(_ lesson: Lesson, _ settings: Settings) {
    let depth = settings.layers
    lesson.step(en: "Vanishing gradients: symptom and fix", zh: "梯度消失：症状与修复")
    lesson.say(en: """
        The seed: "too many layers, a poor activation function" make the model faint (vanishing) or \
        go mad (exploding); fixes include another activation and residual connections. Here is the \
        symptom in numbers: the same \(depth)-layer MLP with PyTorch's default initialisation, one \
        backward pass, the gradient norm reaching the first layer against the last one.
        """, zh: """
        种子文章说："层数太多、激活函数不合适"会让模型"晕倒"（梯度消失）或"发疯"（梯度爆炸）；\
        办法包括换激活函数和加残差连接。下面用数字展示症状：同一个 \(depth) 层 MLP，PyTorch 默认初始化，\
        一次反向传播，比较到达第一层与最后一层的梯度范数。
        """)
    let results = vanishingGradientTable(layers: depth, seed: settings.seed)
    var table = Table([lesson.tr(en: "activation", zh: "激活函数"),
                       lesson.tr(en: "plain: ‖dW₁‖", zh: "普通：‖dW₁‖"), lesson.tr(en: "plain: ‖dW_L‖", zh: "普通：‖dW_L‖"),
                       lesson.tr(en: "residual: ‖dW₁‖", zh: "残差：‖dW₁‖"), lesson.tr(en: "residual: ‖dW_L‖", zh: "残差：‖dW_L‖")])
    for r in results {
        table.append([.text(r.activation.displayName),
                      .text(sci(r.plain.firstLayerGradientNorm)), .text(sci(r.plain.lastLayerGradientNorm)),
                      .text(sci(r.residual.firstLayerGradientNorm)), .text(sci(r.residual.lastLayerGradientNorm))])
    }
    lesson.table(table)
    let sigmoid = results.first { $0.activation == .sigmoid }!
    let leaky = results.first { $0.activation == .leakyRelu }!
    lesson.plot(LineChart(title: lesson.tr(en: "‖dL/dW‖ per layer, \(depth) layers (log scale)",
                                           zh: "每层的 ‖dL/dW‖，\(depth) 层（对数坐标）"),
                          series: [.init("Sigmoid", sigmoid.plain.gradientNorms),
                                   .init("LeakyReLU", leaky.plain.gradientNorms),
                                   .init("LeakyReLU + residual", leaky.residual.gradientNorms),
                                   .init("Sigmoid + residual", sigmoid.residual.gradientNorms)],
                          xLabel: lesson.tr(en: "layer", zh: "层"), logScale: true))
    lesson.say(en: """
        Symptom: with sigmoid the first layer gets a gradient about \
        \(sci(sigmoid.plain.firstLayerGradientNorm / sigmoid.plain.lastLayerGradientNorm)) times the \
        last layer's: the early layers would not learn at all. Fix, part 1: an activation whose \
        derivative is 1 on its positive side (ReLU, LeakyReLU) loses far less per layer. Fix, part 2: a \
        residual connection h + f(h) gives the gradient an identity path around every layer, which \
        is why every block of the seed's Transformer sits inside one.
        """, zh: """
        症状：使用 sigmoid 时，第一层得到的梯度只有最后一层的 \
        \(sci(sigmoid.plain.firstLayerGradientNorm / sigmoid.plain.lastLayerGradientNorm)) 倍：前面的层根本学不动。\
        修复一：换成正半轴导数为 1 的激活函数（ReLU、LeakyReLU），每层损失少得多。修复二：残差连接 h + f(h) \
        为梯度在每层旁边留了一条恒等通路——这正是种子模型的每个模块都包在残差里的原因。
        """)
    lesson.headline(en: "\(depth) layers, first-layer gradient norm: Sigmoid \(sci(sigmoid.plain.firstLayerGradientNorm)) → LeakyReLU \(sci(leaky.plain.firstLayerGradientNorm)) → LeakyReLU + residual \(sci(leaky.residual.firstLayerGradientNorm))",
                    zh: "\(depth) 层，第一层梯度范数：Sigmoid \(sci(sigmoid.plain.firstLayerGradientNorm)) → LeakyReLU \(sci(leaky.plain.firstLayerGradientNorm)) → LeakyReLU + 残差 \(sci(leaky.residual.firstLayerGradientNorm))")
}
