import Engine
import LessonKit

// Cells 1–4: the seed's forward pass, one layer at a time, on one batch of 32 sequences.
//
//     x [B, T, In] ─ input_proj · √D ─ + positions ─ 3 × encoder layer ─ flatten ─ head ─ ŷ [B, 1]
//
// Everything is computed once by `walkThrough` (the tests call it too) and printed by the cells.

/// Every intermediate tensor of one forward pass, in evaluation mode (dropout off, so the numbers
/// are the model's own, not the dropout's random draws).
struct Walkthrough {
    let model: TransformerEncoderRegressor
    let x: Tensor              // [B, T, In]   the batch
    let projected: Tensor      // [B, T, D]    input_proj(x) · √D
    let positioned: Tensor     // [B, T, D]    + positional table
    let scores: Tensor         // [T, T]       head 0, sample 0: q·kᵀ/√Dh
    let weights: Tensor        // [T, T]       softmax of the scores, row by row
    let moduleWeights: Tensor  // [T, T]       the same weights as MultiheadAttention returns them
    let attended: Tensor       // [B, T, D]    x + self_attn(x)           (layer 0, before norm1)
    let normalized: Tensor     // [B, T, D]    norm1(…)
    let hidden: Tensor         // [B, T, F]    relu(linear1(…))
    let layer0: Tensor         // [B, T, D]    norm2(… + linear2(…)), layer 0's output
    let memory: Tensor         // [B, T, D]    after all encoder layers
    let flattened: Tensor      // [B, T·D]
    let output: Tensor         // [B, 1]       the head's prediction
    let modelOutput: Tensor    // [B, 1]       model(x) in one call, to compare
    let layer0Reference: Tensor // [B, T, D]   encoder.layers[0](positioned) in one call

    /// Per-row (per position) mean and std of sample 0, before and after `norm1`.
    var normRowsBefore: (mean: [Float], std: [Float]) { rowStatistics(attended) }
    var normRowsAfter: (mean: [Float], std: [Float]) { rowStatistics(normalized) }
    /// The fraction of exact zeros after the feed-forward ReLU.
    var hiddenZeroFraction: Float { Float(hidden.scalars.filter { $0 == 0 }.count) / Float(hidden.count) }
}

/// Runs the seed's model by hand, layer by layer, and in one call, on the first 32 samples.
func walkThrough(_ settings: Settings) -> Walkthrough {
    let (data, model) = makeSeedDataAndModel(settings)
    model.eval()
    return withNoGrad {
        let x = firstBatch(data).x                                                  // [B, T, In]
        let d = model.modelDimensions, t = model.sequenceLength
        let projected = model.inputProj(x) * Float(d).squareRoot()                 // [B, T, D]
        let positioned = model.posEncoder(projected)                                // [B, T, D]

        // One head by hand: head 0 owns features 0..<Dh of q and k (rows 0..<Dh of Wq, D..<D+Dh of Wk).
        let layer = model.encoder.layers[0]
        let attention = layer.selfAttn
        let dh = attention.headDimensions
        let x0 = positioned.narrow(dim: 0, start: 0, length: 1).reshape([t, d])   // sample 0: [T, D]
        let w = attention.inProjWeight, b = attention.inProjBias!
        let q = Tensor.linear(x0, weight: w.narrow(dim: 0, start: 0, length: dh),
                              bias: b.narrow(dim: 0, start: 0, length: dh))        // [T, Dh]
        let k = Tensor.linear(x0, weight: w.narrow(dim: 0, start: d, length: dh),
                              bias: b.narrow(dim: 0, start: d, length: dh))        // [T, Dh]
        let scores = q.matmul(k.T) / Float(dh).squareRoot()                        // [T, T]
        let weights = scores.softmax(dim: -1)                                      // [T, T]

        // The whole layer 0, step by step (post-norm, PyTorch's order).
        let result = attention(positioned, positioned, positioned)                 // output [B, T, D]
        let moduleWeights = result.weightsPerHead!                                  // [B, H, T, T]
            .narrow(dim: 0, start: 0, length: 1).narrow(dim: 1, start: 0, length: 1).reshape([t, t])
        let attended = positioned + layer.dropout1(result.output)                  // [B, T, D]
        let normalized = layer.norm1(attended)                                     // [B, T, D]
        let hidden = layer.linear1(normalized).relu()                              // [B, T, F]
        let layer0 = layer.norm2(normalized + layer.dropout2(layer.linear2(layer.dropout(hidden))))
        var memory = layer0
        for next in model.encoder.layers.dropFirst() { memory = next(memory) }     // [B, T, D]
        let flattened = memory.view([memory.shape[0], -1])                         // [B, T·D]
        let output = model.outputLayer(flattened)                                  // [B, 1]
        return Walkthrough(model: model, x: x, projected: projected, positioned: positioned,
                           scores: scores, weights: weights, moduleWeights: moduleWeights,
                           attended: attended, normalized: normalized, hidden: hidden, layer0: layer0,
                           memory: memory, flattened: flattened, output: output,
                           modelOutput: model(x), layer0Reference: layer(positioned))
    }
}

/// Mean and population std of each row (position) of sample 0 of a `[B, T, D]` tensor.
func rowStatistics(_ x: Tensor) -> (mean: [Float], std: [Float]) {
    withNoGrad {
        let sample = x.narrow(dim: 0, start: 0, length: 1).reshape([x.shape[1], x.shape[2]])  // [T, D]
        return (sample.mean(dim: 1).scalars, sample.variance(dims: [1], unbiased: false).sqrt().scalars)
    }
}

// MARK: - Cell 1: the input projection

func cell1Layers(_ lesson: Lesson, _ walk: Walkthrough) {
    let d = walk.model.modelDimensions
    lesson.cell(1)
    let projectedStd = standardDeviation(walk.projected)
    let tableStd = standardDeviation(walk.model.posEncoder.pe.narrow(dim: 1, start: 0, length: walk.x.shape[1]))
    let ratio = projectedStd / tableStd
    lesson.say(en: """
        A batch of 32 sequences, 5 positions each, 10 features per position. `input_proj` is a \
        Linear(10 → \(d)) applied at every position. The blog post's script then multiplies by √\(d), a habit from \
        the original Transformer, whose word embeddings start tiny. Here the projection already has \
        std \(fixed(projectedStd / Float(d).squareRoot(), 2)), so after the scaling it is \
        \(fixed(projectedStd, 2)), \(fixed(ratio, 1)) times the positional table's std \
        \(fixed(tableStd, 2)) (cell 2).
        """, zh: """
        一批 32 条序列，每条 5 个位置、每个位置 10 个特征。`input_proj` 是在每个位置上作用的 Linear(10 → \(d))。\
        示例脚本接着乘以 √\(d)——这是原始 Transformer 的习惯，那里的词向量初始值很小。而这里投影的标准差本来就有 \
        \(fixed(projectedStd / Float(d).squareRoot(), 2))，放大后变成 \(fixed(projectedStd, 2))，是位置编码表标准差 \
        \(fixed(tableStd, 2)) 的 \(fixed(ratio, 1)) 倍（见单元 2）。
        """)
    lesson.conclude("lesson2.inputScale.positionsFaint", .threshold(value: Double(ratio), relation: .above, limit: 2), [
        "true": Localized(en: "More than twice the table's scale: the order of the positions rides on top as a " +
                              "faint signal. Sample 0, position 0:",
                          zh: "超过位置编码表尺度的两倍：位置顺序只是叠加在上面的一个微弱信号。样本 0、位置 0："),
        "false": Localized(en: "Not even twice the table's scale: here the order of the positions is a signal of " +
                               "comparable size. Sample 0, position 0:",
                           zh: "还不到位置编码表尺度的两倍：这里位置顺序是一个大小相当的信号。样本 0、位置 0："),
        "diverged": Localized(en: "The scale is not finite: the projection overflowed.",
                              zh: "尺度不是有限数：投影溢出了。"),
    ])
    lesson.show(walk.x.narrow(dim: 0, start: 0, length: 1).narrow(dim: 1, start: 0, length: 1), name: "x[0, 0]")
    lesson.show(walk.projected.narrow(dim: 0, start: 0, length: 1).narrow(dim: 1, start: 0, length: 1)
                    .narrow(dim: 2, start: 0, length: 8), name: "input_proj(x)·√\(d)[0, 0, 0:8]")
    lesson.headline(en: "x \(shapeText(walk.x.shape)) → input_proj·√\(d) \(shapeText(walk.projected.shape)), std " +
                        "\(fixed(standardDeviation(walk.projected), 3))",
                    zh: "x \(shapeText(walk.x.shape)) → input_proj·√\(d) \(shapeText(walk.projected.shape))，标准差 " +
                        "\(fixed(standardDeviation(walk.projected), 3))")
}

/// With `--trace-shapes`: the shape at every module boundary of one `model(x)` call, in the order
/// the calls finish (a layer's insides before the layer).
func traceShapes(_ lesson: Lesson, _ walk: Walkthrough) {
    guard lesson.flags.traceShapes else { return }
    lesson.say(en: "--trace-shapes: every module call of model(x), input → output:",
               zh: "--trace-shapes：model(x) 中每个模块调用的输入 → 输出形状：")
    let (_, trace) = withShapeTrace(walk.model) { withNoGrad { walk.model(walk.x) } }
    lesson.traceShapes(trace, detail: .typeInputAndOutput)
}
