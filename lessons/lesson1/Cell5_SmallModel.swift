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
    let g = model.fc1.weight.grad!                                             // [H, F]
    let (hidden, features) = (g.shape[0], g.shape[1])
    let groups = (g * g).reshape([hidden, features / groupSize, groupSize])    // [H, groups, size]
        .sum(dims: [0, 2]).sqrt().scalars                                      // [groups]
    return FirstLook(z: z.detach(), h: h.detach(), gradZ: z.grad!, saturatedTanh: saturatedFraction(h, .tanh),
                     saturatedSigmoid: saturatedFraction(sigmoid, .sigmoid),
                     gradientNorm: gradNorm(model.parameters()), weightGradientByGroup: groups, trace: trace)
}

/// What one training run leaves behind.
struct TrainingRun {
    /// The loss of every step's batch (MSE, in units of the clean labels' variance).
    let losses: [Float]
    /// MSE on the validation split (clean labels), after training.
    let validationLoss: Float
    /// MSE on the test split, when one was given.
    let testLoss: Float?
    /// Steps whose gradient norm exceeded the clip threshold (and were clipped).
    let clippedSteps: Int
    /// Saturated hidden units over the validation inputs, before and after training.
    let saturationStart: Double
    let saturationEnd: Double

    /// The mean of the first / last 20 batch losses (one batch is noisy).
    var firstLoss: Float { mean(losses.prefix(20)) }
    var finalLoss: Float { mean(losses.suffix(20)) }

    /// The batch losses averaged over windows of `window` steps, for a readable curve.
    func smoothed(_ window: Int = 10) -> [Float] {
        stride(from: 0, to: losses.count, by: window).map { mean(losses[$0..<Swift.min($0 + window, losses.count)]) }
    }

    private func mean<C: Collection>(_ values: C) -> Float where C.Element == Float {
        values.isEmpty ? .nan : values.reduce(0, +) / Float(values.count)
    }
}

/// Trains a fresh `SmallMLP` (the same initial weights for every run with the same seed) with
/// Adam and the seed's gradient clipping, on batches of 32 from a shuffled DataLoader:
///
///     for step in 1...steps:  trainingStep: zero_grad; loss = mse(model(x), y); backward;
///                             norm = clip_grad_norm(params, clip); optimizer.step()
///
/// - Parameters:
///   - train, validation, test: inputs `[n, F]`, targets `[n, 1]`; the test split is optional.
///   - clip: the largest gradient norm allowed (the seed's 1.0); steps above it are counted.
func trainSmallModel(train: TensorDataset, validation: TensorDataset, test: TensorDataset? = nil,
                     steps: Int, learningRate: Double, clip: Float = 1, activation: Activation = .tanh,
                     seed: UInt64) -> TrainingRun {
    var generator = Generator(seed: seed &+ 4)
    let model = SmallMLP(inputs: train.inputs.shape[1], activation: activation, generator: &generator)
    let optimizer = Adam(model.parameters(), learningRate: learningRate)
    let loader = DataLoader(train, batchSize: 32, shuffle: true, generator: Generator(seed: seed &+ 5))
    let start = withNoGrad { saturatedFraction(model.forward(validation.inputs).h, activation) }
    var iterator = loader.makeIterator()
    var losses: [Float] = []
    var clipped = 0
    for _ in 0..<steps {
        var batch = iterator.next()
        if batch == nil {                       // a new epoch: a fresh shuffle
            iterator = loader.makeIterator()
            batch = iterator.next()
        }
        let (x, y) = batch!
        let step = trainingStep(model.parameters(), optimizer: optimizer, clipMaxNorm: clip) {
            Tensor.mseLoss(model(x), y)
        }
        if step.clipped { clipped += 1 }
        losses.append(step.loss)
    }
    return withNoGrad {
        let (_, h, out) = model.forward(validation.inputs)
        let testLoss = test.map { Tensor.mseLoss(model($0.inputs), $0.targets).item }
        return TrainingRun(losses: losses, validationLoss: Tensor.mseLoss(out, validation.targets).item,
                           testLoss: testLoss, clippedSteps: clipped, saturationStart: start,
                           saturationEnd: saturatedFraction(h, activation))
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
    lesson.step(en: "A small model, one forward and backward pass", zh: "一个小模型，一次前向和反向传播")
    let inputs = split.xScaler.mean.count
    lesson.say(synthetic ? Localized(en: """
        To see what the data do to training we need a model, kept small on purpose: Linear(\(inputs) → 32), \
        tanh, Linear(32 → 1). We feed it one batch three ways: standardised, raw as the seed makes it \
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
    let looks = versions.map { firstLook(x: $0.transform(x.inputs), y: y, groupSize: synthetic ? 10 : 1, seed: settings.seed) }
    lesson.traceShapes(looks[0].trace)
    for k in 0..<2 {
        lesson.say(en: "\(versions[k].name.en): pre-activation z = fc1(x), activation h = tanh(z), "
                   + "and the gradient dL/dz = dL/dh · (1 − h²) that flows back into fc1 (sample 0, units 0–7):",
                   zh: "\(versions[k].name.zh)：预激活 z = fc1(x)、激活 h = tanh(z)，以及流回 fc1 的梯度 "
                   + "dL/dz = dL/dh · (1 − h²)（第 0 个样本，单元 0–7）：")
        lesson.show(firstRow(looks[k].z), name: "z[0, :8]", precision: 3)
        lesson.show(firstRow(looks[k].h), name: "h[0, :8]", precision: 3)
        lesson.show(firstRow(looks[k].gradZ), name: "dL/dz[0, :8]", precision: 3)
    }
    // The unit of row 0 that raw inputs push furthest onto a flat end, in both versions.
    let rawH = firstRow(looks[1].h).scalars
    let unit = rawH.indices.max { Swift.abs(rawH[$0]) < Swift.abs(rawH[$1]) }!
    let (hStd, gStd) = (looks[0].h.scalars[unit], looks[0].gradZ.scalars[unit])
    let (hRaw, gRaw) = (looks[1].h.scalars[unit], looks[1].gradZ.scalars[unit])
    let shrink = gRaw == 0 ? Localized(en: "exactly 0", zh: "正好是 0")
        : Localized(en: "\(fixed(Swift.abs(gStd) / Swift.abs(gRaw), 0))× smaller",
                    zh: "小了 \(fixed(Swift.abs(gStd) / Swift.abs(gRaw), 0)) 倍")
    lesson.say(en: "Unit \(unit): standardised h = \(fixed(hStd, 3)), dL/dz = \(sci(gStd)); raw h = \(fixed(hRaw, 3)), "
               + "dL/dz = \(sci(gRaw)) — \(shrink.en), because 1 − h² = \(sci(1 - hRaw * hRaw)).",
               zh: "单元 \(unit)：标准化时 h = \(fixed(hStd, 3))，dL/dz = \(sci(gStd))；原始输入时 h = " +
                   "\(fixed(hRaw, 3))，"
               + "dL/dz = \(sci(gRaw))——\(shrink.zh)，因为 1 − h² = \(sci(1 - hRaw * hRaw))。")
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
        way. Large inputs also make large gradients, the ones the seed's clip_grad_norm(1.0) cuts down.
        """, zh: """
        |z| 很大时，tanh 停在两端的平坦处（h = ±1.000），1 − h² ≈ 0：经过这个单元流回 fc1 的梯度消失，\
        这个单元不再学习。sigmoid 也一样会饱和。大的输入还会产生大的梯度，也就是原文的 \
        clip_grad_norm(1.0) 要裁掉的那种。
        """)
    let groupNames = synthetic ? (1...5).map { lesson.tr(en: "position \($0)", zh: "位置 \($0)") } : featureNames
    var byGroup = Table([lesson.tr(en: "‖grad of fc1.weight‖ by input", zh: "按输入分组的 ‖fc1.weight 梯度‖")]
                        + versions.map { $0.name(lesson.language) })
    for (k, name) in groupNames.enumerated() where k < looks[0].weightGradientByGroup.count {
        byGroup.append([.text(name)] + looks.map { .number(Double($0.weightGradientByGroup[k])) })
    }
    lesson.table(byGroup)
    let ratios = looks.map { $0.weightGradientByGroup.max()! / Swift.max($0.weightGradientByGroup.min()!, .leastNonzeroMagnitude) }
    lesson.say(en: """
        Each column of fc1.weight gets the gradient Σ dL/dz · x of its own input, so louder inputs get \
        larger updates: the largest group's gradient is \(ratios.map { fixed($0, 1) + "×" }.joined(separator: " / ")) \
        the \
        smallest's (\(versions.map(\.name.en).joined(separator: " / "))). With raw inputs the loud ones dominate the \
        first step, and the quiet ones barely move.
        """, zh: """
        fc1.weight 的每一列得到的梯度是 Σ dL/dz · x，只取决于它自己的输入，所以"声音大"的输入更新得更多：\
        最大一组的梯度是最小一组的 \(ratios.map { fixed($0, 1) + " 倍" }.joined(separator: " / "))\
        （\(versions.map(\.name.zh).joined(separator: " / "))）。原始输入下，大的输入主导了第一步，小的几乎不动。
        """)
    lesson.headline(en: "first step: saturated tanh " + looks.map { percent($0.saturatedTanh) }.joined(separator: " / ")
                    + ", sigmoid " + looks.map { percent($0.saturatedSigmoid) }.joined(separator: " / ")
                    + ", gradient norm " + looks.map { fixed($0.gradientNorm, 2) }.joined(separator: " / ")
                    + " (" + versions.map(\.name.en).joined(separator: " / ") + ")",
                    zh: "第一步：饱和的 tanh " + looks.map { percent($0.saturatedTanh) }.joined(separator: " / ")
                    + "，sigmoid " + looks.map { percent($0.saturatedSigmoid) }.joined(separator: " / ")
                    + "，梯度范数 " + looks.map { fixed($0.gradientNorm, 2) }.joined(separator: " / ")
                    + "（" + versions.map(\.name.zh).joined(separator: " / ") + "）")
}
