/// LessonKit's own words, in both languages (the lessons' narration lives in the lessons).
///
/// One place for every string the kit prints itself, so a translator finds them all together.
public enum Catalogue {
    static func usageLine(_ program: String) -> Localized {
        Localized(en: "Usage: \(program) [options]", zh: "用法：\(program) [选项]")
    }
    static let lessonOptions = Localized(en: "Lesson options:", zh: "本课选项：")
    static let commonOptions = Localized(en: "Common options:", zh: "通用选项：")
    static let colon = Localized(en: ":", zh: "：")
    static let defaultWord = Localized(en: "default", zh: "默认")
    static let oneOf = Localized(en: "one of", zh: "可选")
    static let helpFlag = Localized(en: "show this help and exit", zh: "显示本帮助并退出")
    static let seedFlag = Localized(en: "seed of the random number generator", zh: "随机数种子")
    static let stepFlag = Localized(
        en: "pause before every cell and before output would scroll off the screen; single keys, no Enter "
            + "needed: Enter or space next, c run to the end, q quit, ? list the keys (a terminal only)",
        zh: "在每个单元之前、以及输出将要滚出屏幕之前暂停；单键操作，无需回车：回车或空格 继续，c 运行到底，"
            + "q 退出，? 列出按键（仅限终端）")
    static let quietFlag = Localized(en: "print only the headline numbers", zh: "只打印关键数字")
    static let langFlag = Localized(en: "language of the narration", zh: "讲解的语言")
    static let reportFlag = Localized(en: "also write a self-contained HTML report to FILE",
                                  zh: "另外把完整的 HTML 报告写入 FILE")
    static let seedsFlag = Localized(en: "how many seeds each comparison runs over (mean ± spread)",
                                     zh: "每个对比实验运行的随机种子数（均值 ± 波动）")
    static let claimsFlag = Localized(en: "also write each conclusion and its numbers to FILE",
                                      zh: "另外把每个结论及其依据的数字写入 FILE（JSON）")
    static let fromFlag = Localized(en: "start showing at cell N (earlier cells run silently)",
                                    zh: "从第 N 个单元开始显示（之前的单元静默运行）")
    static let cellFlag = Localized(en: "show only cell N (0: every cell)", zh: "只显示第 N 个单元（0：全部）")
    static let traceShapesFlag = Localized(en: "print the shape of every tensor at each module boundary",
                                       zh: "在每个模块边界打印张量的形状")
    static let stepHint = Localized(en: "Press Enter or space, c, q or ?.", zh: "请按回车或空格、c、q 或 ?。")
    static let step = Localized(en: "Step", zh: "步骤")
    static let stoppedAt = Localized(en: "Stopped at step", zh: "停在步骤")
    static let reportWritten = Localized(en: "Report written to", zh: "报告已写入")
    static let reportFailed = Localized(en: "Could not write the report", zh: "无法写入报告")
    static let claimsWritten = Localized(en: "Claims written to", zh: "结论已写入")
    static let claimsFailed = Localized(en: "Could not write the claims", zh: "无法写入结论")
    static let errorWord = Localized(en: "error", zh: "错误")
    static let runWith = Localized(en: "Run with", zh: "运行命令")
    static let shape = Localized(en: "shape", zh: "形状")
}
