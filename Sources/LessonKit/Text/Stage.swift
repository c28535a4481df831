/// The four stages of training from the project's seed, each with the student analogy the seed
/// uses for it. Lessons open each part with `lesson.banner(.data)` and friends.
///
///     Stage.data.title(.en)   // "Stage 1 · Data — the textbook and the exercises"
///     Stage.data.title(.zh)   // "第一阶段 · 数据预处理 —— 课本+练习题"
public enum Stage: Int, CaseIterable, Sendable {
    /// Clean, label and split the data ("feeding the data").
    case data = 1
    /// Choose the architecture and initialise the parameters ("wiring the brain").
    case architecture
    /// The loss deducts points, the optimizer corrects, regularization stops rote memorising.
    case tuning
    /// The validation set watches for overfitting; the test set is the final exam.
    case validation

    /// The stage's short name.
    public var name: Localized {
        switch self {
        case .data: return Localized(en: "Data", zh: "数据预处理")
        case .architecture: return Localized(en: "Architecture", zh: "架构搭建")
        case .tuning: return Localized(en: "Tuning", zh: "参数调优")
        case .validation: return Localized(en: "Validation", zh: "迭代验证")
        }
    }

    /// The student analogy the seed gives the stage.
    public var analogy: Localized {
        switch self {
        case .data: return Localized(en: "the textbook and the exercises", zh: "课本+练习题")
        case .architecture: return Localized(en: "wiring the brain", zh: "搭脑回路")
        case .tuning: return Localized(en: "exercises and corrections", zh: "刷题+改错")
        case .validation: return Localized(en: "weekly and monthly exams", zh: "周考+月考")
        }
    }

    /// "Stage 1 · Data — the textbook and the exercises", or its Chinese form.
    public func title(_ language: Language) -> String {
        switch language {
        case .en:
            return "Stage \(rawValue) · \(name.en) — \(analogy.en)"
        case .zh:
            let numerals = ["一", "二", "三", "四"]
            return "第\(numerals[rawValue - 1])阶段 · \(name.zh) —— \(analogy.zh)"
        }
    }
}

/// A banner: the title between two double rules, at least `width` columns wide.
///
///     ════════════════════════════════════════════════════════════
///       Stage 1 · Data — the textbook and the exercises
///     ════════════════════════════════════════════════════════════
///
/// - Parameters:
///   - title: the text inside the banner.
///   - width: the rules' minimum width in columns; they grow to fit a longer title.
///   - colour: whether to print the title in bold.
public func banner(_ title: String, width: Int = 60, colour: Bool = false) -> String {
    let rule = String(repeating: "═", count: max(width, displayWidth(title) + 4))
    return rule + "\n  " + title.bold(colour) + "\n" + rule
}
