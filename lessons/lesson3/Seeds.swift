import Engine
import LessonKit

// Seed noise, and the helpers every comparison of this lesson uses. One training run depends on its
// random seed (initial weights, the batches' order, which labels got noise); another seed gives
// other numbers for the very same setting. So each cell runs every setting on the same seeds
// (`lesson.seeds`: --seed, --seed+1, …, --seeds of them), prints mean ± spread, and lets
// `Comparison` (paired by seed, a 95 % noise band) decide whether a difference is an effect.

/// Runs `body` once per seed of the lesson, in seed order, showing progress on a terminal.
func overSeeds<T>(_ lesson: Lesson, _ what: Localized, _ body: (UInt64) -> T) -> [T] {
    let seeds = lesson.seeds
    var results: [T] = []
    for (i, seed) in seeds.enumerated() {
        lesson.progress(what, i, of: seeds.count)
        results.append(body(seed))
    }
    lesson.progress(what, seeds.count, of: seeds.count)
    lesson.endProgress()
    return results
}

/// The final loss a comparison reads from a run: NaN when the run diverged (the NaN guard stopped
/// it, or its loss ended far above where it started), so `Comparison` calls it diverged.
func measured(_ run: TrainingRun, _ loss: Float) -> Double {
    guard run.diverged == nil, loss.isFinite else { return .nan }
    if let start = run.curve.first, loss > 100 * Swift.max(start, 1e-3) { return .nan }
    return Double(loss)
}

/// "0.0123 ± 0.0021" (mean ± sample standard deviation over seeds); with a diverged seed,
/// "diverged k/n" instead.
func meanSpread(_ sample: SeedSample, _ digits: Int = 3) -> String {
    let bad = sample.values.filter { !$0.isFinite }.count
    if bad > 0 { return "diverged \(bad)/\(sample.count)" }
    return "\(significant(Float(sample.mean), digits)) ± \(significant(Float(sample.spread), 2))"
}

/// A table cell with `meanSpread`.
func meanSpreadCell(_ sample: SeedSample, _ digits: Int = 3) -> TableCell { .number(meanSpread(sample, digits)) }

/// "seeds 42–46" / "随机种子 42–46", for titles and sentences.
func seedRange(_ lesson: Lesson) -> Localized {
    let s = lesson.seeds
    let range = s.count == 1 ? "\(s[0])" : "\(s[0])–\(s[s.count - 1])"
    return Localized(en: (s.count == 1 ? "seed " : "seeds ") + range, zh: "随机种子 " + range)
}

/// The short lesson on seed noise, said once, before the first comparison (cell 2).
func teachSeedNoise(_ lesson: Lesson) {
    let n = lesson.seeds.count
    lesson.say(en: """
        Seed noise. A training run depends on its random seed: the initial weights, the order of the \
        batches, which labels get noise. Run the very same setting with another seed and the numbers \
        change. So one run proves little: a difference between two settings is an effect only if it is \
        larger than what changing the seed alone does. From here on every comparison trains each \
        setting on the same \(n) seeds (--seed, --seed+1, …; --seeds N), prints mean ± spread (the \
        standard deviation over seeds), and pairs the runs seed by seed: a difference counts only when \
        its 95 % interval excludes zero; otherwise the lesson says so.
        """, zh: """
        随机种子带来的噪声。一次训练取决于它的随机种子：初始权重、批次的顺序、哪些标签被加了噪声。\
        同样的设置换一个随机种子，数字就变了。所以一次运行说明不了什么：两种设置的差异，只有大于单纯换随机种子\
        带来的变化，才算效果。从这里开始，每个比较都让各个设置在同样的 \(n) 个随机种子上训练\
        （--seed、--seed+1……；--seeds N），打印“均值 ± 波动”（随机种子间的标准差），并按随机种子配对：\
        只有差异的 95 % 置信区间不含 0 才算数，否则课程会直说没有可测量的差异。
        """)
}

/// The wording for a difference inside the seed noise.
func noDifference(_ what: Localized) -> Localized {
    Localized(en: "\(what.en): no measurable difference at this budget (inside the seed-to-seed noise).",
              zh: "\(what.zh)：在这个训练量下没有可测量的差异（在随机种子间的噪声之内）。")
}
