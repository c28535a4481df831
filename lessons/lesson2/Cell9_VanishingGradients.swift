import Engine
import Foundation
import LessonKit

// Cell 9: the classic problem the seed names, exploding / vanishing gradients, made to happen in a
// deep MLP and fixed by changing the architecture.

/// One row of the vanishing-gradient table: the deep MLP with one activation, wired three ways.
struct WiringComparison {
    let activation: Activation
    let plain: DepthResult
    let residual: DepthResult
    let preNorm: DepthResult
}

/// The deep MLP (PyTorch's default initialisation) for every activation, plain, residual, and
/// pre-norm residual: one forward and backward pass each.
func vanishingGradientTable(layers: Int, seed: UInt64) -> [WiringComparison] {
    comparedActivations.map { kind in
        func run(_ wiring: Wiring) -> DepthResult {
            deepMLP(layers: layers, activation: kind, initScheme: .pytorchDefault, wiring: wiring, seed: seed)
        }
        return WiringComparison(activation: kind, plain: run(.plain), residual: run(.residual),
                                preNorm: run(.preNormResidual))
    }
}

/// One wiring of the deep MLP measured on every seed.
struct WiringOverSeeds {
    let runs: [DepthResult]
    var firstGradient: SeedSample { SeedSample(runs.map(\.firstLayerGradientNorm)) }
    var lastGradient: SeedSample { SeedSample(runs.map(\.lastLayerGradientNorm)) }
    /// ‖dW₁‖ / ‖dW_L‖ per seed: 1 is perfectly even.
    var ratios: [Float] { runs.map { $0.firstLayerGradientNorm / $0.lastLayerGradientNorm } }
    var ratio: SeedSample { SeedSample(ratios) }
    var log10FirstGradient: SeedSample { SeedSample(runs.map { log10Scale($0.firstLayerGradientNorm) }) }
    /// How far the first layer's gradient strays from the last layer's, as a power of ten, worst seed.
    var unevenness: Double { worstLog10Distance(ratios) }
}

/// The deep MLP with one activation and initialisation, wired three ways, on every seed.
struct WiringStudy {
    let activation: Activation
    let initScheme: InitScheme
    let plain: WiringOverSeeds
    let residual: WiringOverSeeds
    let preNorm: WiringOverSeeds

    init(layers: Int, activation: Activation, initScheme: InitScheme, seeds: [UInt64]) {
        func run(_ wiring: Wiring) -> WiringOverSeeds {
            WiringOverSeeds(runs: seeds.map {
                deepMLP(layers: layers, activation: activation, initScheme: initScheme, wiring: wiring, seed: $0)
            })
        }
        self.activation = activation
        self.initScheme = initScheme
        plain = run(.plain)
        residual = run(.residual)
        preNorm = run(.preNormResidual)
    }
}

// MARK: - Cell 9: exploding and vanishing gradients, an architecture problem

/// A gradient counts as reaching the first layer evenly when ‖dW₁‖ is within a factor of 100 of
/// ‖dW_L‖ (two powers of ten) in every seed.
let evenWithin = 2.0

func cell9VanishingGradients(_ lesson: Lesson, _ settings: Settings) {
    let depth = settings.layers, seeds = settings.seeds
    lesson.cell(9)
    lesson.say(en: """
        The seed: "too many layers, a poor activation function" make the model faint (vanishing) or \
        go mad (exploding); fixes include another activation and residual connections. The symptom \
        in numbers: the same \(depth)-layer MLP with PyTorch's default initialisation, one backward \
        pass, the gradient norm reaching the first layer, ‖dW₁‖, and its ratio to the last layer's \
        (1 would be perfectly even), on \(seeds.count) seeds. Three wirings: plain, residual \
        h + f(h), and residual with a layer norm in front of each block (pre-norm).
        """, zh: """
        原文说：“层数太多、激活函数不合适”会让模型“晕倒”（梯度消失）或“发疯”（梯度爆炸）；\
        办法包括换激活函数和加残差连接。用数字看症状：同一个 \(depth) 层 MLP，PyTorch 默认初始化，一次反向传播，\
        到达第一层的梯度范数 ‖dW₁‖，以及它与最后一层之比（1 表示完全均匀），跑 \(seeds.count) 个随机种子。\
        三种连接方式：普通、残差 h + f(h)、以及每个模块前加层归一化的残差（pre-norm）。
        """)
    let label = Localized(en: "cell 9: activations", zh: "单元 9：激活函数")
    let studies = comparedActivations.enumerated().map { i, activation in
        defer { lesson.progress(label, i + 1, of: comparedActivations.count) }   // many --seeds or --layers
        return WiringStudy(layers: depth, activation: activation, initScheme: .pytorchDefault, seeds: seeds)
    }
    lesson.endProgress()
    let header = [lesson.tr(en: "activation", zh: "激活函数"), lesson.tr(en: "plain", zh: "普通"),
                  lesson.tr(en: "residual", zh: "残差"), "pre-norm"]
    lesson.say(en: "‖dW₁‖, mean ± spread over \(seeds.count) seeds:",
               zh: "‖dW₁‖，\(seeds.count) 个随机种子的均值 ± 波动：")
    lesson.table(Table(header, rows: studies.map {
        [.text($0.activation.displayName), .text(meanSpread($0.plain.firstGradient, lesson.language)),
         .text(meanSpread($0.residual.firstGradient, lesson.language)),
         .text(meanSpread($0.preNorm.firstGradient, lesson.language))]
    }))
    lesson.say(en: "‖dW₁‖ / ‖dW_L‖, mean ± spread:", zh: "‖dW₁‖ / ‖dW_L‖，均值 ± 波动：")
    lesson.table(Table(header, rows: studies.map {
        [.text($0.activation.displayName), .text(meanSpread($0.plain.ratio, lesson.language)),
         .text(meanSpread($0.residual.ratio, lesson.language)), .text(meanSpread($0.preNorm.ratio, lesson.language))]
    }))
    let sigmoid = studies.first { $0.activation == .sigmoid }!
    let leaky = studies.first { $0.activation == .leakyRelu }!
    // Values that are not finite go to the chart as they are: it notes them rather than drawing 0.
    let curve = { (w: WiringOverSeeds) in w.runs[0].gradientNorms }
    lesson.plot(LineChart(title: lesson.tr(en: "‖dL/dW‖ per layer, \(depth) layers, seed \(settings.seed)",
                                           zh: "每层的 ‖dL/dW‖，\(depth) 层，随机种子 \(settings.seed)"),
                          series: [.init("Sigmoid", curve(sigmoid.plain)),
                                   .init("LeakyReLU", curve(leaky.plain)),
                                   .init("LeakyReLU + residual", curve(leaky.residual)),
                                   .init("LeakyReLU + pre-norm", curve(leaky.preNorm))],
                          xLabel: lesson.tr(en: "layer", zh: "层"), logScale: true))
    concludeSymptom(lesson, settings, sigmoid: sigmoid, leaky: leaky)
    concludeFix(lesson, settings, studies: studies, leaky: leaky)
    // Mean ± spread; the residual's verdict against the plain LeakyReLU stack comes from its claim.
    let first = (sigmoid: meanSpread(sigmoid.plain.firstGradient, lesson.language),
                 leaky: meanSpread(leaky.plain.firstGradient, lesson.language),
                 residual: lesson.meanSpread(leaky.residual.firstGradient, verdictOf: "lesson2.fix.residualVsPlain",
                                             against: "LeakyReLU"),
                 preNorm: meanSpread(leaky.preNorm.firstGradient, lesson.language))
    lesson.headline(en: "\(depth) layers, first-layer gradient norm (mean ± spread over \(seeds.count) seeds): "
                        + "Sigmoid \(first.sigmoid) → LeakyReLU \(first.leaky) → + residual \(first.residual) → "
                        + "+ pre-norm \(first.preNorm)",
                    zh: "\(depth) 层，第一层梯度范数（\(seeds.count) 个随机种子的均值 ± 波动）："
                        + "Sigmoid \(first.sigmoid) → LeakyReLU \(first.leaky) → + 残差 \(first.residual) → "
                        + "+ pre-norm \(first.preNorm)")
}

/// The symptom: does sigmoid's gradient vanish, and is another activation alone enough?
func concludeSymptom(_ lesson: Lesson, _ settings: Settings, sigmoid: WiringStudy, leaky: WiringStudy) {
    let depth = settings.layers
    let sigmoidFirst = meanSpread(sigmoid.plain.firstGradient, lesson.language)
    let sigmoidRatio = meanSpread(sigmoid.plain.ratio, lesson.language)
    let overflow = Localized(en: "a run overflowed Float (inf or NaN).", zh: "有运行超出了 Float 的范围（inf 或 "
        + "NaN）。")
    lesson.conclude("lesson2.vanish.sigmoid",
                    .threshold(value: largest(sigmoid.plain.firstGradient.values), relation: .below, limit: 1e-6), [
        "true": Localized(en: "Symptom: with sigmoid the first layer's gradient is below 1e-6 in every seed " +
                              "(\(sigmoidFirst), \(sigmoidRatio) times the last layer's): the early layers would not " +
                              "learn at all.",
                          zh: "症状：使用 sigmoid 时，每个随机种子的第一层梯度都低于 1e-6（\(sigmoidFirst)，" +
                              "是最后一层的 \(sigmoidRatio) 倍）：前面的层根本学不动。"),
        "false": Localized(en: "At \(depth) layers sigmoid's first layer still gets \(sigmoidFirst) in some seed " +
                               "(\(sigmoidRatio) times the last layer's); raise --layers to watch it vanish.",
                           zh: "在 \(depth) 层时，sigmoid 的第一层梯度仍有 \(sigmoidFirst)（最后一层的 "
                               + "\(sigmoidRatio) " +
                               "倍）；加大 --layers 看它消失。"),
        "diverged": Localized(en: "Sigmoid: " + overflow.en, zh: "sigmoid：" + overflow.zh),
    ])
    let leakyFirst = meanSpread(leaky.plain.firstGradient, lesson.language)
    lesson.conclude("lesson2.vanish.leakyAlone",
                    .threshold(value: largest(leaky.plain.firstGradient.values), relation: .below, limit: 1e-4), [
        "true": Localized(en: "Another activation alone is not enough here: LeakyReLU's first layer still gets " +
                              "below 1e-4 in every seed (\(leakyFirst)).",
                          zh: "只换激活函数在这里还不够：每个随机种子里 LeakyReLU 的第一层梯度仍低于 "
                              + "1e-4（\(leakyFirst)）。"),
        "false": Localized(en: "LeakyReLU's first layer gets \(leakyFirst), at least 1e-4 in some seed: at this " +
                               "depth another activation goes a long way.",
                           zh: "LeakyReLU 的第一层得到 \(leakyFirst)，至少有一个随机种子不低于 "
                               + "1e-4：在这个深度，换激活函数很有帮助。"),
        "diverged": Localized(en: "LeakyReLU: " + overflow.en, zh: "LeakyReLU：" + overflow.zh),
    ])
    let kaiming = WiringOverSeeds(runs: settings.seeds.map {
        deepMLP(layers: depth, activation: .leakyRelu, initScheme: .kaiming, seed: $0)
    })
    let numbers = "\(meanSpread(kaiming.firstGradient, .en)) against \(leakyFirst)"
    let zhNumbers = "\(meanSpread(kaiming.firstGradient, .zh)) 对 \(leakyFirst)"
    lesson.conclude("lesson2.vanish.leakyKaimingVsPytorch", Comparison(kaiming.log10FirstGradient,
                                                                       leaky.plain.log10FirstGradient),
        lower: Localized(en: "Kaiming's initialisation gives LeakyReLU's first layer less gradient than PyTorch's " +
                             "default (\(numbers)).",
                         zh: "Kaiming 初始化让 LeakyReLU 第一层得到的梯度比 PyTorch 默认的少（\(zhNumbers)）。"),
        higher: Localized(en: "With Kaiming's initialisation LeakyReLU's first layer gets more (\(numbers)): " +
                              "PyTorch's default weights shrink the signal too (cell 6), so activation and " +
                              "initialisation go together.",
                          zh: "改用 Kaiming 初始化后，LeakyReLU 的第一层得到更多（\(zhNumbers)）：" +
                              "PyTorch 的默认权重也在缩小信号（见单元 6），激活函数与初始化要搭配。"),
        noDifference: Localized(en: "Kaiming against PyTorch's default for LeakyReLU: no measurable difference at " +
                                    "this depth and number of seeds (\(numbers)).",
                                zh: "LeakyReLU 的 Kaiming 对比 PyTorch "
                                    + "默认：在这个深度和随机种子数下没有可测量的差异（\(zhNumbers)）。"),
        diverged: Localized(en: "Kaiming + LeakyReLU: " + overflow.en, zh: "Kaiming + LeakyReLU：" + overflow.zh))
}

/// The fix, measured: residuals against plain, the bare sum's growth, pre-norm's evenness, and
/// whether either holds under every initialisation.
func concludeFix(_ lesson: Lesson, _ settings: Settings, studies: [WiringStudy], leaky: WiringStudy) {
    let overflow = Localized(en: "a run overflowed Float (inf or NaN).", zh: "有运行超出了 Float 的范围（inf 或 "
        + "NaN）。")
    let numbers = "\(meanSpread(leaky.residual.firstGradient, .en)) against "
        + "\(meanSpread(leaky.plain.firstGradient, .en))"
    let zhNumbers = "\(meanSpread(leaky.residual.firstGradient, .zh)) 对 \(meanSpread(leaky.plain.firstGradient, .zh))"
    lesson.conclude("lesson2.fix.residualVsPlain", Comparison(leaky.residual.log10FirstGradient,
                                                              leaky.plain.log10FirstGradient),
        lower: Localized(en: "Here the residual connection gives the first layer less gradient than the plain stack " +
                             "(LeakyReLU, \(numbers)).",
                         zh: "这里残差连接让第一层得到的梯度比普通堆叠还少（LeakyReLU，\(zhNumbers)）。"),
        higher: Localized(en: "A residual connection gives the gradient an identity path around every layer: " +
                              "LeakyReLU's first layer now gets more (\(numbers)).",
                          zh: "残差连接为梯度在每层旁边留了一条恒等通路：LeakyReLU "
                              + "的第一层现在得到更多（\(zhNumbers)）。"),
        noDifference: Localized(en: "Residual against plain (LeakyReLU): no measurable difference in the first " +
                                    "layer's gradient at this depth and number of seeds (\(numbers)).",
                                zh: "残差对比普通（LeakyReLU）：在这个深度和随机种子数下，第一层梯度没有可测量的差异"
                                    + "（\(zhNumbers)）。"),
        diverged: Localized(en: "Residual against plain: " + overflow.en, zh: "残差对比普通：" + overflow.zh))
    let growth = smallest(leaky.residual.runs.map {
        Double($0.lastLayerGradientNorm / $0.firstLayerGradientNorm)
    })
    lesson.conclude("lesson2.fix.residualSumGrows", .threshold(value: growth, relation: .above, limit: 10), [
        "true": Localized(en: "But a bare sum grows through depth and the gradients with it: the last layer gets " +
                              "more than 10 times the first's in every seed " +
                              "(\(meanSpread(leaky.residual.lastGradient, .en))).",
                          zh: "但单纯的相加会随深度不断变大，梯度也跟着变大：每个随机种子里最后一层的梯度都超过第一"
                              + "层的 10 倍" +
                              "（\(meanSpread(leaky.residual.lastGradient, .zh))）。"),
        "false": Localized(en: "The bare residual sum keeps the last layer's gradient within 10 times the first's " +
                               "in some seed (last layer \(meanSpread(leaky.residual.lastGradient, .en))).",
                           zh: "单纯的残差相加在某些随机种子里让最后一层的梯度保持在第一层的 10 倍以内" +
                               "（最后一层 \(meanSpread(leaky.residual.lastGradient, .zh))）。"),
        "diverged": Localized(en: "Residual: " + overflow.en, zh: "残差：" + overflow.zh),
    ])
    let worstPreNorm = studies.map(\.preNorm.unevenness).max()!
    let factorTwo = log10(2.0)
    lesson.conclude("lesson2.fix.preNormEven", .threshold(value: worstPreNorm, relation: .below, limit: factorTwo), [
        "true": Localized(en: "A layer norm in front of each block keeps every block's input at unit scale: for " +
                              "all five activations, in every seed, ‖dW₁‖ is within a factor of 2 of ‖dW_L‖. " +
                              "That is the Transformer's recipe: every block of the blog post's model sits "
                              + "in a residual " +
                              "with a layer norm.",
                          zh: "在每个模块前加层归一化，让每个模块的输入保持单位尺度：五种激活函数、每个随机种子，" +
                              "‖dW₁‖ 都在 ‖dW_L‖ 的 2 倍以内。这正是 Transformer "
                                  + "的做法：原文模型的每个模块都包在残差里，并配有层归一化。"),
        "false": Localized(en: "With a layer norm in front of each block the gradient is not within a factor of 2 " +
                               "from first to last layer for every activation and seed (worst: a factor " +
                               "\(fixed(pow(10, worstPreNorm), 1))).",
                           zh: "在每个模块前加层归一化后，并非每种激活函数、每个随机种子的首末层梯度都在 2 倍以内" +
                               "（最差 \(fixed(pow(10, worstPreNorm), 1)) 倍）。"),
        "diverged": Localized(en: "Pre-norm: " + overflow.en, zh: "pre-norm：" + overflow.zh),
    ])
    concludeAcrossInitialisations(lesson, settings)
}

/// "Do residual connections cure it whatever the initialisation?" Measured: LeakyReLU, every
/// scheme, residual and pre-norm, even when ‖dW₁‖ is within a factor of 100 of ‖dW_L‖ in every seed.
func concludeAcrossInitialisations(_ lesson: Lesson, _ settings: Settings) {
    let depth = settings.layers, seeds = settings.seeds
    let label = Localized(en: "cell 9: initialisations", zh: "单元 9：初始化")
    let studies = InitScheme.allCases.enumerated().map { i, scheme in
        defer { lesson.progress(label, i + 1, of: InitScheme.allCases.count) }
        return WiringStudy(layers: depth, activation: .leakyRelu, initScheme: scheme, seeds: seeds)
    }
    lesson.endProgress()
    lesson.say(en: """
        Do residual connections cure it whatever the initialisation? LeakyReLU, \(depth) layers, each \
        --init scheme, ‖dW₁‖ / ‖dW_L‖ (mean ± spread over \(seeds.count) seeds); "even" means within a \
        factor of 100 in every seed:
        """, zh: """
        残差连接是不是不管怎么初始化都能治好它？LeakyReLU，\(depth) 层，每种 --init，‖dW₁‖ / ‖dW_L‖\
        （\(seeds.count) 个随机种子的均值 ± 波动）；“均匀”指每个随机种子都在 100 倍以内：
        """)
    let yes = lesson.tr(en: "even", zh: "均匀"), no = lesson.tr(en: "uneven", zh: "不均匀")
    func verdict(_ w: WiringOverSeeds) -> String {
        w.unevenness < evenWithin ? yes : (w.unevenness.isFinite ? no : lesson.tr(en: "overflow", zh: "溢出"))
    }
    lesson.table(Table([lesson.tr(en: "init", zh: "初始化"), lesson.tr(en: "residual", zh: "残差"), "",
                        "pre-norm", ""], rows: studies.map {
        [.text($0.initScheme.rawValue), .text(meanSpread($0.residual.ratio, lesson.language)),
         .text(verdict($0.residual)),
         .text(meanSpread($0.preNorm.ratio, lesson.language)), .text(verdict($0.preNorm))]
    }))
    for (name, zhName, wiring) in [("Residual connections", "残差连接", \WiringStudy.residual),
                                   ("Pre-norm residuals", "pre-norm 残差", \WiringStudy.preNorm)] {
        let even = studies.filter { $0[keyPath: wiring].unevenness < evenWithin }.map(\.initScheme.rawValue)
        // Not even: uneven (a finite ratio beyond the factor) or overflowed (not finite), as in the table.
        let notEven = studies.filter { !($0[keyPath: wiring].unevenness < evenWithin) }
        let uneven = notEven.filter { $0[keyPath: wiring].unevenness.isFinite }.map(\.initScheme.rawValue)
        let overflow = notEven.filter { !$0[keyPath: wiring].unevenness.isFinite }.map(\.initScheme.rawValue)
        /// "small", "small and pytorch", "small, pytorch and kaiming".
        func listEn(_ names: [String]) -> String {
            names.count < 2 ? names.joined() : names.dropLast().joined(separator: ", ") + " and " + names.last!
        }
        let evenEn = even.isEmpty ? "even under none of the \(studies.count) initialisations"
            : "even under \(even.count) of \(studies.count) initialisations (\(listEn(even)))"
        let evenZh = even.isEmpty ? "\(studies.count) 种初始化下梯度分布都不均匀"
            : "\(studies.count) 种初始化中只有 \(even.count) 种让梯度分布均匀（\(even.joined(separator: "、"))）"
        let restEn = (uneven.isEmpty ? [] : ["uneven under " + listEn(uneven)])
            + (overflow.isEmpty ? [] : ["not finite (overflow) under " + listEn(overflow)])
        let restZh = (uneven.isEmpty ? [] : [uneven.joined(separator: "、") + " 下不均匀"])
            + (overflow.isEmpty ? [] : [overflow.joined(separator: "、") + " 下溢出"])
        let profileEn = ([evenEn] + restEn).joined(separator: "; ")
        let id = wiring == \WiringStudy.residual ? "residual" : "preNorm"
        lesson.conclude("lesson2.fix.\(id).allInitialisations",
                        .threshold(value: Double(even.count), relation: .atLeast, limit: Double(studies.count)), [
            "true": Localized(en: "\(name) keep the gradient even under all \(studies.count) initialisations at this " +
                                  "depth.",
                              zh: "在这个深度，\(zhName)在全部 \(studies.count) 种初始化下都让梯度保持均匀。"),
            "false": Localized(en: "\(name) do not cure it whatever the initialisation: the gradient profile is " +
                                   profileEn + ". The identity path carries the " +
                                   "gradient past each block, but each block still adds its own scale to the " +
                                   "running sum, and under those initialisations that compounds through depth.",
                               zh: "\(zhName)并不是不管怎么初始化都管用：" + ([evenZh] + restZh).joined(separator: "，")
                                   + "。恒等通路让梯度绕过每个模块，" +
                                   "但每个模块仍把自己的尺度加到累加和上，在这些初始化下会随深度层层累积。"),
            "diverged": Localized(en: "\(name): a count that is not finite.", zh: "\(zhName)：计数不是有限数。"),
        ])
    }
}
