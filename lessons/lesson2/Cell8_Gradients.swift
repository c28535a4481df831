import Engine
import LessonKit

// Cell 8: gradients. One real forward and backward pass of the seed's model, with the gradient
// norm of every layer (cell 9, in Cell9_VanishingGradients.swift, makes them vanish and explode).

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
    lesson.cell(8)
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
    lesson.show(pass.memoryGradient, name: "dL/d(encoder output)[0, 0, 0:8]")
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
    let shown = pass.parameterNorms.filter {
        !$0.name.hasPrefix("encoder.layers.1.") && !$0.name.hasPrefix("encoder.layers.2.")
    }
    for p in shown {
        table.append([.text(p.name), .text(sci(p.gradient)), .number(Double(p.weight)),
                      p.weight > 0 ? .text(sci(p.gradient / p.weight)) : "—"])
    }
    lesson.table(table)
    let largest = pass.moduleNorms.max { $0.norm < $1.norm }!
    let smallest = pass.moduleNorms.min { $0.norm < $1.norm }!
    let input = pass.moduleNorms.first { $0.name == "input_proj" }?.norm ?? 0
    lesson.say(en: "Largest: \(largest.name) (\(fixed(largest.norm, 3))); smallest: \(smallest.name) " +
                   "(\(fixed(smallest.norm, 3))); input_proj, the farthest from the loss: \(fixed(input, 3)).",
               zh: "最大的是 \(largest.name)（\(fixed(largest.norm, 3))）；最小的是 \(smallest.name)" +
                   "（\(fixed(smallest.norm, 3))）；离损失最远的 input_proj：\(fixed(input, 3))。")
    lesson.conclude("lesson2.gradients.reachInput",
                    .threshold(value: Double(input / largest.norm), relation: .above, limit: 1e-3), [
        "true": Localized(en: "Nothing vanishes on the way to input_proj: it gets more than 1e-3 of the largest " +
                              "module's gradient. Three layers with residuals and layer norms are shallow.",
                          zh: "梯度传到 input_proj 并没有消失：它得到的梯度超过最大模块的 "
                              + "1e-3。带残差和层归一化的三层网络很浅。"),
        "false": Localized(en: "The gradient fades on the way to input_proj: less than 1e-3 of the largest " +
                               "module's reaches it.",
                           zh: "梯度在传到 input_proj 的路上衰减了：它得到的不到最大模块的 1e-3。"),
        "diverged": Localized(en: "The gradient is not finite.", zh: "梯度不是有限数。"),
    ])
    lesson.conclude("lesson2.gradients.firstStepClipped",
                    .threshold(value: Double(pass.totalNorm), relation: .above, limit: 1), [
        "true": Localized(en: "The blog post's script clips the total norm to 1.0 before each step: this "
                              + "first step's total is " +
                              "\(fixed(pass.totalNorm)), so clipping scales every gradient by " +
                              "\(fixed(1 / pass.totalNorm, 3)).",
                          zh: "示例脚本每步先把总范数裁剪到 1.0：第一步的总范数是 \(fixed(pass.totalNorm))，" +
                              "所以裁剪把每个梯度乘以 \(fixed(1 / pass.totalNorm, 3))。"),
        "false": Localized(en: "The blog post's script clips the total norm to 1.0 before each step: this "
                               + "first step's total is " +
                               "\(fixed(pass.totalNorm)), so clipping leaves it alone.",
                           zh: "示例脚本每步先把总范数裁剪到 1.0：第一步的总范数是 "
                               + "\(fixed(pass.totalNorm))，所以裁剪不起作用。"),
        "diverged": Localized(en: "The total gradient norm is not finite: clipping cannot rescue this step.",
                              zh: "总梯度范数不是有限数：裁剪救不了这一步。"),
    ])
    lesson.headline(en: "first batch: loss \(fixed(pass.loss)), total gradient norm \(fixed(pass.totalNorm))",
                    zh: "第一批：损失 \(fixed(pass.loss))，总梯度范数 \(fixed(pass.totalNorm))")
}
