import Engine
import Foundation
import LessonKit

// Cell 7: the five activation functions and their derivatives, computed by the engine's ops and
// differentiated by autograd (not by formulas typed into the lesson).

/// One activation sampled on a grid: f(x) and f'(x) as autograd computed it.
struct ActivationCurve {
    let kind: Activation
    let x: [Float]
    let value: [Float]
    let derivative: [Float]

    /// f'(x) at the grid point nearest to `x`.
    func derivative(at point: Float) -> Float { derivative[index(point)] }
    func value(at point: Float) -> Float { value[index(point)] }
    var maxDerivative: Float { derivative.max()! }

    private func index(_ point: Float) -> Int {
        x.indices.min { Swift.abs(x[$0] - point) < Swift.abs(x[$1] - point) }!
    }
}

/// f and f' on x = -5, -4.9, …, 5 (101 points; x = 0 exactly is one of them).
///
/// One backward pass gives every derivative at once: the activation acts element by element, so
/// d(Σᵢ f(xᵢ))/dxᵢ = f'(xᵢ).
func activationCurve(_ kind: Activation) -> ActivationCurve {
    let grid = (0...100).map { Float($0 - 50) / 10 }
    let x = Tensor(grid, requiresGrad: true)                  // [101]
    let y = kind(x)                                           // [101]
    y.sum().backward()
    return ActivationCurve(kind: kind, x: grid, value: y.scalars, derivative: x.grad!.scalars)
}

// MARK: - Cell 7: the five activation functions

func cell7Activations(_ lesson: Lesson, _ settings: Settings) {
    lesson.cell(7)
    lesson.say(en: """
        Between two Linear layers sits a non-linearity; without one, any stack of Linears is just \
        one Linear. Its derivative is what the gradient is multiplied by on its way back through \
        each layer. Each curve below is our op on x ∈ [-5, 5], and each derivative is autograd's \
        backward of that op.
        """, zh: """
        两个 Linear 层之间要有一个非线性函数；否则再多的 Linear 叠在一起也只相当于一个 Linear。\
        梯度每向后穿过一层，就要乘以这个函数的导数。下面每条曲线都是我们的算子在 x ∈ [-5, 5] 上的输出，\
        每个导数都是自动求导对该算子的反向计算。
        """)
    let curves = comparedActivations.map(activationCurve)
    lesson.plot(LineChart(title: lesson.tr(en: "f(x)", zh: "f(x)"),
                          series: curves.map { .init($0.kind.displayName, $0.value, x: $0.x) },
                          xLabel: "x", height: 10))
    lesson.plot(LineChart(title: lesson.tr(en: "f'(x), by autograd", zh: "f'(x)（自动求导）"),
                          series: curves.map { .init($0.kind.displayName, $0.derivative, x: $0.x) },
                          xLabel: "x", height: 10))
    var table = Table([lesson.tr(en: "activation", zh: "激活函数"), "f(-5)", "f(0)", "f(5)",
                       "f'(-5)", "f'(-1)", "f'(0)", "f'(5)", "max f'"])
    for c in curves {
        table.append([.text(c.kind.displayName),
                      .number(Double(c.value(at: -5))), .number(Double(c.value(at: 0))),
                      .number(Double(c.value(at: 5))),
                      .number(Double(c.derivative(at: -5))), .number(Double(c.derivative(at: -1))),
                      .number(Double(c.derivative(at: 0))), .number(Double(c.derivative(at: 5))),
                      .number(Double(c.maxDerivative))])
    }
    lesson.table(table)
    let sigmoid = curves.first { $0.kind == .sigmoid }!
    let twenty = Float(pow(Double(sigmoid.maxDerivative), 20))
    let bound = Localized(
        en: "Through 20 sigmoid layers the gradient is multiplied by at most \(fixed(sigmoid.maxDerivative, 2))^20 = " +
            "\(sci(twenty)) before the weights even enter.",
        zh: "穿过 20 个 sigmoid 层，梯度被乘上的因子至多是 \(fixed(sigmoid.maxDerivative, 2))^20 = \(sci(twenty))，" +
            "这还没算权重的影响。")
    lesson.conclude("lesson2.activations.sigmoidDerivativeAtMostQuarter",
                    .threshold(value: Double(sigmoid.maxDerivative), relation: .atMost, limit: 0.25), [
        "true": Localized(en: "Sigmoid's derivative never exceeds 0.25 on the grid " +
                              "(max \(fixed(sigmoid.maxDerivative, 4))). " +
                              bound.en,
                          zh: "在网格上 sigmoid 的导数从不超过 0.25（最大 "
                              + "\(fixed(sigmoid.maxDerivative, 4))）。" + bound.zh),
        "false": Localized(en: "Sigmoid's derivative exceeds 0.25 here (max \(fixed(sigmoid.maxDerivative, 4))): its " +
                               "backward is wrong, since σ' = σ(1 − σ) ≤ 1/4.",
                           zh: "这里 sigmoid 的导数超过了 0.25（最大 \(fixed(sigmoid.maxDerivative, 4))）：" +
                               "它的反向传播写错了，因为 σ' = σ(1 − σ) ≤ 1/4。"),
        "diverged": Localized(en: "Sigmoid's derivative is not finite: its backward is wrong.",
                              zh: "sigmoid 的导数不是有限数：它的反向传播写错了。"),
    ])
    lesson.say(en: """
        Read the table: tanh and sigmoid flatten towards 0 beyond ±3 (saturation; f'(5) in the \
        table). ReLU passes 1 or 0: its negative side is dead; LeakyReLU keeps 0.01 there. GELU is a \
        smooth ReLU.
        """, zh: """
        看表：tanh 和 sigmoid 在 ±3 以外趋于平坦（饱和；见表中的 f'(5)）。\
        ReLU 的导数是 1 或 0，负半轴是“死”的；LeakyReLU 在那里保留 0.01。GELU 是平滑版的 ReLU。
        """)
    let maxima = curves.map { "\($0.kind.displayName) \(fixed($0.maxDerivative, 3))" }
    lesson.headline(en: "max derivative: " + maxima.joined(separator: ", "),
                    zh: "导数最大值：" + maxima.joined(separator: "，"))
}
