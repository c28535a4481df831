import Engine
import Foundation
import LessonKit

// Cell 7: vanishing and exploding gradients through depth.

/// How each layer of the deep stack is wired.
enum Wiring: String, CaseIterable {
    /// h = act(h·Wᵀ + b)
    case plain
    /// h = h + act(h·Wᵀ + b): the identity path carries the gradient past every layer.
    case residual
    /// h = h + act(LayerNorm(h)·Wᵀ + b): pre-norm, as in modern Transformers; the branch always
    /// sees unit-scale inputs, so the residual stream cannot blow up.
    case residualNorm = "residual + norm"
}

/// A deep stack of equal-width layers and a linear head:
///
///     h = x;  h = layer(h) `depth` times (see `Wiring`)     h: [B, W] -> [B, W]
///     y = h·W_headᵀ + b_head                               [B, W] -> [B, 1]
final class DeepNet: Module {
    var training = true
    let layers: [Linear]
    let head: Linear
    let activation: Activation
    let wiring: Wiring

    var ownParameters: [NamedTensor] { [] }
    var ownBuffers: [NamedTensor] { [] }
    var children: [(name: String, module: Module)] {
        layers.enumerated().map { ("layers.\($0.offset)", $0.element as Module) } + [("head", head)]
    }

    /// - Parameter initScale: multiplies PyTorch's default initial weights (4 makes them explode).
    init(width: Int, depth: Int, activation: Activation, wiring: Wiring, initScale: Float = 1, seed: UInt64) {
        var generator = Generator(seed: seed)
        layers = (0..<depth).map { _ in Linear(width, width, generator: &generator) }
        head = Linear(width, 1, generator: &generator)
        self.activation = activation
        self.wiring = wiring
        if initScale != 1 { for layer in layers { layer.weight.assign(layer.weight * initScale) } }
    }

    // x: [B, W] -> [B, 1]
    func callAsFunction(_ x: Tensor) -> Tensor {
        var h = x
        for layer in layers {
            switch wiring {
            case .plain: h = activation(layer(h))
            case .residual: h = h + activation(layer(h))
            case .residualNorm: h = h + activation(layer(h.layerNorm(weight: nil, bias: nil)))
            }
        }
        return head(h)
    }
}

/// The gradient norm of each hidden layer's weight after one backward pass, input side first.
struct DepthProfile {
    let activation: Activation
    let wiring: Wiring
    let layerNorms: [Float]
    var first: Float { layerNorms[0] }
    var last: Float { layerNorms[layerNorms.count - 1] }
    /// The norm of all gradients together, and after `clipGradNorm(maxNorm: 1)`.
    let totalNorm: Float
    let clippedNorm: Float
}

/// Width of the deep network's layers, and its batch.
let deepWidth = 32, deepBatch = 64

/// One forward and backward pass of a `depth`-layer `DeepNet` on a random batch (x ~ N(0, 1),
/// y ~ N(0, 1), MSE), recording every layer's weight-gradient norm.
func profileGradients(activation: Activation, wiring: Wiring, depth: Int, initScale: Float = 1,
                      seed: UInt64) -> DepthProfile {
    var generator = Generator(seed: seed &+ 100)
    let x = Tensor.randn([deepBatch, deepWidth], generator: &generator)
    let y = Tensor.randn([deepBatch, 1], generator: &generator)
    let model = DeepNet(width: deepWidth, depth: depth, activation: activation, wiring: wiring,
                        initScale: initScale, seed: seed)
    Tensor.mseLoss(model(x), y).backward()
    let norms = model.layers.map { gradNorm([$0.weight]) }
    let total = clipGradNorm(model.parameters(), maxNorm: 1)
    return DepthProfile(activation: activation, wiring: wiring, layerNorms: norms, totalNorm: total,
                        clippedNorm: gradNorm(model.parameters()))
}

/// The four activations of the seed's table, each with every wiring, at `depth` layers.
func compareDepth(seed: UInt64, depth: Int) -> [DepthProfile] {
    [Activation.sigmoid, .tanh, .relu, .leakyRelu].flatMap { act in
        Wiring.allCases.map { profileGradients(activation: act, wiring: $0, depth: depth, seed: seed) }
    }
}

// MARK: - Cell 7: vanishing and exploding gradients through depth

func cell7DeepGradients(_ lesson: Lesson, _ settings: Settings) {
    lesson.step(en: "Vanishing and exploding gradients through depth", zh: "梯度在深度中消失与爆炸")
    let depth = settings.layers
    lesson.say(en: """
        A stack of \(depth) layers of width \(deepWidth). Backward multiplies the gradient by each \
        layer's weights and by the activation's derivative, once per layer: sigmoid's derivative is at \
        most 0.25, so after \(depth) layers almost nothing reaches the input side — the student \
        "faints". A residual connection h + f(h) adds a path whose derivative is exactly 1.
        """, zh: """
        \(depth) 层、每层宽 \(deepWidth) 的网络。反向传播时，梯度每经过一层就乘一次该层的权重和激活函数的导数：\
        sigmoid 的导数最大只有 0.25，经过 \(depth) 层后几乎传不到输入端 —— 学生"晕倒"了。残差连接 h + f(h) \
        加了一条导数恰好为 1 的通路。
        """)
    let profiles = compareDepth(seed: settings.seed, depth: depth)
    var table = Table([lesson.tr(en: "activation", zh: "激活函数"), lesson.tr(en: "wiring", zh: "连接方式"),
                       lesson.tr(en: "layer 1 ‖∇W‖", zh: "第 1 层 ‖∇W‖"), lesson.tr(en: "layer \(depth) ‖∇W‖", zh: "第 \(depth) 层 ‖∇W‖"),
                       lesson.tr(en: "first / last", zh: "首层 / 末层")])
    for p in profiles {
        table.append([.text(p.activation.rawValue), .text(p.wiring.rawValue), .number(Double(p.first), format: "%.2e"),
                      .number(Double(p.last), format: "%.2e"), .number(Double(p.first / p.last), format: "%.2e")])
    }
    lesson.table(table)
    let relu = profiles.first { $0.activation == .relu && $0.wiring == .plain }!
    let predicted = Float(pow(6.0, Double(depth - 1) / 2))      // √6 per layer, between layer 1 and layer L
    lesson.say(en: """
        ReLU and LeakyReLU vanish here too: PyTorch's default initial weights (uniform in ±1/√In, variance \
        1/(3·In)) pass on about 1/3 of the signal's variance per layer, and ReLU halves it again, so the \
        gradient shrinks by about √6 ≈ 2.4 per layer on its way back: \(sci(1 / predicted)) from layer \
        \(depth) to layer 1, measured \(sci(relu.first / relu.last)). Kaiming initialisation (variance 2/In) keeps it \
        level (lesson 2 looks at \
        initialisation); residual connections cure it whatever the initialisation.
        """, zh: """
        ReLU 和 LeakyReLU 在这里也消失了：PyTorch 默认的初始权重（在 ±1/√In 内均匀分布，方差 \
        1/(3·In)）每层只传下信号方差的约 1/3，\
        ReLU 又减掉一半，所以梯度往回传时每层缩小约 √6 ≈ 2.4 倍：从第 \(depth) 层到第 1 层预计 \(sci(1 / predicted))，\
        实测 \(sci(relu.first / relu.last))。Kaiming 初始化（方差 2/In）能让它保持不变（第二课专门讲初始化）；\
        不论怎样初始化，残差连接都能治好它。
        """)
    func chart(_ p: DepthProfile, note: String = "") {
        let title = "\(p.activation.rawValue)\(p.wiring == .plain ? "" : " + " + p.wiring.rawValue)\(note): "
            + lesson.tr(en: "gradient norm per layer", zh: "每层的梯度范数")
        lesson.plot(BarChart(title: title, bars: p.layerNorms.enumerated().map { ("layer \($0.offset + 1)", $0.element) },
                             valueFormat: "%.2e"))
    }
    let sick = profiles[0]                                      // sigmoid, plain
    let cured = profiles.first { $0.activation == .leakyRelu && $0.wiring == .residual }!
    let leakyPlain = profiles.first { $0.activation == .leakyRelu && $0.wiring == .plain }!
    let normed = profiles.first { $0.activation == .leakyRelu && $0.wiring == .residualNorm }!
    chart(sick)
    lesson.say(en: """
        A residual path brings the gradient back to layer 1 (first/last \(sci(cured.first / cured.last)) for \
        leaky_relu, against \(sci(leakyPlain.first / leakyPlain.last)) plain). But without normalisation the \
        residual stream grows layer after layer and every gradient becomes large (layer \(depth): \
        \(sci(cured.last))) — which is why the seed's Transformer puts a LayerNorm beside every residual. \
        With pre-norm the profile is flat:
        """, zh: """
        残差通路把梯度带回了第 1 层（leaky_relu 首层/末层之比 \(sci(cured.first / cured.last))，不加残差时是 \
        \(sci(leakyPlain.first / leakyPlain.last))）。但没有归一化时，残差流一层层变大，所有梯度都变得很大（第 \
        \(depth) 层：\
        \(sci(cured.last))）—— 所以种子脚本的 Transformer 在每个残差旁边都放了 LayerNorm。用 pre-norm \
        之后，各层梯度差不多一样大：
        """)
    chart(normed)
    let yours = profileGradients(activation: settings.activation, wiring: .plain, depth: depth, seed: settings.seed)
    if settings.activation != .sigmoid { chart(yours) }
    lesson.headline(en: "cell 7: \(depth) layers, first-layer gradient norm: sigmoid \(sci(sick.first)) (vanished); "
                        + "leaky_relu + residual \(sci(cured.first)); + norm \(sci(normed.first)); your " +
                          "\(settings.activation.rawValue) \(sci(yours.first))",
                    zh: "第 7 格：\(depth) 层，第一层梯度范数：sigmoid \(sci(sick.first))（消失）；"
                        + "leaky_relu + 残差 \(sci(cured.first))；再加归一化 \(sci(normed.first))；你选的 " +
                          "\(settings.activation.rawValue) \(sci(yours.first))")

    lesson.say(en: """
        The opposite sickness: the same ReLU stack with its initial weights 4× too large. Each layer now \
        multiplies the signal instead of shrinking it, and the gradient explodes — the student "goes \
        mad". Clipping the global norm to 1 keeps the step finite whatever happened upstream.
        """, zh: """
        相反的病：同样的 ReLU 网络，初始权重放大 4 倍。每一层都把信号放大而不是缩小，梯度爆炸 —— 学生"发疯"了。\
        把全局范数裁剪到 1，不管上游发生了什么，这一步的大小都有限。
        """)
    let exploding = profileGradients(activation: .relu, wiring: .plain, depth: depth, initScale: 4, seed: settings.seed)
    chart(exploding, note: lesson.tr(en: ", initial weights × 4", zh: "，初始权重 × 4"))
    lesson.headline(en: "cell 7: relu with 4× initial weights: total gradient norm \(sci(exploding.totalNorm)) " +
                        "(exploded), "
                        + "after clipGradNorm(1) \(significant(exploding.clippedNorm))",
                    zh: "第 7 格：初始权重放大 4 倍的 relu：总梯度范数 " +
                        "\(sci(exploding.totalNorm))（爆炸），clipGradNorm(1) 之后 \(significant(exploding.clippedNorm))")
}
