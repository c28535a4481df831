import Engine
import LessonKit

// Cell 5: every parameter of the seed's model, by name, with its shape and size.

/// One row of the parameter table: a parameter (or a group of identical layers) and its size.
struct ParameterRow: Equatable {
    let name: String
    let shape: [Int]?     // nil for a group row
    let count: Int
}

/// The model's parameters as rows: every tensor of `input_proj`, of encoder layer 0 and of the
/// head, and one summary row for each further encoder layer (same shapes as layer 0).
/// The counts add up to `model.parameterCount()`.
func parameterRows(_ model: TransformerEncoderRegressor) -> [ParameterRow] {
    var result: [ParameterRow] = []
    var groups: [String: Int] = [:], groupOrder: [String] = []
    for (name, tensor) in model.namedParameters() {
        let parts = name.split(separator: ".")
        if parts.count > 2, parts[0] == "encoder", parts[1] == "layers", parts[2] != "0" {
            let group = "encoder.layers.\(parts[2]).*"
            if groups[group] == nil {
                groupOrder.append(group)
                result.append(ParameterRow(name: group, shape: nil, count: 0))
            }
            groups[group, default: 0] += tensor.count
        } else {
            result.append(ParameterRow(name: name, shape: tensor.shape, count: tensor.count))
        }
    }
    return result.map { row in
        row.shape == nil ? ParameterRow(name: row.name, shape: nil, count: groups[row.name]!) : row
    }
}

// MARK: - Cell 5: the parameter table

func cell5Parameters(_ lesson: Lesson, _ settings: Settings) {
    let (_, model) = makeSeedDataAndModel(settings)
    lesson.cell(5)
    lesson.say(en: """
        Every weight the optimizer will adjust, with the name PyTorch's state_dict gives it. \
        `in_proj_weight` packs the query, key and value projections: [3·D, D]. Layers 1 and 2 have \
        tensors of the same shapes as layer 0.
        """, zh: """
        优化器将要调整的每一个权重，名字与 PyTorch 的 state_dict 一致。`in_proj_weight` 把查询、键、值三个投影\
        打包在一起：[3·D, D]。第 1、2 层的张量形状与第 0 层完全相同。
        """)
    let parameterRowList = parameterRows(model)
    var table = Table([lesson.tr(en: "parameter", zh: "参数"), lesson.tr(en: "shape", zh: "形状"),
                       lesson.tr(en: "count", zh: "个数")])
    for row in parameterRowList {
        let shape = row.shape.map(shapeText) ?? lesson.tr(en: "(same as layer 0)", zh: "（同第 0 层）")
        table.append([.text(row.name), .text(shape), .number(grouped(row.count))])
    }
    let total = parameterRowList.reduce(0) { $0 + $1.count }
    table.append([.text(lesson.tr(en: "total", zh: "合计")), "", .number(grouped(total))])
    lesson.table(table)
    let buffer = model.posEncoder.pe
    let headFirst = model.modelDimensions * model.sequenceLength * 128
    let headShare = Double(parameterRowList.filter { $0.name.hasPrefix("output_layer.") }.reduce(0) { $0 + $1.count })
        / Double(total)
    lesson.say(en: """
        Not counted: the positional table `pos_encoder.pe` \(shapeText(buffer.shape)) \
        (\(grouped(buffer.count)) values), a buffer that is saved with the model but never trained. \
        The head's first Linear alone holds \(grouped(model.modelDimensions * model.sequenceLength)) × 128 = \
        \(grouped(headFirst)) weights, because flattening hands it every position's features: the \
        head is \(percent(headShare)) of the model.
        """, zh: """
        不计入的是位置编码表 `pos_encoder.pe` \(shapeText(buffer.shape))（\(grouped(buffer.count)) 个值）：\
        它是缓冲区，随模型保存但从不训练。仅输出头的第一个 Linear 就有 \
        \(grouped(model.modelDimensions * model.sequenceLength)) × 128 = \(grouped(headFirst)) 个权重，\
        因为展平把每个位置的特征都交给了它：输出头占整个模型的 \(percent(headShare))。
        """)
    lesson.headline(en: "parameters: \(grouped(total)) (model.parameterCount() = \(grouped(model.parameterCount())))",
                    zh: "参数总数：\(grouped(total))（model.parameterCount() = \(grouped(model.parameterCount()))）")
    cell5bInitialValues(lesson, settings)
}

// MARK: - Cell 5b: how the parameters start

/// One parameter's initialisation rule and what it produced.
struct InitialValues {
    let name: String
    let rule: String
    /// The rule's bound b for U(-b, b) (0 for constants).
    let bound: Float
    let minimum: Float, maximum: Float
    /// Measured std, against b/√3 for a uniform distribution.
    let std: Float
}

/// The largest difference between any parameter of encoder layer 0 and the same parameter of the
/// other layers, at initialisation. 0: `nn.TransformerEncoder` deep-copies one layer N times.
func encoderLayerCopyDifference(_ model: TransformerEncoderRegressor) -> Float {
    let first = model.encoder.layers[0].parameters()
    var worst: Float = 0
    for layer in model.encoder.layers.dropFirst() {
        for (a, b) in zip(first, layer.parameters()) { worst = max(worst, maxAbsDifference(a, b)) }
    }
    return worst
}

/// The initial values of a representative parameter of each kind, with PyTorch's rule for it.
func initialValues(_ model: TransformerEncoderRegressor) -> [InitialValues] {
    let layer = model.encoder.layers[0]
    let d = Float(model.modelDimensions), f = Float(layer.linear1.outputDimensions)
    let entries: [(String, String, Float, Tensor)] = [
        ("input_proj.weight", "U(±1/√10)", 1 / Float(10).squareRoot(), model.inputProj.weight),
        ("…self_attn.in_proj_weight", "Xavier U(±√(6/(3D+D)))", (6 / (4 * d)).squareRoot(),
         layer.selfAttn.inProjWeight),
        ("…self_attn.in_proj_bias", "0", 0, layer.selfAttn.inProjBias!),
        ("…self_attn.out_proj.weight", "U(±1/√D)", 1 / d.squareRoot(), layer.selfAttn.outProj.weight),
        ("…linear1.weight", "U(±1/√D)", 1 / d.squareRoot(), layer.linear1.weight),
        ("…linear2.weight", "U(±1/√F)", 1 / f.squareRoot(), layer.linear2.weight),
        ("…norm1.weight (γ)", "1", 0, layer.norm1.weight!),
        ("…norm1.bias (β)", "0", 0, layer.norm1.bias!),
    ]
    return entries.map { name, rule, bound, t in
        withNoGrad {
            InitialValues(name: name, rule: rule, bound: bound, minimum: t.scalars.min()!,
                          maximum: t.scalars.max()!, std: standardDeviation(t))
        }
    }
}

func cell5bInitialValues(_ lesson: Lesson, _ settings: Settings) {
    let (_, model) = makeSeedDataAndModel(settings)
    lesson.say(en: """
        "Initialise the parameters": the blank sheet the blog post's script starts from. Each Linear draws \
        uniformly in ±1/√fan-in (PyTorch's default), the packed attention projection uses Xavier's \
        ±√(6/(fan-in + fan-out)), attention biases start at 0, layer norms at γ = 1, β = 0. Layer 0 \
        (layers 1 and 2 are copies made before training, with the same values, as in PyTorch):
        """, zh: """
        “初始化参数”：原文模型出发时的那张“白纸”。每个 Linear 在 ±1/√fan-in 内均匀抽样（PyTorch 默认），\
        打包的注意力投影使用 Xavier 的 ±√(6/(fan-in + fan-out))，注意力偏置从 0 开始，层归一化 γ = 1、β = 0。\
        第 0 层（第 1、2 层是训练前复制出来的，数值与第 0 层相同，和 PyTorch 一样）：
        """)
    let rows = initialValues(model)
    var table = Table([lesson.tr(en: "parameter", zh: "参数"), lesson.tr(en: "rule", zh: "规则"),
                       "min", "max", "std", "b/√3"])
    for r in rows {
        table.append([.text(r.name), .text(r.rule), .number(Double(r.minimum)), .number(Double(r.maximum)),
                      .number(Double(r.std)), r.bound > 0 ? .number(Double(r.bound / Float(3).squareRoot())) : "—"])
    }
    lesson.table(table)
    lesson.plot(Histogram(title: lesson.tr(en: "encoder.layers.0.self_attn.in_proj_weight at initialisation",
                                           zh: "初始化时的 encoder.layers.0.self_attn.in_proj_weight"),
                          values: model.encoder.layers[0].selfAttn.inProjWeight.scalars, bins: 24))
    let copies = encoderLayerCopyDifference(model)
    lesson.say(en: """
        A PyTorch detail worth knowing: nn.TransformerEncoder deep-copies the layer you give it N \
        times. Largest difference between layer 0 and the other layers here: \(fixed(copies)).
        """, zh: """
        一个值得知道的 PyTorch 细节：nn.TransformerEncoder 会把你给它的那一层深拷贝 N 次。\
        这里第 0 层与其他层的最大差：\(fixed(copies))。
        """)
    lesson.conclude("lesson2.init.layersStartAsCopies",
                    .threshold(value: Double(copies), relation: .atMost, limit: 0), [
        "true": Localized(en: "So the encoder layers start with identical weights. They become different only in " +
                              "training, because each sits at its own depth and so receives its own gradient.",
                          zh: "所以各编码层的初始权重完全相同。它们只在训练中才变得不同：每一层所处的深度不同，收到"
                              + "的梯度也就不同。"),
        "false": Localized(en: "The encoder layers do not start identical here: something re-drew their weights " +
                               "after the copy.",
                           zh: "这里各编码层的初始权重并不相同：复制之后有东西重新抽取了权重。"),
        "diverged": Localized(en: "The weights are not finite.", zh: "权重不是有限数。"),
    ])
    let predicted = rows[1].bound / Float(3).squareRoot()
    let factor = max(rows[1].std / predicted, predicted / rows[1].std)
    let numbers = "in_proj_weight std \(fixed(rows[1].std)), Xavier b/√3 = \(fixed(predicted))"
    let zhNumbers = "in_proj_weight 标准差 \(fixed(rows[1].std))，Xavier b/√3 = \(fixed(predicted))"
    lesson.conclude("lesson2.init.xavierStdAgrees", .threshold(value: Double(factor), relation: .below, limit: 1.05), [
        "true": Localized(en: "initialisation: \(numbers): measured and predicted agree within 5 %",
                          zh: "初始化：\(zhNumbers)：实测与预测相差不到 5 %"),
        "false": Localized(en: "initialisation: \(numbers): measured and predicted differ by more than 5 % " +
                               "(a factor \(fixed(factor, 3)))",
                           zh: "初始化：\(zhNumbers)：实测与预测相差超过 5 %（\(fixed(factor, 3)) 倍）"),
        "diverged": Localized(en: "initialisation: \(numbers): not finite", zh: "初始化：\(zhNumbers)：不是有限数"),
    ], headline: true)
}
