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
    /// NaN when the run diverged.
    let validMSE: Float
}

/// One seed's robust-loss experiment: a row per loss, the number of corrupted labels, and the MSE of
/// always answering 0 on the validation set (the mean of y²), the bar a useful model must beat.
func trainWithOutliers(seed: UInt64, fraction: Double = 0.05)
    -> (rows: [RobustLossRow], corrupted: Int, zeroAnswerMSE: Float) {
    let clean = makeProblem(seed: seed)
    var generator = Generator(seed: seed &+ 2)
    let (noisy, corrupted) = injectLabelNoise(clean.train.targets, fraction: fraction, std: 10, generator: &generator)
    let problem = Problem(train: TensorDataset(inputs: clean.train.inputs, targets: noisy),
        validation: clean.validation)
    let rows = LossKind.allCases.map { kind in
        let model = MLP(sizes: [problem.features, 32, 1], seed: seed)
        let run = train(model, on: problem, TrainingConfig(loss: kind, optimizer: .adam, learningRate: 0.01,
            steps: 200, seed: seed))
        return RobustLossRow(loss: kind, trainMSE: run.trainLoss, validMSE: Float(measured(run, run.validLoss)))
    }
    let zero = withNoGrad { (problem.validation.targets * problem.validation.targets).mean().item }
    return (rows, corrupted.count, zero)
}

// MARK: - Cell 2: how the loss deducts points (MSE, L1, Huber)

func cell2Losses(_ lesson: Lesson, _ settings: Settings) {
    lesson.cell(2)
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
    teachSeedNoise(lesson)
    let perSeed = overSeeds(lesson, Localized(en: "cell 2: training with each loss", zh: "第 2 格：用每种损失训练")) {
        trainWithOutliers(seed: $0)
    }
    let corrupted = perSeed[0].corrupted
    lesson.say(en: """
        Does it matter in training? \(corrupted) of the 800 training labels get noise of std 10 added \
        (outliers); the same MLP is trained with each loss (Adam, lr 0.01, 200 steps) and graded by its \
        MSE on the clean validation set, over \(seedRange(lesson).en).
        """, zh: """
        训练时有影响吗？800 个训练标签中有 \(corrupted) 个加上了标准差为 10 的噪声（离群点）；用每种损失训练同一个 MLP\
        （Adam，lr 0.01，200 步），再用干净验证集上的 MSE 打分，\(seedRange(lesson).zh)。
        """)
    func sample(_ k: Int, _ value: (RobustLossRow) -> Float) -> SeedSample {
        SeedSample(perSeed.map { Double(value($0.rows[k])) })
    }
    let valid = LossKind.allCases.indices.map { k in sample(k) { $0.validMSE } }
    let trainMSE = LossKind.allCases.indices.map { k in sample(k) { $0.trainMSE } }
    var robust = Table([lesson.tr(en: "trained with", zh: "训练用的损失"),
                        lesson.tr(en: "train MSE (noisy labels)", zh: "训练 MSE（含噪标签）"),
                        lesson.tr(en: "valid MSE (clean)", zh: "验证 MSE（干净）")])
    for (k, kind) in LossKind.allCases.enumerated() {
        robust.append([.text(kind.rawValue), .number(meanSpread(trainMSE[k], lesson.language)),
                       .number(meanSpread(valid[k], lesson.language))])
    }
    lesson.table(robust)
    // Always answering 0 scores the mean of y² on the validation set.
    let zeroAnswer = SeedSample(perSeed.map { Double($0.zeroAnswerMSE) })
    let mse = valid[0].mean
    lesson.conclude("lesson3.loss.mseVsZero", .threshold(value: mse, relation: .above, limit: zeroAnswer.mean), [
        "true": Localized(
            en: "MSE chases the outliers: its clean validation error (\(significant(Float(mse)))) is worse than "
                + "always answering 0 (\(significant(Float(zeroAnswer.mean))), the mean of y²).",
            zh: "MSE 追着离群点跑：它在干净验证集上的误差（\(significant(Float(mse)))）比永远回答 0 "
                + "（\(significant(Float(zeroAnswer.mean)))，即 y² 的平均）还差。"),
        "false": Localized(
            en: "MSE's clean validation error (\(significant(Float(mse)))) stays below always answering 0 "
                + "(\(significant(Float(zeroAnswer.mean)))): the outliers hurt it without taking over.",
            zh: "MSE 在干净验证集上的误差（\(significant(Float(mse)))）仍低于永远回答 0 "
                + "（\(significant(Float(zeroAnswer.mean)))）：离群点有伤害，但没有完全主导。"),
        "diverged": Localized(en: "MSE training diverged on some seed.", zh: "MSE 的训练在某个随机种子上发散了。"),
    ])
    for (k, kind) in [(1, LossKind.l1), (2, LossKind.huber)] {
        let name = kind.rawValue
        lesson.conclude("lesson3.loss.\(kind == .l1 ? "l1" : "huber").valid", Comparison(valid[k], valid[0]),
            lower: Localized(
                en: "\(name) validates better than MSE on the clean exam (\(meanSpread(valid[k], .en)) against "
                    + "\(meanSpread(valid[0], .en))). Why: it caps each answer's pull, so the outliers cannot steer "
                        + "it.",
                zh: "\(name) 在干净的考试上比 MSE 好（\(meanSpread(valid[k], .zh)) 对 \(meanSpread(valid[0], .zh))）。"
                    + "原因：它限制了每个答案的拉力，离群点左右不了它。"),
            higher: Localized(
                en: "\(name) validates worse than MSE here (\(meanSpread(valid[k], .en)) against "
                    + "\(meanSpread(valid[0], .en))): "
                    + "capping the pull also slows the fit of the clean labels at this budget.",
                zh: "\(name) 在这里验证得比 MSE 差（\(meanSpread(valid[k], .zh)) 对 \(meanSpread(valid[0], .zh))）："
                    + "限制拉力也让它在这个训练量下更慢地拟合干净的标签。"),
            noDifference: noDifference(Localized(en: "\(name) against MSE on the clean exam",
                                                 zh: "\(name) 与 MSE 在干净考试上的比较")),
            diverged: Localized(en: "A run with \(name) or MSE diverged: no comparison.",
                                zh: "\(name) 或 MSE 的某次训练发散了：无法比较。"))
    }
    lesson.conclude("lesson3.loss.l1.train", Comparison(trainMSE[1], trainMSE[0]),
        lower: Localized(en: "L1 even fits the noisy training labels more closely than MSE.",
                         zh: "L1 甚至比 MSE 更贴合含噪的训练标签。"),
        higher: Localized(
            en: "On the noisy training labels L1 scores worse than MSE: it refuses to fit the outliers. "
                + "With suspect labels, choose a loss that caps each answer's pull.",
            zh: "在含噪的训练标签上，L1 得分比 MSE "
                + "差：它拒绝去拟合离群点。标签可疑时，选一个限制每个答案拉力的损失函数。"),
        noDifference: noDifference(Localized(en: "L1 against MSE on the noisy training labels",
                                             zh: "L1 与 MSE 在含噪训练标签上的比较")),
        diverged: Localized(en: "A run diverged: no comparison.", zh: "某次训练发散了：无法比较。"))
    let share = results.map { "\($0.name) \(String(format: "%.1f", Double($0.outlierShare) * 100)) %" }
    lesson.headline(en: "cell 2: the outlier's share of the gradient: " + share.joined(separator: ", "),
                    zh: "第 2 格：离群点在梯度中的占比：" + share.joined(separator: "，"))
    // Mean ± spread, and the verdict of each loss against MSE from its claim above.
    let claimOf: [LossKind: String] = [.l1: "lesson3.loss.l1.valid", .huber: "lesson3.loss.huber.valid"]
    let graded = LossKind.allCases.enumerated().map { k, kind in
        "\(kind.rawValue) \(lesson.meanSpread(valid[k], verdictOf: claimOf[kind]))"
    }
    lesson.headline(en: "cell 2: trained on \(corrupted) outlier labels, clean validation MSE over "
                        + "\(lesson.seeds.count) seeds (verdict against MSE): " + graded.joined(separator: ", "),
                    zh: "第 2 格：在 \(corrupted) 个离群标签上训练，\(lesson.seeds.count) 个随机种子的干净验证集 MSE"
                        + "（括号里是与 MSE 相比的结论）："
                        + graded.joined(separator: "，"))
}
