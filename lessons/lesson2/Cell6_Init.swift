import Engine
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

// MARK: - Cell 6: initialisation and activation statistics through depth

func cell6Initialisation(_ lesson: Lesson, _ settings: Settings) {
    let depth = settings.layers, activation = settings.activation
    lesson.step(en: "Initialisation: signals through \(depth) layers", zh: "初始化：信号穿过 \(depth) 层")
    lesson.say(en: """
        The seed's model starts from PyTorch's default initialisation, and with 3 layers wrapped in \
        residuals and layer norms it is safe. A plain stack is not: each Linear(64 → 64) + \
        \(activation.displayName) multiplies the activations' scale by about \
        weight-std × √64 × the activation's gain. We stack \(depth) of them (--layers, --activation) \
        and draw the weights four ways (--init picks the one whose gradients are drawn per layer below):
          small    N(0, 0.01²)       default  PyTorch's U(±1/√64)
          kaiming  N(0, 2/64)        large    N(0, 1)
        """, zh: """
        种子模型使用 PyTorch 的默认初始化；它只有 3 层，又有残差和层归一化保护，所以很安全。普通的深层堆叠就不同了：\
        每个 Linear(64 → 64) + \(activation.displayName) 大约把激活值的尺度乘以"权重标准差 × √64 × 激活函数的增益"。\
        我们堆 \(depth) 层（--layers、--activation），用四种方式抽取权重（--init 选择下面逐层画出梯度的那一种）：
          small    N(0, 0.01²)       default  PyTorch 的 U(±1/√64)
          kaiming  N(0, 2/64)        large    N(0, 1)
        """)
    let shown = sampledLayers(depth)
    var header = [lesson.tr(en: "init", zh: "初始化")]
    header += shown.map { lesson.tr(en: "std after layer \($0)", zh: "第 \($0) 层后标准差") }
    header.append(lesson.tr(en: "‖dL/dW‖ layer 1", zh: "第 1 层 ‖dL/dW‖"))
    var table = Table(header)
    var series: [LineChart.Series] = []
    var lastStd: [String] = []
    var chosen: DepthResult?
    for scheme in InitScheme.allCases {
        let result = deepMLP(layers: depth, activation: activation, initScheme: scheme, seed: settings.seed)
        var row: [TableCell] = [.text(scheme.rawValue)]
        row += shown.map { .text(sci(result.activationStd[$0 - 1])) }
        row.append(.text(sci(result.firstLayerGradientNorm)))
        table.append(row)
        series.append(.init(scheme.rawValue, result.activationStd))
        lastStd.append("\(scheme.rawValue) \(sci(result.activationStd.last!))")
        if scheme == settings.initScheme { chosen = result }
    }
    lesson.table(table)
    lesson.plot(LineChart(title: lesson.tr(en: "Std of the activations per layer (\(activation.displayName), log " +
                                               "scale)",
                                           zh: "每层激活值的标准差（\(activation.displayName)，对数坐标）"),
                          series: series, xLabel: lesson.tr(en: "layer", zh: "层"), logScale: true))
    lesson.plot(BarChart(title: lesson.tr(en: "‖dL/dW‖ per layer, --init \(settings.initScheme.rawValue), " +
                                              "\(activation.displayName)",
                                          zh: "每层的 ‖dL/dW‖：--init " +
                                              "\(settings.initScheme.rawValue)，\(activation.displayName)"),
                         bars: chosen!.gradientNorms.enumerated().map { (lesson.tr(en: "layer \($0.offset + 1)",
                                                                                   zh: "第 \($0.offset + 1) 层"), $0.element) },
                         valueFormat: "%.2e"))
    lesson.say(en: """
        Read the rows. Too small: the signal and the first layer's gradient fade to nothing \
        (0.00e+00 means Float underflowed). Too large: ReLU-like activations explode and so does the \
        gradient; tanh and sigmoid are bounded, so their activations saturate instead. PyTorch's \
        default suits a shallow model but still shrinks a deep plain stack; Kaiming's 2/fan-in is \
        chosen so that ReLU keeps the scale steady, and its gradient reaches the first layer. Try \
        --activation sigmoid: no row rescues it, because its derivative is at most 0.25 (cell 7).
        """, zh: """
        逐行看。太小：信号和第一层的梯度都衰减到几乎为零（0.00e+00 表示 Float 已经下溢）。太大：ReLU 一类的激活值爆炸，\
        梯度也随之爆炸；tanh 和 sigmoid 有界，激活值转而饱和。PyTorch \
        的默认初始化适合浅层模型，但仍会让深层普通堆叠的信号缩小；\
        Kaiming 的 2/fan-in 正是为让 ReLU 保持尺度而选，梯度也能到达第一层。试试 --activation sigmoid：\
        哪一行都救不了它，因为它的导数最大只有 0.25（见第 7 步）。
        """)
    lesson.headline(en: "\(activation.displayName), \(depth) layers, std after the last layer: " + lastStd.joined(separator: ", "),
                    zh: "\(activation.displayName)，\(depth) 层，最后一层后的标准差：" + lastStd.joined(separator: "，"))
}
