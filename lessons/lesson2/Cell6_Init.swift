import Engine
import Foundation
import LessonKit

// Cell 6: initialisation through depth. A plain MLP of `--layers` Linear(64 → 64) + activation
// layers (and a Linear(64 → 1) on top) shows what the seed's shallow model hides: each layer
// multiplies the signal's scale by roughly (weight std · √fan-in · the activation's gain), so
// through 20 layers a factor slightly off 1 vanishes or explodes.

/// How the deep MLP's layers are connected.
enum Wiring: CaseIterable {
    /// hₗ = act(Linearₗ(hₗ₋₁))
    case plain
    /// hₗ = hₗ₋₁ + act(Linearₗ(hₗ₋₁)): the identity path carries the gradient past every layer.
    case residual
    /// hₗ = hₗ₋₁ + act(Linearₗ(norm(hₗ₋₁))): a layer norm in front of each block keeps its input at
    /// unit scale however large the running sum grows (the "pre-norm" Transformer layout).
    case preNormResidual
}

/// What one forward and backward pass through the deep MLP measured.
struct DepthResult {
    /// Std of the activations after each layer (layer 1 … L).
    let activationStd: [Float]
    /// ‖dL/dW‖ of each layer's weight (layer 1 … L).
    let gradientNorms: [Float]
    /// The MSE loss of the pass.
    let loss: Float

    var firstLayerGradientNorm: Float { gradientNorms.first! }
    var lastLayerGradientNorm: Float { gradientNorms.last! }
}

/// One forward and backward pass of a deep MLP on 128 random inputs with random targets.
///
///     h₀ = x                                          [128, W]
///     hₗ = act(Linearₗ(hₗ₋₁))                   plain             l = 1 … L
///     hₗ = hₗ₋₁ + act(Linearₗ(hₗ₋₁))            residual
///     hₗ = hₗ₋₁ + act(Linearₗ(norm(hₗ₋₁)))      pre-norm residual (norm: layer norm, no γ, β)
///     loss = MSE(Linear(W → 1)(h_L), y)
///
/// - Parameters:
///   - layers: L.
///   - width: W.
///   - activation: the non-linearity after every hidden Linear.
///   - initScheme: how every hidden Linear's weight is drawn.
///   - wiring: plain, residual, or residual with a layer norm in front of each block.
///   - seed: the stream for data and weights (same seed: same data and same draws).
func deepMLP(layers: Int, width: Int = 64, activation: Activation, initScheme: InitScheme,
             wiring: Wiring = .plain, seed: UInt64) -> DepthResult {
    var generator = Generator(seed: seed)
    let x = Tensor.randn([128, width], generator: &generator)                     // [128, W]
    let y = Tensor.randn([128, 1], generator: &generator)                         // [128, 1]
    let hidden = (0..<layers).map { _ in Linear(width, width, generator: &generator) }
    for layer in hidden { initScheme.apply(to: layer, generator: &generator) }
    let head = Linear(width, 1, generator: &generator)

    var h = x
    var stds: [Float] = []
    for layer in hidden {
        switch wiring {                                                           // [128, W]
        case .plain: h = activation(layer(h))
        case .residual: h = h + activation(layer(h))
        case .preNormResidual: h = h + activation(layer(h.layerNorm(weight: nil, bias: nil)))
        }
        stds.append(standardDeviation(h))
    }
    let loss = Tensor.mseLoss(head(h), y)
    loss.backward()
    return DepthResult(activationStd: stds, gradientNorms: hidden.map { gradientNorm($0.weight) }, loss: loss.item)
}

/// The layers whose numbers the tables print: 1, L/4, L/2, L (without repeats).
func sampledLayers(_ layers: Int) -> [Int] {
    var picked: [Int] = []
    for l in [1, max(1, layers / 4), max(1, layers / 2), layers] where !picked.contains(l) { picked.append(l) }
    return picked
}

/// One initialisation scheme measured on every seed: the deep MLP's numbers per seed.
struct SchemeOverSeeds {
    let scheme: InitScheme
    /// One forward and backward pass per seed, in seed order.
    let runs: [DepthResult]

    /// Std after layer `l` (1-based), one value per seed.
    func std(after l: Int) -> SeedSample { SeedSample(runs.map { $0.activationStd[l - 1] }) }
    var lastStd: SeedSample { SeedSample(runs.map { $0.activationStd.last! }) }
    var firstGradient: SeedSample { SeedSample(runs.map(\.firstLayerGradientNorm)) }
    /// log₁₀ of the first layer's gradient norm per seed, the scale comparisons are made on.
    var log10FirstGradient: SeedSample { SeedSample(runs.map { log10Scale($0.firstLayerGradientNorm) }) }
}

/// Every initialisation scheme on every seed, for one activation and depth.
/// `progress(done, total)` is called after each scheme (the cell shows it on a terminal).
func initialisationStudy(layers: Int, activation: Activation, seeds: [UInt64],
                         progress: (Int, Int) -> Void = { _, _ in }) -> [SchemeOverSeeds] {
    InitScheme.allCases.enumerated().map { i, scheme in
        defer { progress(i + 1, InitScheme.allCases.count) }
        return SchemeOverSeeds(scheme: scheme, runs: seeds.map {
            deepMLP(layers: layers, activation: activation, initScheme: scheme, seed: $0)
        })
    }
}

/// The per-layer factor by which a ReLU-family stack with zero biases multiplies the activations'
/// std: weight-std · √fan-in · gain, gain = √((1 + a²)/2) for slope a on the negative side.
/// Nil where there is no such simple prediction (PyTorch's default draws biases; other activations
/// have no constant gain).
func predictedLayerFactor(_ scheme: InitScheme, _ activation: Activation, width: Int = 64) -> Double? {
    let slope: Double
    switch activation {
    case .relu: slope = 0
    case .leakyRelu: slope = 0.01
    default: return nil
    }
    let weightStd: Double
    switch scheme {
    case .pytorchDefault: return nil
    case .small: weightStd = 0.01
    case .kaiming: weightStd = (2 / Double(width)).squareRoot()
    case .large: weightStd = 1
    }
    return weightStd * Double(width).squareRoot() * ((1 + slope * slope) / 2).squareRoot()
}

/// The measured per-layer factor: (std after layer l / std after layer 1)^(1/(l-1)), as a geometric
/// mean over seeds, where l is the deepest layer (the same for every seed) whose std Float still
/// holds: between 1e-18 and 1e18, since the variance (std²) under- or overflows beyond. NaN when
/// fewer than two layers qualify.
func measuredLayerFactor(_ study: SchemeOverSeeds) -> (factor: Double, layers: Int) {
    func representable(_ x: Float) -> Bool { x.isFinite && x > 1e-18 && x < 1e18 }
    let depth = study.runs.map { r in r.activationStd.prefix { representable($0) }.count }.min() ?? 0
    guard depth >= 2 else { return (.nan, depth) }
    let logs = study.runs.map { r -> Double in
        (log10(Double(r.activationStd[depth - 1])) - log10(Double(r.activationStd[0]))) / Double(depth - 1)
    }
    let mean = logs.reduce(0, +) / Double(logs.count)
    return (mean.isFinite ? pow(10, mean) : .nan, depth)
}

// MARK: - Cell 6: initialisation and activation statistics through depth

func cell6Initialisation(_ lesson: Lesson, _ settings: Settings) {
    let depth = settings.layers, activation = settings.activation, seeds = settings.seeds
    lesson.cell(6)
    lesson.say(en: """
        The blog post's model starts from PyTorch's default initialisation, with only 3 layers, each wrapped in \
        a residual and a layer norm (cell 8 measures how well its gradients reach the input). A plain deep \
        stack has neither protection: each Linear(64 → 64) + \
        \(activation.displayName) multiplies the activations' scale by about \
        weight-std × √64 × the activation's gain. We stack \(depth) of them (--layers, --activation) \
        and draw the weights four ways (--init picks the one whose gradients are drawn per layer below):
          small    N(0, 0.01²)       pytorch  PyTorch's default U(±1/√64)
          kaiming  N(0, 2/64)        large    N(0, 1)
        """, zh: """
        原文模型使用 PyTorch 的默认初始化；它只有 3 层，每层都有残差和层归一化（第 8 格实测它的梯度能否传回输入）。\
        普通的深层堆叠没有这些保护：\
        每个 Linear(64 → 64) + \(activation.displayName) 大约把激活值的尺度乘以“权重标准差 × √64 × 激活函数的增益”。\
        我们堆 \(depth) 层（--layers、--activation），用四种方式抽取权重（--init 选择下面逐层画出梯度的那一种）：
          small    N(0, 0.01²)       pytorch  PyTorch 的默认 U(±1/√64)
          kaiming  N(0, 2/64)        large    N(0, 1)
        """)
    teachSeedNoise(lesson)
    let label = Localized(en: "cell 6: \(activation.displayName)", zh: "单元 6：\(activation.displayName)")
    let study = initialisationStudy(layers: depth, activation: activation, seeds: seeds) {
        lesson.progress(label, $0, of: $1)
    }
    func row(_ s: InitScheme) -> SchemeOverSeeds { study.first { $0.scheme == s }! }
    let middle = max(1, depth / 2)
    let table = Table([lesson.tr(en: "init", zh: "初始化"),
                       lesson.tr(en: "std layer 1", zh: "第 1 层标准差"),
                       lesson.tr(en: "std layer \(middle)", zh: "第 \(middle) 层标准差"),
                       lesson.tr(en: "std layer \(depth) (± spread)", zh: "第 \(depth) 层标准差（± 波动）"),
                       lesson.tr(en: "‖dL/dW₁‖ (± spread)", zh: "第 1 层 ‖dL/dW‖（± 波动）")],
                      rows: study.map { r in
                          [.text(r.scheme.rawValue), .text(sci(r.std(after: 1).mean)),
                           .text(sci(r.std(after: middle).mean)), .text(meanSpread(r.lastStd, lesson.language)),
                           .text(meanSpread(r.firstGradient, lesson.language))]
                      })
    lesson.say(en: "Means over \(seeds.count) seeds:", zh: "\(seeds.count) 个随机种子上的均值：")
    lesson.table(table)
    lesson.plot(LineChart(title: lesson.tr(en: "Std of the activations per layer, seed \(settings.seed) " +
                                               "(\(activation.displayName))",
                                           zh: "每层激活值的标准差，随机种子 "
                                               + "\(settings.seed)（\(activation.displayName)）"),
                          series: study.map { .init($0.scheme.rawValue, $0.runs[0].activationStd) },
                          xLabel: lesson.tr(en: "layer", zh: "层"), logScale: true))
    let chosen = row(settings.initScheme).runs[0]
    lesson.plot(BarChart(title: lesson.tr(en: "‖dL/dW‖ per layer, --init \(settings.initScheme.rawValue), " +
                                              "\(activation.displayName), seed \(settings.seed)",
                                          zh: "每层的 ‖dL/dW‖：--init \(settings.initScheme.rawValue)，" +
                                              "\(activation.displayName)，随机种子 \(settings.seed)"),
                         bars: chosen.gradientNorms.enumerated().map {
                             (lesson.tr(en: "layer \($0.offset + 1)", zh: "第 \($0.offset + 1) 层"), $0.element)
                         },
                         valueFormat: "%.2e"))
    concludeInitialisation(lesson, settings, study)
    let lastStd = study.map { "\($0.scheme.rawValue) \(meanSpread($0.lastStd, lesson.language))" }
    lesson.headline(en: "\(activation.displayName), \(depth) layers, std after the last layer " +
                        "(mean ± spread over \(seeds.count) seeds): " + lastStd.joined(separator: ", "),
                    zh: "\(activation.displayName)，\(depth) 层，最后一层后的标准差（\(seeds.count) "
                        + "个随机种子的均值 ± 波动）：" +
                        lastStd.joined(separator: "，"))
}

/// What cell 6's table shows, each sentence chosen by its numbers.
func concludeInitialisation(_ lesson: Lesson, _ settings: Settings, _ study: [SchemeOverSeeds]) {
    let depth = settings.layers, activation = settings.activation
    func row(_ s: InitScheme) -> SchemeOverSeeds { study.first { $0.scheme == s }! }
    let small = row(.small), large = row(.large), kaiming = row(.kaiming), pytorch = row(.pytorchDefault)
    let bounded = activation == .tanh || activation == .sigmoid
    let overflow = Localized(en: "at least one run overflowed Float (inf or NaN): an explosion past 3.4e+38.",
                             zh: "至少一次运行超出了 Float 的范围（inf 或 NaN）：爆炸超过了 3.4e+38。")

    lesson.conclude("lesson2.init.small.vanishes",
                    .threshold(value: largest(small.lastStd.values), relation: .below, limit: 1e-6), [
        "true": Localized(en: "Too small: after \(depth) layers the signal has faded below 1e-6 in every seed " +
                              "(0.00e+00 means Float underflowed), and the first layer's gradient with it " +
                              "(\(meanSpread(small.firstGradient, .en))).",
                          zh: "太小：\(depth) 层之后，每个随机种子的信号都衰减到 1e-6 以下（0.00e+00 表示 Float "
                              + "已经下溢），" +
                              "第一层的梯度也一样（\(meanSpread(small.firstGradient, .zh))）。"),
        "false": Localized(en: "Too small, yet at \(depth) layers the signal keeps std " +
                               "\(meanSpread(small.lastStd, .en)) in " +
                               "some seed: at this depth it has not vanished yet (raise --layers).",
                           zh: "太小，但在 \(depth) 层时仍有随机种子保留标准差 \(meanSpread(small.lastStd, .zh))：" +
                               "在这个深度还没有消失（加大 --layers）。"),
        "diverged": Localized(en: "Too small: " + overflow.en, zh: "太小：" + overflow.zh),
    ])
    let saturates = bounded
        ? Localized(en: " \(activation.displayName) is bounded, so its activations saturate instead.",
                    zh: "\(activation.displayName) 有界，所以激活值转而饱和。")
        : Localized(en: " At this depth it has not grown that far.", zh: "在这个深度，它还没有增长到那么大。")
    lesson.conclude("lesson2.init.large.explodes",
                    .threshold(value: smallest(large.lastStd.values), relation: .above, limit: 1e3), [
        "true": Localized(en: "Too large: the activations explode, std above 1e3 after \(depth) layers in every " +
                              "seed (\(meanSpread(large.lastStd, .en))), and the gradient with them.",
                          zh: "太大：\(depth) 层之后每个随机种子的激活值都爆炸到标准差 1e3 "
                              + "以上（\(meanSpread(large.lastStd, .zh))），" +
                              "梯度也随之爆炸。"),
        "false": Localized(en: "Too large, yet the activations end at std \(meanSpread(large.lastStd, .en)), " +
                               "not above 1e3 " +
                               "in every seed." + saturates.en,
                           zh: "太大，但激活值最后的标准差是 "
                               + "\(meanSpread(large.lastStd, .zh))，并非每个随机种子都超过 1e3。" +
                               saturates.zh),
        "diverged": Localized(en: "Too large: " + overflow.en, zh: "太大：" + overflow.zh),
    ])
    let kaimingFirst = meanSpread(kaiming.firstGradient, lesson.language)
    let pytorchFirst = meanSpread(pytorch.firstGradient, lesson.language)
    lesson.conclude("lesson2.init.kaimingVsPytorch", Comparison(kaiming.log10FirstGradient, pytorch.log10FirstGradient),
        lower: Localized(en: "With \(activation.displayName), Kaiming's first layer gets less gradient than " +
                             "PyTorch's default (\(kaimingFirst) against \(pytorchFirst)). What can cause it: its " +
                             "weights are √6 ≈ 2.4 times larger, which pushes a saturating activation further into " +
                             "its flat parts; Kaiming's 2/fan-in is derived for ReLU.",
                         zh: "使用 \(activation.displayName) 时，Kaiming 第一层得到的梯度比 PyTorch 默认的小" +
                             "（\(kaimingFirst) 对 \(pytorchFirst)）。可能的原因：它的权重大 √6 ≈ 2.4 倍，" +
                             "把会饱和的激活函数推得更深入平坦区；Kaiming 的 2/fan-in 是为 ReLU 推导的。"),
        higher: Localized(en: "Kaiming's first layer gets more gradient than PyTorch's default " +
                              "(\(kaimingFirst) against \(pytorchFirst)): its weights are √6 ≈ 2.4 times larger " +
                              "(std √(2/64) against 1/√(3·64)), and 2/fan-in is chosen so that ReLU keeps the scale " +
                              "steady. PyTorch's default suits a shallow model but shrinks a deep plain stack.",
                          zh: "Kaiming 第一层得到的梯度比 PyTorch 默认的大（\(kaimingFirst) 对 \(pytorchFirst)）：" +
                              "它的权重大 √6 ≈ 2.4 倍（标准差 √(2/64) 对 1/√(3·64)），而 2/fan-in 正是为让 ReLU " +
                              "保持尺度而选。PyTorch 的默认初始化适合浅层模型，但会让深层普通堆叠的信号缩小。"),
        noDifference: Localized(en: "Kaiming against PyTorch's default: no measurable difference in the first " +
                                    "layer's gradient at this depth and number of seeds (\(kaimingFirst) against " +
                                    "\(pytorchFirst)).",
                                zh: "Kaiming 对比 PyTorch 默认：在这个深度和随机种子数下，第一层梯度没有可测量的差异" +
                                    "（\(kaimingFirst) 对 \(pytorchFirst)）。"),
        diverged: Localized(en: "Kaiming against PyTorch's default: " + overflow.en,
                            zh: "Kaiming 对比 PyTorch 默认：" + overflow.zh))
    let drift = worstLog10Distance(kaiming.runs.map { $0.activationStd.last! / $0.activationStd[0] })
    lesson.conclude("lesson2.init.kaimingSteady", .threshold(value: drift, relation: .below, limit: 1), [
        "true": Localized(en: "Kaiming keeps \(activation.displayName)'s scale steady: in every seed the std after " +
                              "layer \(depth) is within a factor of 10 of the std after layer 1.",
                          zh: "Kaiming 让 \(activation.displayName) 的尺度保持稳定：每个随机种子里，第 \(depth) "
                              + "层后的" +
                              "标准差都在第 1 层后的 10 倍以内。"),
        "false": Localized(en: "Kaiming does not keep \(activation.displayName)'s scale steady here: the std after " +
                               "layer \(depth) is off by a factor up to \(sci(pow(10, drift))) from layer 1's. " +
                               "Its 2/fan-in is derived for ReLU; another activation has another gain.",
                           zh: "这里 Kaiming 没能让 \(activation.displayName) 的尺度保持稳定：第 \(depth) "
                               + "层后的标准差与" +
                               "第 1 层相差最多 \(sci(pow(10, drift))) 倍。它的 2/fan-in 是为 ReLU 推导的；" +
                               "别的激活函数增益不同。"),
        "diverged": Localized(en: "Kaiming: " + overflow.en, zh: "Kaiming：" + overflow.zh),
    ])
    for scheme in [InitScheme.small, .kaiming, .large] {
        guard let predicted = predictedLayerFactor(scheme, activation) else { continue }
        let (measured, layers) = measuredLayerFactor(row(scheme))
        let factor = max(measured / predicted, predicted / measured)
        let numbers = "predicted ×\(fixed(predicted, 3)), measured ×\(fixed(measured, 3)) over layers 1–\(layers)"
        let zhNumbers = "预测 ×\(fixed(predicted, 3))，第 1–\(layers) 层实测 ×\(fixed(measured, 3))"
        lesson.conclude("lesson2.init.layerFactor.\(scheme.rawValue)",
                        .threshold(value: factor, relation: .below, limit: 1.1), [
            "true": Localized(en: "\(scheme.rawValue), per layer: \(numbers) " +
                                  "(weight-std × √64 × √((1 + a²)/2), a the " +
                                  "negative slope): they agree within 10 %.",
                              zh: "\(scheme.rawValue)，每层：\(zhNumbers)" +
                                  "（权重标准差 × √64 × √((1 + a²)/2)，a 为负半轴斜率）：两者相差不到 10 %。"),
            "false": Localized(en: "\(scheme.rawValue), per layer: \(numbers): " +
                                   "they differ by more than 10 % (a factor " +
                                   "\(fixed(factor, 2))); a width of 64 leaves the per-layer scale noisy.",
                               zh: "\(scheme.rawValue)，每层：\(zhNumbers)：两者相差超过 10 %（\(fixed(factor, 2)) "
                                   + "倍）；" +
                                   "宽度只有 64，每层的尺度仍有随机波动。"),
            "diverged": Localized(en: "\(scheme.rawValue), per layer: predicted ×\(fixed(predicted, 3)); the std " +
                                      "under- or overflowed Float before layer 2, so there is no measured factor.",
                                  zh: "\(scheme.rawValue)，每层：预测 ×\(fixed(predicted, 3))；第 2 "
                                      + "层之前标准差就下溢或溢出了 Float，" +
                                      "无法得到实测倍数。"),
        ])
    }
    concludeSigmoidRescue(lesson, settings, study)
}

/// Exercise 3 as a claim: does any initialisation give a plain sigmoid stack at least 1 % of the
/// first-layer gradient that Kaiming gives ReLU?
func concludeSigmoidRescue(_ lesson: Lesson, _ settings: Settings, _ study: [SchemeOverSeeds]) {
    let depth = settings.layers
    let label = Localized(en: "cell 6: Sigmoid and ReLU", zh: "单元 6：Sigmoid 与 ReLU")
    let sigmoid = settings.activation == .sigmoid ? study : initialisationStudy(
        layers: depth, activation: .sigmoid, seeds: settings.seeds) { lesson.progress(label, $0, of: 2 * $1) }
    let relu = settings.activation == .relu ? study : initialisationStudy(
        layers: depth, activation: .relu, seeds: settings.seeds) { lesson.progress(label, $1 + $0, of: 2 * $1) }
    lesson.endProgress()
    let best = sigmoid.max { $0.firstGradient.mean < $1.firstGradient.mean }!
    let kaimingRelu = relu.first { $0.scheme == .kaiming }!.firstGradient
    let share = best.firstGradient.mean / kaimingRelu.mean
    let numbers = "--init \(best.scheme.rawValue): \(meanSpread(best.firstGradient, .en)); Kaiming + ReLU: " +
        "\(meanSpread(kaimingRelu, .en))"
    let zhNumbers = "--init \(best.scheme.rawValue)：\(meanSpread(best.firstGradient, .zh))；Kaiming + ReLU：" +
        "\(meanSpread(kaimingRelu, .zh))"
    let why = best.scheme == .large
        ? Localized(en: ": on the way back, weights of std 1 multiply the gradient by about √64 = 8 per layer, " +
                        "which partly makes up for sigmoid's derivative of at most 0.25 (cell 7). One seed alone " +
                        "may say otherwise: the spread is wide.",
                    zh: "：反向传播时，标准差为 1 的权重每层大约把梯度乘以 √64 = 8，部分弥补了 sigmoid 最大只有 "
                        + "0.25 的导数" +
                        "（见单元 7）。单看一个随机种子可能得出相反的结论：波动很大。")
        : Localized(en: ": at this depth the weights make up for sigmoid's small derivative.",
                    zh: "：在这个深度，权重弥补了 sigmoid 很小的导数。")
    lesson.conclude("lesson2.init.sigmoidRescued", .threshold(value: share, relation: .below, limit: 0.01), [
        "true": Localized(en: "No initialisation rescues a \(depth)-layer sigmoid stack: its best first-layer " +
                              "gradient is under 1 % of what Kaiming gives ReLU (\(numbers)). Sigmoid's derivative " +
                              "is at most 0.25 (cell 7).",
                          zh: "没有哪种初始化能救活 \(depth) 层的 sigmoid 网络：它最好的第一层梯度不到 Kaiming + "
                              + "ReLU 的 1 %" +
                              "（\(zhNumbers)）。sigmoid 的导数最大只有 0.25（见单元 7）。"),
        "false": Localized(en: "At \(depth) layers, averaged over \(settings.seeds.count) seeds, " +
                               "an initialisation gives " +
                               "the sigmoid stack at least 1 % of what Kaiming gives ReLU (\(numbers))" + why.en,
                           zh: "在 \(depth) 层时，按 \(settings.seeds.count) 个随机种子平均，有一种初始化让 sigmoid "
                               + "网络得到" +
                               "至少 Kaiming + ReLU 的 1 %（\(zhNumbers)）" + why.zh),
        "diverged": Localized(en: "Sigmoid against ReLU: a run overflowed Float (\(numbers)).",
                              zh: "sigmoid 对比 ReLU：有运行超出了 Float 的范围（\(zhNumbers)）。"),
    ])
}
