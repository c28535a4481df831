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
