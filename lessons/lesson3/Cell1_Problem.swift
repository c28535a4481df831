import Engine
import Foundation
import LessonKit

// Cell 1: the exercise book and one correction.

/// One forward and backward pass of the untrained MLP on a batch of 4: what the "correction" is.
struct FirstLook {
    /// The first 2 samples' first 6 features, x: [2, 6].
    let inputs: Tensor
    /// Targets and predictions of the 4 samples, [4, 1] each.
    let targets: Tensor
    let predictions: Tensor
    /// The batch's MSE.
    let loss: Float
    /// ∂loss/∂fc1.weight, first row, first 6 columns: [1, 6].
    let gradientSlice: Tensor
    /// Every parameter's gradient norm, in `namedParameters()` order.
    let gradientNorms: [(name: String, norm: Float)]
    let parameterCount: Int
    /// Every module call of the forward pass (printed with `--trace-shapes`).
    let trace: [ShapeTraceEntry]
}

/// Builds the cell-1 model (50 -> 32 -> 1, ReLU) and runs one backward pass on the first 4 rows.
func firstLook(seed: UInt64) -> FirstLook {
    let problem = makeProblem(seed: seed)
    let model = MLP(sizes: [problem.features, 32, 1], seed: seed)
    let x = gatherRows(problem.train.inputs, Array(0..<4))      // [4, 50]
    let y = gatherRows(problem.train.targets, Array(0..<4))     // [4, 1]
    let (prediction, trace) = withShapeTrace(model) { model(x) }  // [4, 1]
    let loss = Tensor.mseLoss(prediction, y)
    loss.backward()
    let grad = model.layers[0].weight.grad!                     // [32, 50]
    return FirstLook(inputs: x.narrow(dim: 0, start: 0, length: 2).narrow(dim: 1, start: 0, length: 6),
                     targets: y, predictions: prediction.detach(), loss: loss.item,
                     gradientSlice: grad.narrow(dim: 0, start: 0, length: 1).narrow(dim: 1, start: 0, length: 6),
                     gradientNorms: model.namedParameters().map { ($0.name, $0.tensor.grad.map { globalGradNorm([$0]) } ?? 0) },
                     parameterCount: model.parameterCount(), trace: trace)
}

// MARK: - Cell 1: the exercise book and one correction

func cell1Problem(_ lesson: Lesson, _ settings: Settings) {
    lesson.step(en: "The exercise book and one correction", zh: "练习册与一次订正")
    lesson.say(en: """
        Every cell trains on the seed's synthetic data: 1000 samples of 5 time steps × 10 features, \
        flattened to 50 numbers, split 800 for training and 200 for validation. The target is the \
        mean of each sample's values. The student is a small MLP, 50 -> 32 -> 1 with ReLU.
        """, zh: """
        每一格都用种子脚本的合成数据训练：1000 个样本，每个 5 个时间步 × 10 个特征，展平成 50 个数，\
        800 个用于训练、200 个用于验证。目标是每个样本数值的平均。学生是一个小 MLP：50 -> 32 -> 1，激活函数 ReLU。
        """)
    let look = firstLook(seed: settings.seed)
    lesson.show(look.inputs, name: "x[0..<2, 0..<6]")
    lesson.traceShapes(look.trace, detail: .typeAndInput)
    lesson.show(look.targets, name: "y")
    lesson.show(look.predictions, name: "model(x)")
    lesson.say(en: """
        The loss deducts points for every wrong answer; backward() writes the correction into each \
        weight's .grad — the notebook of mistakes the optimizer will read.
        """, zh: """
        损失函数为每个错误答案扣分；backward() 把订正写进每个权重的 .grad —— 这就是优化器要读的错题本。
        """)
    lesson.show(look.gradientSlice, name: "fc1.weight.grad[0, 0..<6]")
    var table = Table([lesson.tr(en: "parameter", zh: "参数"), lesson.tr(en: "gradient norm", zh: "梯度范数")])
    for (name, norm) in look.gradientNorms { table.append([.text(name), .number(Double(norm))]) }
    lesson.table(table)
    lesson.headline(en: "cell 1: MLP with \(look.parameterCount) parameters, first batch loss " +
                        "\(significant(look.loss))",
                    zh: "第 1 格：MLP 共 \(look.parameterCount) 个参数，第一批损失 \(significant(look.loss))")
}

