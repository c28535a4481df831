import Engine
import LessonKit

// Cell 2: the positional encoding, the fixed sin/cos table the seed adds to the projected inputs.
// The numbers come from `walkThrough` in Cell1_Layers.swift.

// MARK: - Cell 2: the positional encoding

func cell2PositionalEncoding(_ lesson: Lesson, _ walk: Walkthrough) {
    let d = walk.model.modelDimensions
    lesson.cell(2)
    lesson.say(en: """
        Attention alone treats the 5 positions as a set; the positional encoding tells it the order. \
        The blog post's script adds a fixed table: feature pair j \
        of position p is sin/cos(p · 10000^(-2j/D)), fast waves in the first columns, slow ones later. \
        It is a buffer (saved, never trained). Positions 0–4, first 8 features:
        """, zh: """
        注意力本身把 5 个位置看成一个集合，没有先后；位置编码告诉它顺序。示例脚本加上一张固定的表：位置 p 的第 j \
        对特征是 \
        sin/cos(p · 10000^(-2j/D))，前面的列变化快、后面的列变化慢。它是缓冲区（会保存，但不训练）。位置 0–4、前 8 \
        个特征：
        """)
    let pe = walk.model.posEncoder.pe                                               // [1, L, D]
    lesson.show(pe.narrow(dim: 1, start: 0, length: 5).narrow(dim: 2, start: 0, length: 8).reshape([5, 8]),
                name: "pe[0:5, 0:8]")
    let mapColumns = min(d, 32)
    let table = pe.narrow(dim: 1, start: 0, length: 20).narrow(dim: 2, start: 0, length: mapColumns)
        .reshape([20, mapColumns])
    lesson.plot(HeatMap(title: lesson.tr(en: "Positional table: positions 0–19 (rows) × features 0–\(mapColumns - 1)",
                                         zh: "位置编码表：位置 0–19（行）× 特征 0–\(mapColumns - 1)"),
                        rows: rows(table), cellWidth: 1))
    lesson.headline(en: "+ positions \(shapeText(walk.positioned.shape)): the table adds std " +
                        "\(fixed(standardDeviation(pe.narrow(dim: 1, start: 0, length: 5)), 3)) to each value",
                    zh: "+ 位置编码 \(shapeText(walk.positioned.shape))：表本身的标准差 " +
                        "\(fixed(standardDeviation(pe.narrow(dim: 1, start: 0, length: 5)), 3))")
    traceShapes(lesson, walk)
}
