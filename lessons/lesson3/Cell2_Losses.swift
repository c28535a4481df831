import Engine
import LessonKit

// MARK: - Cell 2: how the loss deducts points (MSE, L1, Huber)

/// One loss function on the cell's five predictions: its value and its gradient per prediction.
struct LossComparison {
    let name: String
    let value: Float
    /// ∂loss/∂prediction for each of the five predictions.
    let gradients: [Float]
    /// The outlier's share of the total pull: |g₄| / Σ|gᵢ|.
    var outlierShare: Float { Swift.abs(gradients[4]) / gradients.reduce(0) { $0 + Swift.abs($1) } }
}

/// Five answers, the last target an outlier (a mislabelled sample, say): each loss sees the same
/// mistakes and deducts differently.
let lossTargets: [Float] = [0.5, -1.0, 0.8, 0.2, 6.0]
let lossPredictions: [Float] = [0.7, -0.6, 0.5, 0.3, 1.0]

/// MSE, L1 and Huber (δ = 1) on the same predictions, with their gradients from `backward()`.
func compareLosses() -> [LossComparison] {
    let losses: [(String, (Tensor, Tensor) -> Tensor)] = [
        ("MSE", { Tensor.mseLoss($0, $1) }),
        ("L1", { Tensor.l1Loss($0, $1) }),
        ("Huber δ=1", { Tensor.huberLoss($0, $1, delta: 1) }),
    ]
    return losses.map { name, loss in
        let prediction = Tensor(lossPredictions, requiresGrad: true)
        let value = loss(prediction, Tensor(lossTargets))
        value.backward()
        return LossComparison(name: name, value: value.item, gradients: prediction.grad!.scalars)
    }
}

func cell2Losses(_ lesson: Lesson, _ settings: Settings) {
    lesson.step(en: "How the loss deducts points", zh: "损失函数怎样扣分")
    lesson.say(en: """
        Five answers, one of them against an outlier target (6.0, a wrong label). MSE squares every \
        error, so the outlier's correction dominates; L1 pulls every wrong answer with the same force; \
        Huber is quadratic for small errors and linear beyond δ.
        """, zh: """
        五个答案，其中一个的目标是离群值（6.0，一个标错的标签）。MSE 把误差平方，离群点的订正压倒一切；\
        L1 对每个错误用同样的力度拉；Huber 对小误差是平方、超过 δ 之后是线性。
        """)
    lesson.show(Tensor(lossTargets), name: "target")
    lesson.show(Tensor(lossPredictions), name: "prediction")
    let results = compareLosses()
    var table = Table([lesson.tr(en: "loss", zh: "损失"), lesson.tr(en: "value", zh: "值")]
                      + (0..<5).map { "∂/∂ŷ\($0)" } + [lesson.tr(en: "outlier share", zh: "离群点占比")])
    for r in results {
        table.append([.text(r.name), .number(Double(r.value))] + r.gradients.map { .number(Double($0)) }
                     + [.number(Double(r.outlierShare) * 100, format: "%.1f %%")])
    }
    lesson.table(table)
    lesson.say(en: """
        With MSE the outlier's gradient is 2·(1.0 - 6.0)/5 = -2.0: it pulls harder than all the other \
        answers together, so one bad label steers the training. L1 and Huber cap its pull at 1/5 = 0.2.
        """, zh: """
        用 MSE 时离群点的梯度是 2·(1.0 - 6.0)/5 = -2.0：比其他所有答案加起来拉得还狠，一个坏标签就能左右训练。\
        L1 和 Huber 把它的拉力限制在 1/5 = 0.2。
        """)
    let share = results.map { "\($0.name) \(String(format: "%.1f", Double($0.outlierShare) * 100)) %" }
    lesson.headline(en: "cell 2: the outlier's share of the gradient: " + share.joined(separator: ", "),
                    zh: "第 2 格：离群点在梯度中的占比：" + share.joined(separator: "，"))
}
