/// The language a lesson narrates in, chosen with `--lang en|zh`.
///
/// The project's seed is a Chinese blog post, so every lesson speaks both English and Chinese.
public enum Language: String, CaseIterable, Sendable {
    case en
    case zh
}

/// One piece of text in both languages: the whole string catalogue of LessonKit is built from these.
///
/// The design is deliberately the simplest that works: a lesson writes both versions side by side,
/// where they are used, so a reader of the lesson's source sees the translation next to the
/// original, and a missing translation is a compile error rather than a runtime surprise.
///
///     let greeting = Localized(en: "Loss goes down", zh: "损失在下降")
///     greeting(.zh)                     // "损失在下降"
///     let name: Localized = "AdamW"     // a literal is the same in both languages
///
/// LessonKit's own words (usage headings, the step prompt, the stage banners) live in `Catalogue`.
public struct Localized: Sendable, Hashable, ExpressibleByStringLiteral {
    public let en: String
    public let zh: String

    public init(en: String, zh: String) {
        self.en = en
        self.zh = zh
    }

    /// The same text in both languages (names, numbers, code).
    public init(stringLiteral value: String) {
        self.init(en: value, zh: value)
    }

    /// The text in `language`.
    public func callAsFunction(_ language: Language) -> String {
        switch language {
        case .en: return en
        case .zh: return zh
        }
    }
}
