import Engine
import LessonKit

// Cell 2: how the loss deducts points (MSE, L1, Huber).

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

/// Training with each loss on labels of which 5 % are outliers (Gaussian noise of std 10 added):
/// the clean validation MSE after 200 Adam steps (lr 0.01) of the cell-1 MLP.
struct RobustLossRow {
    let loss: LossKind
    let trainMSE: Float
    let validMSE: Float
}

func trainWithOutliers(seed: UInt64, fraction: Double = 0.05) -> (rows: [RobustLossRow], corrupted: Int) {
    let clean = makeProblem(seed: seed)
    var generator = Generator(seed: seed &+ 2)
    let (noisy, corrupted) = injectLabelNoise(clean.train.targets, fraction: fraction, std: 10, generator: &generator)
    let problem = Problem(train: TensorDataset(inputs: clean.train.inputs, targets: noisy), validation: clean.validation)
    let rows = LossKind.allCases.map { kind in
        let model = MLP(sizes: [problem.features, 32, 1], seed: seed)
        let run = train(model, on: problem, TrainingConfig(loss: kind, optimizer: .adam, learningRate: 0.01, steps: 200, seed: seed))
        return RobustLossRow(loss: kind, trainMSE: run.trainLoss, validMSE: run.validLoss)
    }
    return (rows, corrupted.count)
}

// MARK: - Cell 2: how the loss deducts points (MSE, L1, Huber)

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
    let (rows, corrupted) = trainWithOutliers(seed: settings.seed)
    lesson.say(en: """
        Does it matter in training? \(corrupted) of the 800 training labels get noise of std 10 added \
        (outliers); the same MLP is trained with each loss (Adam, lr 0.01, 200 steps) and graded by its \
        MSE on the clean validation set.
        """, zh: """
        训练时有影响吗？800 个训练标签中有 \(corrupted) 个加上了标准差为 10 的噪声（离群点）；用每种损失训练同一个 MLP\
        （Adam，lr 0.01，200 步），再用干净验证集上的 MSE 打分。
        """)
    var robust = Table([lesson.tr(en: "trained with", zh: "训练用的损失"), lesson.tr(en: "train MSE (noisy labels)", zh: "训练 MSE（含噪标签）"),
                        lesson.tr(en: "valid MSE (clean)", zh: "验证 MSE（干净）")])
    for r in rows { robust.append([.text(r.loss.rawValue), .number(Double(r.trainMSE)), .number(Double(r.validMSE))]) }
    lesson.table(robust)
    lesson.say(en: """
        MSE chases the outliers: its clean validation error is worse than always answering 0 (the \
        targets' variance, about 1). L1 and Huber lose on the noisy training labels — they refuse to fit \
        them — and win on the clean exam. With suspect labels, choose a loss that caps each answer's pull.
        """, zh: """
        MSE 追着离群点跑：它在干净验证集上的误差比永远回答 0 还差（目标的方差，约为 1）。L1 和 Huber \
        在含噪的训练标签上得分更低 \
        —— 它们拒绝去拟合那些标签 —— 却在干净的考试上赢了。标签可疑时，选一个限制每个答案拉力的损失函数。
        """)
    let share = results.map { "\($0.name) \(String(format: "%.1f", Double($0.outlierShare) * 100)) %" }
    lesson.headline(en: "cell 2: the outlier's share of the gradient: " + share.joined(separator: ", "),
                    zh: "第 2 格：离群点在梯度中的占比：" + share.joined(separator: "，"))
    let graded = rows.map { "\($0.loss.rawValue) \(significant($0.validMSE))" }
    lesson.headline(en: "cell 2: trained on \(corrupted) outlier labels, clean validation MSE: " + graded.joined(separator: ", "),
                    zh: "第 2 格：在 \(corrupted) 个离群标签上训练，干净验证集 MSE：" + graded.joined(separator: "，"))
}
