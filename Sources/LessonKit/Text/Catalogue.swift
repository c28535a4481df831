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

extension Catalogue {
    /// The short lesson on seed noise, said once in every lesson before its first comparison
    /// (`teachSeedNoise`).
    public static func seedNoise(seeds n: Int) -> Localized {
        Localized(en: """
            Seed noise. A training run depends on its random seed: the data it draws, the split, the initial \
            weights, the order of the batches, the dropout masks. Run the very same setting with another seed and \
            the numbers change. So one run proves little: a difference between two settings is an effect only if \
            it is larger than what changing the seed alone does. From here on every comparison runs each setting \
            on the same \(n) seeds (--seed, --seed+1, …; --seeds N), prints mean ± spread (the standard deviation \
            over seeds), and pairs the runs seed by seed: a difference counts only when its 95 % interval excludes \
            zero; otherwise the lesson says there is no measurable difference.
            """, zh: """
            随机种子带来的噪声。一次训练取决于它的随机种子：抽到的数据、划分、初始权重、批次的顺序、dropout 掩码。\
            同样的设置换一个随机种子，数字就变了。所以一次运行说明不了什么：两种设置的差异，只有大于单纯换随机种子\
            带来的变化，才算效果。从这里开始，每个比较都让各个设置在同样的 \(n) 个随机种子上训练\
            （--seed、--seed+1……；--seeds N），打印“均值 ± 波动”（随机种子间的标准差），并按随机种子配对：\
            只有差异的 95 % 置信区间不含 0 才算数，否则课程会直说没有可测量的差异。
            """)
    }
}
