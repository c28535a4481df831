import Engine
import LessonKit

/// Mean and spread of one position of the sequence, over every sample and every value there.
struct PositionStat {
    let position: Int
    let mean: Float
    let std: Float
    /// This position's share of the total variance: var_t / Σ var.
    let varianceShare: Double
}

/// The per-position statistics of `x: [N, T, C]`, reduced over samples and values (dims 0 and 2).
/// σ with divisor n, as a scaler uses.
func positionStatistics(_ x: Tensor) -> [PositionStat] {
    let mean = x.mean(dims: [0, 2])                                 // [T]
    let variance = x.variance(dims: [0, 2], unbiased: false)        // [T]
    let total = variance.scalars.reduce(0.0) { $0 + Double($1) }
    return (0..<x.shape[1]).map { t in
        PositionStat(position: t + 1, mean: mean.scalars[t], std: variance.scalars[t].squareRoot(),
                     varianceShare: Double(variance.scalars[t]) / total)
    }
}

/// Standardises each position on its own: a `StandardScaler` wants the feature last, so
/// `[N, T, C]` is permuted to `[N, C, T]`, scaled, and permuted back.
func standardisePerPosition(_ x: Tensor) -> Tensor {
    var scaler = StandardScaler()
    return scaler.fitTransform(x.permute([0, 2, 1])).permute([0, 2, 1])
}

/// The statistics cell's numbers: raw, after the seed's global standardisation, after
/// per-position standardisation.
struct StatisticsResult {
    let raw: [PositionStat]
    let global: [PositionStat]
    let perPosition: [PositionStat]
    /// The whole raw tensor's mean and (unbiased) std: what the seed's line divides by.
    let rawMean: Float
    let rawStd: Float

    /// How much louder the last position is than the first: σ_T / σ_1.
    static func loudness(_ stats: [PositionStat]) -> Float {
        guard let first = stats.first, let last = stats.last else { return .nan }
        return last.std / first.std
    }
}

func computeStatistics(_ data: SeedData) -> StatisticsResult {
    StatisticsResult(raw: positionStatistics(data.x),
                     global: positionStatistics(seedStandardise(data.x)),
                     perPosition: positionStatistics(standardisePerPosition(data.x)),
                     rawMean: data.x.mean().item,
                     rawStd: data.x.variance(unbiased: true).sqrt().item)
}

// MARK: - Cell 2: statistics before and after standardisation

func cell2Statistics(_ lesson: Lesson, _ data: SeedData) {
    lesson.cell(2)
    let result = computeStatistics(data)
    var table = Table([lesson.tr(en: "position", zh: "位置"),
                       lesson.tr(en: "raw mean", zh: "原始均值"), lesson.tr(en: "raw std", zh: "原始标准差"),
                       lesson.tr(en: "share of variance", zh: "方差占比"),
                       lesson.tr(en: "std, blog post's scaling", zh: "原文缩放后标准差"),
                       lesson.tr(en: "std, per position", zh: "逐位置缩放后标准差")])
    for t in result.raw.indices {
        table.append([.integer(t + 1), .number(Double(result.raw[t].mean)), .number(Double(result.raw[t].std)),
                      .number(percent(result.raw[t].varianceShare)),
                      .number(Double(result.global[t].std)), .number(Double(result.perPosition[t].std))])
    }
    lesson.table(table)
    lesson.plot(BarChart(title: lesson.tr(en: "raw std per position", zh: "每个位置的原始标准差"),
                         bars: result.raw.map { ("\(lesson.tr(en: "position", zh: "位置")) \($0.position)", $0.std) },
                         valueFormat: "%.3f"))
    let last = result.raw[result.raw.count - 1]        // T ≥ 1 positions: the blog post's data have 5
    lesson.say(en: """
        Every position has mean ≈ 0, but position 5 is \(fixed(StatisticsResult.loudness(result.raw), 2))× as \
        wide as position 1 and holds \(percent(last.varianceShare)) of all the variance (t² / Σt² = 25/55). \
        The label is the plain average, so position 5 also moves the label most, and the largest inputs \
        a neuron sees all come from it: in raw units it dominates both the signal and the gradients.
        """, zh: """
        每个位置的均值都约等于 0，但第 5 个位置的幅度是第 1 个的 \(fixed(StatisticsResult.loudness(result.raw), 2)) \
        倍，\
        占全部方差的 \(percent(last.varianceShare))（t² / Σt² = 25/55）。标签是简单平均，所以第 5 个位置\
        对标签的影响也最大；神经元看到的最大输入也都来自它：在原始尺度下，它同时主导了信号和梯度。
        """)
    lesson.say(en: """
        The blog post's line X = (X - X.mean()) / X.std() uses one mean (\(fixed(result.rawMean))) and one std \
        (\(fixed(result.rawStd))) for everything: the scale becomes ≈ 1 but position 5 stays \
        \(fixed(StatisticsResult.loudness(result.global), 2))× as wide. Standardising each position on its own \
        makes every std 1. Whether the blog post's scaling is enough is a question for training: cell 7 trains on \
        both and compares them over several seeds.
        """, zh: """
        原文的 X = (X - X.mean()) / X.std() 对所有数用同一个均值（\(fixed(result.rawMean))）和同一个标准差\
        （\(fixed(result.rawStd))）：整体尺度变成 ≈ 1，但第 5 个位置仍是第 1 个的 \
        \(fixed(StatisticsResult.loudness(result.global), 2)) 倍宽。逐位置标准化则让每个标准差都变成 1。\
        原文的缩放够不够，要靠训练来回答：单元 7 用两种方式训练，并在多个随机种子上比较。
        """)
    lesson.headline(en: "raw std per position: \(result.raw.map { fixed($0.std, 2) }.joined(separator: " ")); "
                    + "position 5 holds \(percent(last.varianceShare)) of the variance; after the blog "
                      + "post's scaling the " +
                      "std is "
                    + "\(result.global.map { fixed($0.std, 2) }.joined(separator: " "))",
                    zh: "各位置原始标准差：\(result.raw.map { fixed($0.std, 2) }.joined(separator: " "))；"
                    + "第 5 个位置占方差的 \(percent(last.varianceShare))；原文缩放后标准差为 "
                    + "\(result.global.map { fixed($0.std, 2) }.joined(separator: " "))")
}
