import Engine
import LessonKit

/// A copy of a clean table with the three classic kinds of dirt put in on purpose, and a record
/// of where, so that every detector can be scored against the truth.
struct DirtyCopy {
    /// `[N, F]`: NaN where a cell is missing, a glitch value where a cell is an outlier.
    let table: Tensor
    /// `[N, 1]`: some labels with Gaussian noise added.
    let targets: Tensor
    /// Flat indices (row · F + column) of the missing cells, sorted.
    let missingCells: [Int]
    /// Flat indices of the outlier cells, sorted.
    let outlierCells: [Int]
    /// Rows whose label was made noisy, sorted.
    let noisyRows: [Int]
}

/// Makes a dirty copy of `table: [N, F]` and `targets: [N, 1]`:
/// - a `missing` fraction of cells becomes NaN (a sensor that did not report);
/// - an `outliers` fraction of the other cells becomes `+10 σ_f` of its column (a sensor stuck at
///   its top value: one-sided, so it drags the column's mean);
/// - a `noise` fraction of labels gets Gaussian noise with twice the labels' own std.
func makeDirtyCopy(table: Tensor, targets: Tensor, missing: Double, outliers: Double = 0.01,
                   noise: Double, generator: inout Generator) -> DirtyCopy {
    let features = table.shape[1]
    let columnStd = table.variance(dims: [0], unbiased: false).sqrt().scalars      // [F]
    let order = randomPermutation(table.count, generator: &generator)
    let missingCount = Int(missing * Double(table.count))
    let outlierCount = Int(outliers * Double(table.count))
    let missingCells = Array(order.prefix(missingCount)).sorted()
    let outlierCells = Array(order.dropFirst(missingCount).prefix(outlierCount)).sorted()
    var values = table.scalars
    for i in missingCells { values[i] = .nan }
    for i in outlierCells { values[i] = 10 * columnStd[i % features] }
    let labelStd = targets.variance(unbiased: false).sqrt().item
    let (noisy, rows) = injectLabelNoise(targets, fraction: noise, std: 2 * labelStd, generator: &generator)
    return DirtyCopy(table: Tensor(values, shape: table.shape), targets: noisy,
                     missingCells: missingCells, outlierCells: outlierCells, noisyRows: rows)
}

/// How well an outlier rule finds the planted outliers.
struct OutlierScore {
    let flagged: Int
    /// Planted outliers that were flagged.
    let caught: Int
    /// Flagged cells that were genuine values.
    var falseAlarms: Int { flagged - caught }
}

func scoreOutlierRule(_ dirty: DirtyCopy, rule: OutlierRule) -> OutlierScore {
    let flags = flagOutliers(dirty.table, rule: rule)
    return OutlierScore(flagged: flags.filter { $0 }.count, caught: dirty.outlierCells.filter { flags[$0] }.count)
}

/// One way to clean a table: clip outliers by a rule (or not), then fill the gaps.
struct CleaningRecipe {
    let name: Localized
    let impute: ImputeStrategy
    let clip: OutlierRule?

    func apply(_ table: Tensor) -> Tensor {
        let clipped = clip.map { clipOutliers(table, rule: $0) } ?? table
        return imputeMissing(clipped, strategy: impute)
    }

    /// The four recipes compared in the cell, from naive to robust.
    static var all: [CleaningRecipe] { [
        CleaningRecipe(name: Localized(en: "fill with the mean", zh: "用均值填补"), impute: .mean, clip: nil),
        CleaningRecipe(name: Localized(en: "fill with the median", zh: "用中位数填补"), impute: .median, clip: nil),
        CleaningRecipe(name: Localized(en: "z-score clip (3σ) + median", zh: "z 分数裁剪（3σ）+ 中位数"),
                       impute: .median, clip: .zScore(threshold: 3)),
        CleaningRecipe(name: Localized(en: "IQR clip (1.5) + median", zh: "IQR 裁剪（1.5）+ 中位数"),
                       impute: .median, clip: .iqr(k: 1.5)),
    ] }
}

/// Root-mean-square distance between a cleaned table and the clean truth, over some cells.
func rmse(_ a: Tensor, _ b: Tensor, cells: [Int]? = nil) -> Float {
    let indices = cells ?? Array(0..<a.count)
    guard !indices.isEmpty else { return 0 }
    var sum = 0.0
    for i in indices { let d = Double(a.scalars[i] - b.scalars[i]); sum += d * d }
    return Float((sum / Double(indices.count)).squareRoot())
}

/// How close one recipe brings the dirty table back to the truth.
struct CleaningScore {
    let recipe: CleaningRecipe
    let atMissing: Float
    let atOutliers: Float
    let overall: Float
}

/// The consistency check for labels: in this data set y must equal the mean of its row, so a
/// label far from its row's mean is suspect. "Far" is 3 robust standard deviations of the
/// residuals (1.4826 · median |r|), which the noisy minority cannot inflate, and at least 1 % of
/// the labels' std.
struct LabelCheck {
    /// `y - mean(row)` per sample. `[N]`
    let residuals: [Float]
    let threshold: Float
    let flagged: [Int]
    let caught: Int
    var falseAlarms: Int { flagged.count - caught }
}

func checkLabels(table: Tensor, targets: Tensor, noisyRows: [Int]) -> LabelCheck {
    let residual = (targets - table.mean(dim: 1, keepdim: true)).scalars     // [N]
    let sortedAbs = residual.map { Swift.abs($0) }.sorted()
    let median = sortedAbs[sortedAbs.count / 2]
    // The floor (1 % of the labels' spread) matters when the inputs are clean: then the clean
    // residuals are pure float rounding (~1e-8), and a threshold made from them would flag rows
    // whose sums merely rounded differently.
    let labelStd = targets.variance(unbiased: false).sqrt().item
    let threshold = Swift.max(3 * 1.4826 * median, 0.01 * labelStd)
    let flagged = residual.indices.filter { Swift.abs(residual[$0]) > threshold }
    let noisy = Set(noisyRows)
    return LabelCheck(residuals: residual, threshold: threshold, flagged: flagged,
                      caught: flagged.filter { noisy.contains($0) }.count)
}

/// Everything the dirty-data cell prints.
struct DirtyResult {
    let clean: Tensor            // [N, F], the truth
    let dirty: DirtyCopy
    let missingPerPosition: [Int]
    let zScore: OutlierScore
    let iqr: OutlierScore
    let cleaning: [CleaningScore]
    let cleaned: Tensor          // the last recipe's output (IQR + median)
    let labels: LabelCheck
}

func computeDirty(_ data: SeedData, settings: Settings) -> DirtyResult {
    let n = data.x.shape[0], t = data.x.shape[1], c = data.x.shape[2]
    let clean = data.x.reshape([n, t * c])                                  // [N, T·C]
    var generator = Generator(seed: settings.seed &+ 1)
    let dirty = makeDirtyCopy(table: clean, targets: data.y, missing: settings.missing,
                              noise: settings.noise, generator: &generator)
    let perColumn = missingCountPerColumn(dirty.table)
    let perPosition = (0..<t).map { p in perColumn[(p * c)..<((p + 1) * c)].reduce(0, +) }
    let outlierSet = dirty.outlierCells, missingSet = dirty.missingCells
    var scores: [CleaningScore] = []
    var cleaned = clean
    for recipe in CleaningRecipe.all {
        cleaned = recipe.apply(dirty.table)
        scores.append(CleaningScore(recipe: recipe, atMissing: rmse(cleaned, clean, cells: missingSet),
                                    atOutliers: rmse(cleaned, clean, cells: outlierSet),
                                    overall: rmse(cleaned, clean)))
    }
    return DirtyResult(clean: clean, dirty: dirty, missingPerPosition: perPosition,
                       zScore: scoreOutlierRule(dirty, rule: .zScore(threshold: 3)),
                       iqr: scoreOutlierRule(dirty, rule: .iqr(k: 1.5)),
                       cleaning: scores, cleaned: cleaned,
                       labels: checkLabels(table: cleaned, targets: dirty.targets, noisyRows: dirty.noisyRows))
}

// MARK: - Cell 3: a dirty copy — found, plotted, cleaned

func cell3Dirty(_ lesson: Lesson, _ settings: Settings, _ data: SeedData) {
    lesson.cell(3)
    lesson.say(en: """
        Real data arrive dirty. We copy the table (flattened to [N, 50]) and break it on purpose: \
        \(percent(settings.missing)) of the cells go missing (NaN), 1 % become a sensor stuck at +10σ, and \
        \(percent(settings.noise)) of the labels get noise twice as wide as the labels themselves. \
        Because we know where the dirt is, every detector below is scored against the truth.
        """, zh: """
        真实数据总是脏的。我们把表格（展平成 [N, 50]）复制一份并故意弄脏：\(percent(settings.missing)) 的单元格\
        缺失（NaN），1 % 变成卡在 +10σ 的传感器读数，\(percent(settings.noise)) 的标签加上两倍于标签本身宽度的噪声。\
        因为我们知道脏在哪里，下面每个检测方法都能和真相对照打分。
        """)
    let r = computeDirty(data, settings: settings)
    lesson.say(en: "Missing cells per position: \(r.missingPerPosition.map(String.init).joined(separator: ", ")) "
               + "(\(grouped(r.dirty.missingCells.count)) in all).",
               zh: "每个位置的缺失单元格数：\(r.missingPerPosition.map(String.init).joined(separator: ", "))"
               + "（共 \(grouped(r.dirty.missingCells.count)) 个）。")
    lesson.plot(Histogram(title: lesson.tr(en: "dirty table: every cell (NaN left out)",
                                           zh: "脏表格：所有单元格（NaN 不计）"),
                          values: r.dirty.table.scalars, bins: 30, height: 6))
    lesson.say(en: """
        The bulk sits around 0; the thin columns far right are the stuck sensors. Two rules look for them: \
        z-score (|x - μ| > 3σ, but the outliers inflate σ themselves) and IQR (outside Q1 - 1.5·IQR … \
        Q3 + 1.5·IQR, robust, but it also flags genuine tails).
        """, zh: """
        大部分数值集中在 0 附近；最右边细细的几根柱子就是卡住的传感器。两种规则来找它们：z 分数\
        （|x - μ| > 3σ，但异常值自己会把 σ 撑大）和 IQR（超出 Q1 - 1.5·IQR … Q3 + 1.5·IQR，稳健，\
        但也会把正常的尾部数值标出来）。
        """)
    var found = Table([lesson.tr(en: "rule", zh: "规则"), lesson.tr(en: "flagged", zh: "标记数"),
                       lesson.tr(en: "outliers caught", zh: "抓到的异常值"), lesson.tr(en: "false alarms", zh: "误报")])
    for (name, s) in [("z-score 3σ", r.zScore), ("IQR 1.5", r.iqr)] {
        found.append([.text(name), .integer(s.flagged), .number("\(s.caught) / \(r.dirty.outlierCells.count)"),
                      .integer(s.falseAlarms)])
    }
    lesson.table(found)
    var cleaning = Table([lesson.tr(en: "cleaning", zh: "清洗方法"),
                          lesson.tr(en: "RMSE at missing cells", zh: "缺失处 RMSE"),
                          lesson.tr(en: "RMSE at outliers", zh: "异常值处 RMSE"),
                          lesson.tr(en: "RMSE, all cells", zh: "全部单元格 RMSE")])
    for s in r.cleaning {
        cleaning.append([.text(s.recipe.name(lesson.language)), .number(Double(s.atMissing)),
                         .number(Double(s.atOutliers)), .number(Double(s.overall))])
    }
    lesson.table(cleaning)
    concludeCleaning(lesson, settings)
    lesson.plot(Histogram(title: lesson.tr(en: "label residual y − mean(row)", zh: "标签残差 y − 行均值"),
                          values: r.labels.residuals, bins: 30, height: 6))
    lesson.say(en: """
        Labels: here y must equal its row's mean, so the residual y − mean(row) exposes noisy labels: \
        a spike at 0 (clean rows, small errors from the filled cells) and wide tails (noisy rows). \
        Rows beyond ±\(fixed(r.labels.threshold, 3)) (3 robust σ) are flagged: \(grouped(r.labels.flagged.count)) \
        rows, \(grouped(r.labels.caught)) of the \(grouped(r.dirty.noisyRows.count)) noisy ones, \
        \(grouped(r.labels.falseAlarms)) false alarms. Read that as a best case: this check is an oracle, it \
        knows the rule that made the labels. Real data never tell you their rule; there a label check can only \
        compare a label with what similar rows or a model predict, which finds fewer wrong labels and flags \
        some right ones (the CSV path, --data, has no label check for that reason).
        """, zh: """
        标签：在这个数据集里 y 必须等于它那一行的均值，所以残差 y − 行均值 能暴露噪声标签：0 处一个尖峰\
        （干净的行，误差来自填补的单元格）加上宽宽的尾巴（噪声行）。超出 ±\(fixed(r.labels.threshold, 3))\
        （3 个稳健 σ）的行被标记：共 \(grouped(r.labels.flagged.count)) 行，抓到 \(grouped(r.dirty.noisyRows.count)) \
        个噪声行中的 \(grouped(r.labels.caught)) 个，误报 \(grouped(r.labels.falseAlarms)) 个。这只是最好的情况：\
        这个检查是个“先知”，它知道生成标签的规则。真实数据从不告诉你规则；那时标签检查只能把标签和相似的行\
        或模型的预测相比，找到的错误标签更少，还会误标一些正确的（所以 CSV 路径 --data 没有标签检查）。
        """)
    let best = r.cleaning[r.cleaning.count - 1], worst = r.cleaning[0]     // the four recipes, in order
    let (missing, outliers, noisy) = (grouped(r.dirty.missingCells.count), grouped(r.dirty.outlierCells.count),
                                      grouped(r.dirty.noisyRows.count))
    let (iqr, iqrFalse) = (grouped(r.iqr.caught), grouped(r.iqr.falseAlarms))
    let (z, zFalse) = (grouped(r.zScore.caught), grouped(r.zScore.falseAlarms))
    let caught = grouped(r.labels.caught)
    lesson.headline(en: "dirty copy: \(missing) missing, \(outliers) outliers, \(noisy) noisy labels; "
                        + "IQR caught \(iqr) (\(iqrFalse) false alarms), z-score \(z) (\(zFalse)); "
                        + "RMSE \(fixed(worst.overall)) → \(fixed(best.overall)); "
                        + "label check caught \(caught)/\(noisy)",
                    zh: "脏数据：缺失 \(missing) 个，异常值 \(outliers) 个，噪声标签 \(noisy) 个；IQR 抓到 \(iqr) "
                        + "个（误报 \(iqrFalse)），z 分数 \(z) 个（误报 \(zFalse)）；RMSE \(fixed(worst.overall)) → "
                        + "\(fixed(best.overall))；标签检查抓到 \(caught)/\(noisy)")
}

/// The cleaning recipes compared over seeds: each seed makes its own data and its own dirt.
/// RMSE at the missing cells (mean against median fill) and over all cells (no clipping against IQR).
func cleaningOverSeeds(_ settings: Settings, seeds: [UInt64]) -> (meanFill: SeedSample, medianFill: SeedSample,
                                                                  unclipped: SeedSample, iqr: SeedSample) {
    let results = runConcurrently(seeds) { seed in
        let s = settings.with(seed: seed)
        return computeDirty(syntheticData(s), settings: s)
    }
    func values(_ f: (DirtyResult) -> Float) -> SeedSample { SeedSample(results.map(f)) }
    return (values { $0.cleaning[0].atMissing }, values { $0.cleaning[1].atMissing },
            values { $0.cleaning[0].overall }, values { $0.cleaning[3].overall })
}

/// What the cleaning table shows, over seeds: the fill value, and clipping.
func concludeCleaning(_ lesson: Lesson, _ settings: Settings) {
    let n = lesson.seeds.count
    teachSeedNoise(lesson)
    let c = cleaningOverSeeds(settings, seeds: lesson.seeds)
    let fill = Comparison(c.medianFill, c.meanFill)
    let fillWhat = Localized(en: "RMSE at the missing cells, median fill against mean fill",
                             zh: "缺失处的 RMSE，中位数填补对均值填补")
    lesson.conclude("lesson1.clean.median-vs-mean", fill,
        lower: Localized(en: "\(fillWhat.en): \(meanSpread(fill.a, .en)) against \(meanSpread(fill.b, .en)) "
                             + "\(overSeedCount(n).en). "
                             + "No fill value can recover a random number, so both stay near the column's own "
                             + "spread, but the median is closer: the mean is pulled up by the stuck sensors.",
                         zh: "\(fillWhat.zh)：\(meanSpread(fill.a, .zh)) 对 "
                             + "\(meanSpread(fill.b, .zh))（\(overSeedCount(n).zh)）。"
                             + "任何填补值都还原不了一个随机数，所以两者都接近该列本身的离散程度，但中位数更近："
                             + "均值被卡住的传感器拉高了。"),
        higher: Localized(en: "\(fillWhat.en): \(meanSpread(fill.a, .en)) against \(meanSpread(fill.b, .en)) "
                              + "\(overSeedCount(n).en): "
                              + "here the mean fills closer.",
                          zh: "\(fillWhat.zh)：\(meanSpread(fill.a, .zh)) 对 "
                              + "\(meanSpread(fill.b, .zh))（\(overSeedCount(n).zh)）："
                              + "这里均值填补得更近。"),
        noDifference: noDifference(fillWhat, fill),
        diverged: Localized(en: "The cleaning errors are not finite numbers.", zh: "清洗误差不是有限的数。"))
    let clip = Comparison(c.iqr, c.unclipped)
    let clipWhat = Localized(en: "RMSE over all cells, IQR clipping + median against no clipping + mean",
                             zh: "全部单元格的 RMSE，IQR 裁剪 + 中位数对不裁剪 + 均值")
    lesson.conclude("lesson1.clean.clipping", clip,
        lower: Localized(en: "The big win is clipping: \(clipWhat.en) \(meanSpread(clip.a, .en)) against "
                             + "\(meanSpread(clip.b, .en)). Each outlier goes back to the rule's fence — not its true "
                             + "value, but far closer than +10σ. (In a real pipeline the fill values and fences "
                             + "come from the training split only, as the scaler's do below; the CSV path, "
                             + "--data, does it that way.)",
                         zh: "真正的收获来自裁剪：\(clipWhat.zh) \(meanSpread(clip.a, .zh)) 对 "
                             + "\(meanSpread(clip.b, .zh))。"
                             + "每个异常值被拉回到规则的边界——不是真实值，但比 +10σ 近得多。（在真实流程中，"
                             + "填补值和边界只能来自训练集，就像下面缩放器的统计量一样；CSV 路径 --data "
                                 + "就是这样做的。）"),
        higher: Localized(en: "\(clipWhat.en): \(meanSpread(clip.a, .en)) against \(meanSpread(clip.b, .en)) — "
                              + "clipping makes the table worse here.",
                          zh: "\(clipWhat.zh)：\(meanSpread(clip.a, .zh)) 对 "
                              + "\(meanSpread(clip.b, .zh))——这里裁剪反而更差。"),
        noDifference: noDifference(clipWhat, clip),
        diverged: Localized(en: "The cleaning errors are not finite numbers.", zh: "清洗误差不是有限的数。"))
}
