import Engine
import LessonKit

// Cell 10: is the backward pass right? `gradCheck` compares autograd with central finite
// differences, (L(x + ε) - L(x - ε)) / 2ε, element by element.

/// The worst errors of one gradient check over all of its inputs.
struct GradCheckRow {
    let name: String
    let worstAbsoluteError: Float
    let worstRelativeError: Float
    let passed: Bool
    /// The function was written wrong on purpose, to show what a failing check looks like.
    var deliberatelyBroken = false
}

extension GradCheckRow {
    init(row: GradCheckRow, deliberatelyBroken: Bool) {
        self = row
        self.deliberatelyBroken = deliberatelyBroken
    }
}

/// Summarises `gradCheck`'s per-input results into one row.
func summarise(_ name: String, _ results: [GradCheckResult]) -> GradCheckRow {
    GradCheckRow(name: name,
                 worstAbsoluteError: results.map(\.maxAbsoluteError).max()!,
                 worstRelativeError: results.map(\.maxRelativeError).max()!,
                 passed: results.allSatisfy(\.passed))
}

/// Four live checks, the last one of a deliberately broken function.
///
///     tanh(Linear(4 → 3)(x))              x [2, 4], W [3, 4], b [3]
///     LayerNorm(6)(x)                     x [2, 3, 6], γ [6], β [6]      (a fused op, hand-written backward)
///     MultiheadAttention(8, 2 heads)(x)   x [2, 3, 8], in_proj, out_proj (fused attention backward)
///     x · x.detach()                      "forgot a term": autograd sees x, the truth is 2x
func gradientChecks(seed: UInt64) -> [GradCheckRow] {
    var g = Generator(seed: seed)
    let linear = Linear(4, 3, generator: &g)
    let x1 = Tensor.randn([2, 4], generator: &g)
    let linearCheck = gradCheck([x1, linear.weight, linear.bias!]) { t in
        Tensor.linear(t[0], weight: t[1], bias: t[2]).tanh()
    }

    let norm = LayerNorm(6)
    norm.weight!.scalars = Tensor.rand([6], low: 0.5, high: 1.5, generator: &g).scalars
    norm.bias!.scalars = Tensor.randn([6], generator: &g).scalars
    let x2 = Tensor.randn([2, 3, 6], generator: &g)
    let normCheck = gradCheck([x2, norm.weight!, norm.bias!]) { t in norm(t[0]) }

    let attention = MultiheadAttention(embedDimensions: 8, numHeads: 2, generator: &g)
    attention.inProjBias!.scalars = Tensor.randn([24], generator: &g).scalars.map { $0 * 0.1 }
    let x3 = Tensor.randn([2, 3, 8], generator: &g)
    let attentionCheck = gradCheck([x3, attention.inProjWeight, attention.inProjBias!, attention.outProj.weight]) { t in
        attention(t[0])
    }

    let x4 = Tensor.randn([5], generator: &g)
    let brokenCheck = gradCheck([x4]) { t in t[0] * t[0].detach() }

    return [summarise("tanh(Linear(4→3))", linearCheck),
            summarise("LayerNorm(6)", normCheck),
            summarise("MultiheadAttention(8, 2 heads)", attentionCheck),
            GradCheckRow(row: summarise("x · x.detach()", brokenCheck), deliberatelyBroken: true)]
}

// MARK: - Cell 10: the gradient check, live

func cell10GradCheck(_ lesson: Lesson, _ settings: Settings) {
    lesson.cell(10)
    lesson.say(en: """
        Every gradient in cells 8 and 9 came from backward passes. To trust them, nudge each \
        input element by ε = 1e-3 both ways and compare the slope of the loss with autograd's \
        gradient. Float32 keeps about 7 digits, so errors near 1e-3 are normal (an element passes \
        when its absolute or its relative error is within 1e-2); a wrong backward shows errors of order 1, as the \
        deliberately broken last row does (it hides half of the \
        derivative of x² behind detach()).
        """, zh: """
        单元 8 和 9 的每个梯度都来自反向传播。要信任它们，就把每个输入元素向两边各推 ε = 1e-3，\
        用损失的斜率和自动求导的梯度对比。Float32 约有 7 位有效数字，所以 1e-3 \
        左右的误差是正常的（绝对误差或相对误差在 1e-2 以内即算通过）；\
        错误的反向传播会产生量级为 1 的误差，就像最后一行故意写错的例子（用 detach() 藏掉了 x² 导数的一半）。
        """)
    let checks = gradientChecks(seed: settings.seed)
    var table = Table([lesson.tr(en: "function", zh: "函数"), lesson.tr(en: "worst abs error", zh: "最大绝对误差"),
                       lesson.tr(en: "worst rel error", zh: "最大相对误差"), lesson.tr(en: "verdict", zh: "结论")])
    for c in checks {
        let name = c.name + (c.deliberatelyBroken ? lesson.tr(en: "  (wrong on purpose)", zh: "（故意写错）") : "")
        table.append([.text(name), .text(sci(c.worstAbsoluteError)), .text(sci(c.worstRelativeError)),
                      .text(c.passed ? "ok" : lesson.tr(en: "MISMATCH", zh: "不一致"))])
    }
    lesson.table(table)
    let real = checks.filter { !$0.deliberatelyBroken }, broken = checks.filter(\.deliberatelyBroken)
    let realPassed = real.filter(\.passed).count, brokenCaught = broken.filter { !$0.passed }.count
    let passed = checks.filter(\.passed).count
    let brokenError = fixed(broken.map(\.worstRelativeError).max() ?? .nan, 2)
    lesson.conclude("lesson2.gradCheck.realLayersPass",
                    .threshold(value: Double(realPassed), relation: .atLeast, limit: Double(real.count)), [
        "true": Localized(en: "gradient check: \(passed) of \(checks.count) pass; every real layer's backward " +
                              "agrees with finite differences",
                          zh: "梯度检验：\(checks.count) 项中 \(passed) 项通过；每个真实层的反向传播都与有限差分一致"),
        "false": Localized(en: "gradient check: \(passed) of \(checks.count) pass; \(real.count - realPassed) real " +
                               "layer(s) disagree with finite differences: a backward is wrong",
                           zh: "梯度检验：\(checks.count) 项中 \(passed) 项通过；有 \(real.count - realPassed) "
                               + "个真实层" +
                               "与有限差分不一致：有反向传播写错了"),
        "diverged": Localized(en: "gradient check: not finite", zh: "梯度检验：不是有限数"),
    ], headline: true)
    lesson.conclude("lesson2.gradCheck.brokenCaught",
                    .threshold(value: Double(brokenCaught), relation: .atLeast, limit: Double(broken.count)), [
        "true": Localized(en: "the broken x·x.detach() is caught (rel error \(brokenError))",
                          zh: "故意写错的 x·x.detach() 被抓住（相对误差 \(brokenError)）"),
        "false": Localized(en: "the broken x·x.detach() slipped through (rel error \(brokenError)): the check's " +
                               "tolerance is too loose for this input",
                           zh: "故意写错的 x·x.detach() 没被抓住（相对误差 "
                               + "\(brokenError)）：对这个输入，检验的容差太宽"),
        "diverged": Localized(en: "the broken x·x.detach(): not finite", zh: "故意写错的 x·x.detach()：不是有限数"),
    ], headline: true)
}
