import Engine
import LessonKit

// Cell 2: The seed's model, loss and optimizer; one step up close.

/// What the very first training step of the full run looks like.
struct FirstStep {
    let parameterCount: Int
    /// The first batch's inputs, predictions and targets.
    let x: Tensor, outputs: Tensor, y: Tensor
    /// `criterion(outputs, batch_y)` of that batch.
    let loss: Double
    /// The global gradient norm before and after `clip_grad_norm_(…, clip)`.
    let normBefore: Double, normAfter: Double
    /// Gradient norms of a few parameters, before clipping: where the error signal arrives.
    let gradNorms: [(name: String, norm: Double)]
    /// Every module call of the forward pass with its shapes (printed under `--trace-shapes`).
    let shapeTrace: [ShapeTraceEntry]
}

/// Builds the run's model exactly as `trainWithValidation` does (same seed, same first batch) and
/// takes one step's forward and backward pass, without updating anything.
func inspectFirstStep(train: TensorDataset, settings: Settings) -> FirstStep {
    manualSeed(settings.seed)
    let model = makeModel(settings.model, dropout: settings.dropout, seed: settings.seed)
    let loader = DataLoader(train, batchSize: settings.batchSize, shuffle: true,
                            generator: Generator(seed: settings.seed &+ 1))
    var batches = loader.makeIterator()
    let (x, y) = batches.next()!                       // x: [32, 5, 10], y: [32, 1]
    model.train()
    let (outputs, trace) = withShapeTrace(model) { model(x) }   // [32, 1]
    let loss = MSELoss()(outputs, y)
    loss.backward()
    let named = model.namedParameters()
    let watched = ["input_proj.weight", "encoder.layers.0.self_attn.in_proj_weight",
                   "encoder.layers.2.linear2.weight", "output_layer.3.weight", "output_layer.3.bias"]
    let gradNorms = watched.compactMap { name in
        named.first { $0.name == name }.map { (name, Double(gradNorm([$0.tensor]))) }
    }
    let parameters = model.parameters()
    let before = settings.clip > 0 ? clipGradNorm(parameters, maxNorm: Float(settings.clip)) : gradNorm(parameters)
    let after = gradNorm(parameters)
    return FirstStep(parameterCount: model.parameterCount(), x: x, outputs: outputs.detach(), y: y,
                     loss: Double(loss.item), normBefore: Double(before), normAfter: Double(after),
                     gradNorms: gradNorms, shapeTrace: trace)
}

// MARK: - Cell 2: The seed's model, loss and optimizer; one step up close

func cell2Model(_ lesson: Lesson, data: LessonData, settings: Settings) {
    lesson.cell(2)
    lesson.say(en: """
        Exactly the blog post's choices: TransformerEncoderRegressor (Linear 10→64 ×√64, positional encoding, \
        3 post-norm encoder layers, flatten, 320→128→1), MSELoss, AdamW(lr \(settings.learningRate), weight decay \
        \(settings.weightDecay)), ReduceLROnPlateau(mode min, patience \(settings.schedulerPatience)), gradient \
        norm clipped to \(settings.clip), batches of \(settings.batchSize). Before the loop, one step in slow motion.
        """, zh: """
        完全照搬示例脚本的选择：TransformerEncoderRegressor（Linear 10→64 再乘 √64、位置编码、3 \
        层后归一化编码器、展平、\
        320→128→1），MSELoss，AdamW（学习率 \(settings.learningRate)，权重衰减 \(settings.weightDecay)），\
        ReduceLROnPlateau（mode min，耐心 \(settings.schedulerPatience)），梯度范数裁剪到 \(settings.clip)，\
        每批 \(settings.batchSize) 个样本。进入循环之前，先慢动作看一步。
        """)
    let step = inspectFirstStep(train: data.train, settings: settings)
    lesson.say(en: "parameters: \(grouped(step.parameterCount))", zh: "参数个数：\(grouped(step.parameterCount))")
    lesson.traceShapes(step.shapeTrace, detail: .typeAndInput)
    lesson.show(step.x.narrow(dim: 0, start: 0, length: 1).reshape([5, 10]), name: "batch_X[0]", precision: 3)
    lesson.show(step.outputs.narrow(dim: 0, start: 0, length: 4).reshape([4]), name: "outputs[0:4]")
    lesson.show(step.y.narrow(dim: 0, start: 0, length: 4).reshape([4]), name: "batch_y[0:4]")
    lesson.say(en: String(format: "loss = criterion(outputs, batch_y) = %.4f", step.loss),
               zh: String(format: "loss = criterion(outputs, batch_y) = %.4f", step.loss))
    var table = Table([lesson.tr(en: "parameter", zh: "参数"), lesson.tr(en: "gradient norm", zh: "梯度范数")],
                      title: lesson.tr(en: "after loss.backward(): where the error signal arrives",
                                       zh: "loss.backward() 之后：误差信号到了哪里"))
    for (name, norm) in step.gradNorms { table.append([.text(name), .number(norm)]) }
    lesson.table(table)
    if settings.clip > 0 {
        lesson.say(en: String(format: "clip_grad_norm_: global norm %.4f before, %.4f after (limit %g).",
                              step.normBefore, step.normAfter, settings.clip),
                   zh: String(format: "clip_grad_norm_：裁剪前全局范数 %.4f，裁剪后 %.4f（上限 %g）。",
                              step.normBefore, step.normAfter, settings.clip))
    } else {
        lesson.say(en: String(format: "Global gradient norm %.4f, left as it is (--clip 0: clipping off).",
                              step.normBefore),
                   zh: String(format: "全局梯度范数 %.4f，保持原样（--clip 0：不裁剪）。", step.normBefore))
    }
}
