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
    lesson.step(en: "Five activation functions and their derivatives", zh: "五种激活函数及其导数")
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
                      .number(Double(c.value(at: -5))), .number(Double(c.value(at: 0))), .number(Double(c.value(at: 5))),
                      .number(Double(c.derivative(at: -5))), .number(Double(c.derivative(at: -1))),
                      .number(Double(c.derivative(at: 0))), .number(Double(c.derivative(at: 5))),
                      .number(Double(c.maxDerivative))])
    }
    lesson.table(table)
    let sigmoid = curves.first { $0.kind == .sigmoid }!
    let twenty = Float(pow(Double(sigmoid.maxDerivative), 20))
    lesson.say(en: """
        Sigmoid's derivative never exceeds \(fixed(sigmoid.maxDerivative, 2)): through 20 sigmoid \
        layers the gradient is multiplied by at most \(fixed(sigmoid.maxDerivative, 2))^20 = \
        \(sci(twenty)) before the weights even enter. Tanh and sigmoid flatten to 0 beyond ±3 \
        (saturation). ReLU passes 1 or 0: its negative side is dead; LeakyReLU keeps 0.01 there. \
        GELU is a smooth ReLU.
        """, zh: """
        Sigmoid 的导数最大只有 \(fixed(sigmoid.maxDerivative, 2))：穿过 20 个 sigmoid 层，梯度被乘上的因子至多是 \
        \(fixed(sigmoid.maxDerivative, 2))^20 = \(sci(twenty))，这还没算权重的影响。tanh 和 sigmoid 在 ±3 \
        以外几乎是平的（饱和）。\
        ReLU 的导数是 1 或 0，负半轴是"死"的；LeakyReLU 在那里保留 0.01。GELU 是平滑版的 ReLU。
        """)
    lesson.headline(en: "max derivative: " + curves.map { "\($0.kind.displayName) \(fixed($0.maxDerivative, 3))" }.joined(separator: ", "),
                    zh: "导数最大值：" + curves.map { "\($0.kind.displayName) \(fixed($0.maxDerivative, 3))" }.joined(separator: "，"))
}
