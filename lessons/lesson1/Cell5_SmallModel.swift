import Engine
import LessonKit

/// The squashing activations this lesson's small model uses: bounded on both sides, so a unit can
/// saturate (sit on a flat end of the curve). Saturation is counted only for these.
let squashingActivations: [Activation] = [.tanh, .sigmoid]

/// Whether `a`, an output of `activation`, sits on a flat end of the curve, where the derivative is
/// below ~0.02: |a| > 0.99 for tanh, a < 0.01 or a > 0.99 for sigmoid.
func isSaturated(_ a: Float, _ activation: Activation) -> Bool {
    switch activation {
    case .tanh: return Swift.abs(a) > 0.99
    case .sigmoid: return a < 0.01 || a > 0.99
    default: preconditionFailure("lesson 1 counts saturation for \(squashingActivations), not \(activation)")
    }
}

/// The small model of this lesson: two linear layers around a squashing activation, on the
/// flattened inputs. Small on purpose, so that what we measure is the data, not the model.
///
///     x: [B, F] → fc1 → z: [B, H] → tanh → h: [B, H] → fc2 → ŷ: [B, 1]
final class SmallMLP: Layer {
    var training = true
    let fc1: Linear
    let fc2: Linear
    let activation: Activation

    var ownParameters: [NamedTensor] { [] }
    var ownBuffers: [NamedTensor] { [] }
    var children: [(name: String, module: Module)] { [("fc1", fc1), ("fc2", fc2)] }

    init(inputs: Int, hidden: Int = 32, activation: Activation = .tanh, generator: inout Generator) {
        fc1 = Linear(inputs, hidden, generator: &generator)
        fc2 = Linear(hidden, 1, generator: &generator)
        precondition(squashingActivations.contains(activation), "SmallMLP: a squashing activation, not \(activation)")
        self.activation = activation
    }

    /// The forward pass with its intermediate tensors: pre-activation z, activation h, output ŷ.
    func forward(_ x: Tensor) -> (z: Tensor, h: Tensor, y: Tensor) {
        let z = fc1(x)            // [B, H]
        let h = activation(z)     // [B, H]
        return (z, h, fc2(h))     // [B, 1]
    }

    // x: [B, F] -> ŷ: [B, 1]
    func callAsFunction(_ x: Tensor) -> Tensor { forward(x).y }
}

/// The fraction of saturated units in `h` (every sample, every hidden unit).
func saturatedFraction(_ h: Tensor, _ activation: Activation) -> Double {
    Double(h.scalars.filter { isSaturated($0, activation) }.count) / Double(Swift.max(h.count, 1))
}

/// The seed's data as a sensor might log it: the same signal in millivolts around a 50 mV
/// baseline (`50 + 10·x`). Nothing about the information changes, only the units.
func recordedUnits(_ x: Tensor) -> Tensor { x * 10 + 50 }

/// One forward and backward pass of a fresh model on one batch: what the first layer sees.
struct FirstLook {
    /// `z = fc1(x)`, `[B, H]`, and `h = act(z)`.
    let z: Tensor
    let h: Tensor
    /// `dL/dz`: the gradient that reaches the pre-activation (the tanh derivative 1 - h² is in it).
    let gradZ: Tensor
    let saturatedTanh: Double
    let saturatedSigmoid: Double
    /// The global gradient norm before clipping (the seed clips at 1.0).
    let gradientNorm: Float
    /// The norm of fc1.weight's gradient over the columns of each input group (a position's 10
    /// values, or one CSV column): which inputs drive the first layer's update.
    let weightGradientByGroup: [Float]
    /// The shapes at each module boundary (printed with --trace-shapes).
    let trace: [ShapeTraceEntry]
}

/// A fresh model (seeded, the same one `trainSmallModel` starts from) on one batch `x: [B, F]`,
/// `y: [B, 1]`; `groupSize` consecutive input columns form one group (10 = one position).
func firstLook(x: Tensor, y: Tensor, groupSize: Int = 10, seed: UInt64) -> FirstLook {
    var generator = Generator(seed: seed &+ 4)
    let model = SmallMLP(inputs: x.shape[1], generator: &generator)
    let ((z, h, out), trace) = withShapeTrace(model) { model.forward(x) }
    z.retainGrad()
    Tensor.mseLoss(out, y).backward()
    let sigmoid = withNoGrad { z.sigmoid() }
    // fc1.weight.grad is [H, F]: column f collects Σ_b dL/dz[b, h] · x[b, f], so it grows with x.
    // After backward every parameter has a gradient; a zero one stands in for a missing one.
    let g = model.fc1.weight.grad ?? Tensor.zeros(model.fc1.weight.shape)      // [H, F]
    let (hidden, features) = (g.shape[0], g.shape[1])
    let groups = (g * g).reshape([hidden, features / groupSize, groupSize])    // [H, groups, size]
        .sum(dims: [0, 2]).sqrt().scalars                                      // [groups]
    return FirstLook(z: z.detach(), h: h.detach(), gradZ: z.grad ?? Tensor.zeros(z.shape),
                     saturatedTanh: saturatedFraction(h, .tanh),
                     saturatedSigmoid: saturatedFraction(sigmoid, .sigmoid),
                     gradientNorm: gradNorm(model.parameters()), weightGradientByGroup: groups, trace: trace)
}

/// What one training run leaves behind.
struct TrainingRun {
    /// The loss of every step's batch (MSE, in units of the clean labels' variance).
    let losses: [Float]
    /// MSE on the validation split (clean labels), after training; NaN when the run diverged.
    let validationLoss: Float
    /// MSE on the test split, when one was given.
    let testLoss: Float?
    /// Steps whose gradient norm exceeded the clip threshold (and were clipped).
    let clippedSteps: Int
    /// Saturated hidden units over the validation inputs, before and after training.
    let saturationStart: Double
    let saturationEnd: Double
    /// The NaN guard's diagnosis when the loss, a gradient or a weight stopped being finite.
    let diverged: TrainingDiverged?
    /// Every 10 steps: the mean batch loss, each layer's gradient norm and weights, for the report's
    /// step-through (`lesson.training`).
    let record: TrainingRecord

    /// The mean of the first / last 20 batch losses (one batch is noisy); NaN after a divergence.
    var firstLoss: Float { mean(losses.prefix(20)) }
    var finalLoss: Float { diverged == nil ? mean(losses.suffix(20)) : .nan }

    /// The batch losses averaged over windows of `window` steps, for a readable curve.
    func smoothed(_ window: Int = 10) -> [Float] {
        stride(from: 0, to: losses.count, by: window).map { mean(losses[$0..<Swift.min($0 + window, losses.count)]) }
    }

    private func mean<C: Collection>(_ values: C) -> Float where C.Element == Float {
        values.isEmpty ? .nan : values.reduce(0, +) / Float(values.count)
    }
}

/// Trains a fresh `SmallMLP` (the same initial weights for every run with the same seed) with
/// Adam (AdamW when `weightDecay` > 0) and the seed's gradient clipping, on batches of 32 from a
/// shuffled DataLoader, under the NaN guard:
///
///     for step in 1...steps:  trainingStep: zero_grad; loss = mse(model(x), y); backward;
///                             norm = clip_grad_norm(params, clip); nan_guard; optimizer.step()
///
/// - Parameters:
///   - train, validation, test: inputs `[n, F]`, targets `[n, 1]`; the test split is optional.
///   - clip: the largest gradient norm allowed (the seed's 1.0; `nil`: no clipping); steps above
///     it are counted.
///   - weightDecay: AdamW's decoupled decay λ (each step multiplies the weights by 1 − lr·λ).
func trainSmallModel(train: TensorDataset, validation: TensorDataset, test: TensorDataset? = nil,
                     steps: Int, learningRate: Double, clip: Float? = 1, weightDecay: Double = 0,
                     activation: Activation = .tanh, seed: UInt64) -> TrainingRun {
    var generator = Generator(seed: seed &+ 4)
    let model = SmallMLP(inputs: train.inputs.shape[1], activation: activation, generator: &generator)
    let optimizer: Adam = weightDecay > 0
        ? AdamW(model.parameters(), learningRate: learningRate, weightDecay: weightDecay)
        : Adam(model.parameters(), learningRate: learningRate)
    let nanGuard = NaNGuard(model.namedParameters(), clipMaxNorm: clip)
    let loader = DataLoader(train, batchSize: 32, shuffle: true, generator: Generator(seed: seed &+ 5))
    let start = withNoGrad { saturatedFraction(model.forward(validation.inputs).h, activation) }
    var iterator = loader.makeIterator()
    var losses: [Float] = []
    var clipped = 0
    var diverged: TrainingDiverged?
    var record = TrainingRecord(title: "", xLabel: "step", layers: ["fc1.weight", "fc2.weight"])
    let batches = Swift.max(1, (train.count + 31) / 32)
    for k in 0..<steps {
        var batch = iterator.next()
        if batch == nil {                       // a new epoch: a fresh shuffle
            iterator = loader.makeIterator()
            batch = iterator.next()
        }
        guard let (x, y) = batch else { break }
        do {
            let step = try trainingStep(model.parameters(), optimizer: optimizer, clipMaxNorm: clip,
                                        beforeUpdate: { result in
                try nanGuard.check(loss: result.loss, gradientNorm: result.gradientNorm, epoch: k / batches + 1,
                                   step: k + 1, learningRate: learningRate, inputs: x)
            }) { Tensor.mseLoss(model(x), y) }
            if step.clipped { clipped += 1 }
            losses.append(step.loss)
            if (k + 1) % 10 == 0 || k + 1 == steps {
                // After the step the gradients still hold this batch's (trainingStep zeroes them first).
                let layers = [model.fc1.weight, model.fc2.weight]
                let recent = losses.suffix(10)
                record.add(Double(k + 1), loss: Double(recent.reduce(0, +) / Float(recent.count)),
                           learningRate: learningRate, gradientNorms: layers.map { Double(gradNorm([$0])) },
                           weights: layers.map(\.scalars))
            }
        } catch let error as TrainingDiverged {
            diverged = error
            break
        } catch {
            preconditionFailure("the NaN guard threw \(error)")
        }
    }
    let failed = diverged
    return withNoGrad {
        let (_, h, out) = model.forward(validation.inputs)
        let testLoss = test.map { failed == nil ? Tensor.mseLoss(model($0.inputs), $0.targets).item : .nan }
        let validationLoss = failed == nil ? Tensor.mseLoss(out, validation.targets).item : .nan
        return TrainingRun(losses: losses, validationLoss: validationLoss,
                           testLoss: testLoss, clippedSteps: clipped, saturationStart: start,
                           saturationEnd: saturatedFraction(h, activation), diverged: failed,
                           record: record)
    }
}

/// The first 8 entries of row 0 of a `[B, H]` tensor, for printing.
func firstRow(_ t: Tensor, _ k: Int = 8) -> Tensor {
    t.narrow(dim: 0, start: 0, length: 1).narrow(dim: 1, start: 0, length: Swift.min(k, t.shape[1]))
}

/// The ways of feeding the same inputs, as (name, transform) for a flat table.
/// (The seed's data get a third: the same values in recorded units.)
func inputVersions(_ split: SplitResult, synthetic: Bool = true)
    -> [(name: Localized, transform: (Tensor) -> Tensor)] {
    let scaler = split.xScaler
    var versions: [(name: Localized, transform: (Tensor) -> Tensor)] = [
        (Localized(en: "standardised", zh: "标准化"), { scaler.transform($0) }),
        synthetic ? (Localized(en: "raw (seed units)", zh: "原始（原文尺度）"), { $0 })
                  : (Localized(en: "raw (file units)", zh: "原始（文件单位）"), { $0 }),
    ]
    if synthetic {
        versions.append((Localized(en: "raw (recorded units)", zh: "原始（记录单位）"), recordedUnits))
    }
    return versions
}

// MARK: - Cell 5: the small model, one forward and backward pass

func cell5SmallModel(_ lesson: Lesson, _ settings: Settings, _ split: SplitResult, synthetic: Bool = true,
                    featureNames: [String] = []) {
    lesson.cell(5)
    let inputs = split.xScaler.mean.count
    lesson.say(synthetic ? Localized(en: """
        To see what the data do to training we need a model, kept small on purpose: Linear(\(inputs) → 32), \
        tanh, Linear(32 → 1). We feed it one batch three ways: standardised, raw as the blog post's script makes it \
        (std 1 … 5), and raw as a sensor might log it (50 + 10·x, millivolts around a baseline). \
        Same information, different units.
        """, zh: """
        要看数据对训练的影响，需要一个模型，故意做得很小：Linear(\(inputs) → 32)、tanh、\
        Linear(32 → 1)。同一个批次用三种方式喂给它：标准化后的、原文生成的原始值（标准差 1 … 5）、\
        以及传感器可能记录的原始值（50 + 10·x，基线附近的毫伏数）。信息相同，只是单位不同。
        """) : Localized(en: """
        To see what the data do to training we need a model, kept small on purpose: Linear(\(inputs) → 32), \
        tanh, Linear(32 → 1). We feed it one batch two ways: standardised, and raw in the file's units.
        """, zh: """
        要看数据对训练的影响，需要一个模型，故意做得很小：Linear(\(inputs) → 32)、tanh、Linear(32 → 1)。\
        同一个批次用两种方式喂给它：标准化后的，以及文件原始单位的。
        """))
    let x = flattened(TensorDataset(inputs: split.batchX, targets: split.batchY))
    let y = split.yScaler.transform(split.batchY)
    let versions = inputVersions(split, synthetic: synthetic)
    let looks = versions.map {
        firstLook(x: $0.transform(x.inputs), y: y, groupSize: synthetic ? 10 : 1, seed: settings.seed)
    }
    lesson.traceShapes(looks[0].trace)
    for k in 0..<2 {
        lesson.say(en: "\(versions[k].name.en): pre-activation z = fc1(x), activation h = tanh(z), "
                   + "and the gradient dL/dz = dL/dh · (1 − h²) that flows back into fc1 (sample 0, units 0–7):",
                   zh: "\(versions[k].name.zh)：预激活 z = fc1(x)、激活 h = tanh(z)，以及流回 fc1 的梯度 "
                   + "dL/dz = dL/dh · (1 − h²)（第 0 个样本，神经元 0–7）：")
        lesson.show(firstRow(looks[k].z), name: "z[0, 0:8]", precision: 3)
        lesson.show(firstRow(looks[k].h), name: "h[0, 0:8]", precision: 3)
        lesson.show(firstRow(looks[k].gradZ), name: "dL/dz[0, 0:8]", precision: 3)
    }
    // The unit of row 0 that raw inputs push furthest onto a flat end, in both versions.
    let rawH = firstRow(looks[1].h).scalars
    let unit = rawH.indices.max { Swift.abs(rawH[$0]) < Swift.abs(rawH[$1]) } ?? 0
    let (hStd, gStd) = (looks[0].h.scalars[unit], looks[0].gradZ.scalars[unit])
    let (hRaw, gRaw) = (looks[1].h.scalars[unit], looks[1].gradZ.scalars[unit])
    lesson.say(en: "Unit \(unit): standardised h = \(fixed(hStd, 3)), dL/dz = \(sci(gStd)); raw h = \(fixed(hRaw, 3)), "
               + "dL/dz = \(sci(gRaw)). dL/dz = dL/dh · (1 − h²), and 1 − h² is \(sci(1 - hRaw * hRaw)) there against "
               + "\(sci(1 - hStd * hStd)) standardised.",
               zh: "神经元 \(unit)：标准化时 h = \(fixed(hStd, 3))，dL/dz = \(sci(gStd))；原始输入时 h = "
               + "\(fixed(hRaw, 3))，dL/dz = \(sci(gRaw))。dL/dz = dL/dh · (1 − h²)，原始输入时 1 − h² 为 "
               + "\(sci(1 - hRaw * hRaw))，标准化时为 \(sci(1 - hStd * hStd))。")
    var table = Table([lesson.tr(en: "inputs", zh: "输入"), lesson.tr(en: "std of z", zh: "z 的标准差"),
                       lesson.tr(en: "saturated tanh", zh: "饱和的 tanh"),
                       lesson.tr(en: "saturated sigmoid", zh: "饱和的 sigmoid"),
                       lesson.tr(en: "gradient norm", zh: "梯度范数")])
    for (version, look) in zip(versions, looks) {
        let zStd = look.z.variance(unbiased: false).sqrt().item
        table.append([.text(version.name(lesson.language)), .number(Double(zStd)),
                      .number(percent(look.saturatedTanh)), .number(percent(look.saturatedSigmoid)),
                      .number(Double(look.gradientNorm))])
    }
    lesson.table(table)
    lesson.say(en: """
        Where |z| is large, tanh sits on its flat ends (h = ±1.000) and 1 − h² ≈ 0: the gradient \
        reaching fc1 through that unit vanishes, the unit stops learning. Sigmoid saturates the same \
        way.
        """, zh: """
        |z| 很大时，tanh 停在两端的平坦处（h = ±1.000），1 − h² ≈ 0：经过这个单元流回 fc1 的梯度消失，\
        这个单元不再学习。sigmoid 也一样会饱和。
        """)
    let groupNames = synthetic ? (1...5).map { lesson.tr(en: "position \($0)", zh: "位置 \($0)") } : featureNames
    var byGroup = Table([lesson.tr(en: "‖grad of fc1.weight‖ by input", zh: "按输入分组的 ‖fc1.weight 梯度‖")]
                        + versions.map { $0.name(lesson.language) })
    for (k, name) in groupNames.enumerated() where k < looks[0].weightGradientByGroup.count {
        byGroup.append([.text(name)] + looks.map { .number(Double($0.weightGradientByGroup[k])) })
    }
    lesson.table(byGroup)
    // The largest group's gradient over the smallest's, per version.
    let ratios = looks.map { look -> Float in
        let g = look.weightGradientByGroup
        guard let hi = g.max(), let lo = g.min() else { return .nan }
        return hi / Swift.max(lo, .leastNonzeroMagnitude)
    }
    let names = versions.map(\.name)
    let list = Localized(en: zip(names, ratios).map { "\($0.en) \(fixed($1, 1))×" }.joined(separator: ", "),
                         zh: zip(names, ratios).map { "\($0.zh) \(fixed($1, 1)) 倍" }.joined(separator: "，"))
    lesson.say(en: "Each column of fc1.weight gets the gradient Σ dL/dz · x of its own input, so louder inputs get "
               + "larger updates. The largest group's gradient over the smallest's: \(list.en).",
               zh: "fc1.weight 的每一列得到的梯度是 Σ dL/dz · x，只取决于它自己的输入，所以“声音大”的输入更新得更多。"
               + "最大一组的梯度与最小一组之比：\(list.zh)。")
    lesson.conclude("lesson1.first-step.loud-inputs-dominate",
                    .threshold(value: Double(ratios[1] / ratios[0]), relation: .above, limit: 2), [
        "true": Localized(en: "With \(names[1].en) inputs the loud ones dominate the first step (the ratio is "
                              + "\(fixed(ratios[1] / ratios[0], 1))× the standardised one's) and the quiet ones "
                              + "barely move.",
                          zh: "“\(names[1].zh)”输入下，大的输入主导了第一步（这个比值是标准化时的 "
                              + "\(fixed(ratios[1] / ratios[0], 1)) 倍），小的几乎不动。"),
        "false": Localized(en: "Here the \(names[1].en) inputs' groups are not much more uneven than the standardised "
                               + "ones' (\(fixed(ratios[1] / ratios[0], 1))×): no input dominates the first step.",
                           zh: "这里“\(names[1].zh)”输入各组的梯度并不比标准化时更不均匀"
                               + "（\(fixed(ratios[1] / ratios[0], 1)) "
                               + "倍）：没有哪个输入主导第一步。"),
        "diverged": Localized(en: "The first step's gradients are not finite "
            + "numbers.", zh: "第一步的梯度不是有限的数。"),
    ])
    lesson.headline(en: "first step: saturated tanh " + looks.map { percent($0.saturatedTanh) }.joined(separator: " / ")
                    + ", sigmoid " + looks.map { percent($0.saturatedSigmoid) }.joined(separator: " / ")
                    + ", gradient norm " + looks.map { fixed($0.gradientNorm, 2) }.joined(separator: " / ")
                    + " (" + versions.map(\.name.en).joined(separator: " / ") + ")",
                    zh: "第一步：饱和的 tanh " + looks.map { percent($0.saturatedTanh) }.joined(separator: " / ")
                    + "，sigmoid " + looks.map { percent($0.saturatedSigmoid) }.joined(separator: " / ")
                    + "，梯度范数 " + looks.map { fixed($0.gradientNorm, 2) }.joined(separator: " / ")
                    + "（" + versions.map(\.name.zh).joined(separator: " / ") + "）")
}
