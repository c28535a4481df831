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
            if groups[group] == nil { groupOrder.append(group); result.append(ParameterRow(name: group, shape: nil, count: 0)) }
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

func cellParameters(_ lesson: Lesson, _ settings: Settings) {
    let (_, model) = makeSeedDataAndModel(settings)
    lesson.step(en: "Counting the parameters", zh: "数一数参数")
    lesson.say(en: """
        Every weight the optimizer will adjust, with the name PyTorch's state_dict gives it. \
        `in_proj_weight` packs the query, key and value projections: [3·D, D]. Layers 1 and 2 have \
        the same tensors as layer 0.
        """, zh: """
        优化器将要调整的每一个权重，名字与 PyTorch 的 state_dict 一致。`in_proj_weight` 把查询、键、值三个投影 \
        打包在一起：[3·D, D]。第 1、2 层的张量与第 0 层完全相同。
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
    lesson.say(en: """
        Not counted: the positional table `pos_encoder.pe` \(shapeText(buffer.shape)) \
        (\(grouped(buffer.count)) values), a buffer that is saved with the model but never trained. \
        The biggest single tensor is the head's first Linear (\(grouped(model.modelDimensions * model.sequenceLength)) × 128): \
        flattening makes the head about a fifth of the model.
        """, zh: """
        不计入的是位置编码表 `pos_encoder.pe` \(shapeText(buffer.shape))（\(grouped(buffer.count)) 个值）：\
        它是缓冲区，随模型保存但从不训练。最大的单个张量是输出头的第一个 Linear（\(grouped(model.modelDimensions * model.sequenceLength)) × 128）：\
        展平使输出头约占整个模型的五分之一。
        """)
    lesson.headline(en: "parameters: \(grouped(total)) (model.parameterCount() = \(grouped(model.parameterCount())))",
                    zh: "参数总数：\(grouped(total))（model.parameterCount() = \(grouped(model.parameterCount()))）")
}
