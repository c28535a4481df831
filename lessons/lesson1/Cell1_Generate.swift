import Engine
import LessonKit

// Dimension letters used in this lesson: N samples, T positions in a sequence (5), C values per
// position (10), F features of a flat table (T·C = 50, or a CSV file's columns).

/// The seed's synthetic data before its standardisation line, and the pieces it was built from.
struct SeedData {
    /// `randn(N, T, C)`: the raw noise, before scaling. `[N, T, C]`
    let noise: Tensor
    /// `[1, 2, …, T]` viewed as `[1, T, 1]`, so it broadcasts over samples and values.
    let positionScale: Tensor
    /// `noise · positionScale`: position t has standard deviation t. `[N, T, C]`
    let x: Tensor
    /// The mean of each sample's T·C values. `[N, 1]`
    let y: Tensor
}

/// The seed's first two data lines, one engine op at a time:
///
///     X = randn(N, T, C) * arange(1, T + 1).view(1, -1, 1)
///     y = X.mean(dim=(1, 2)).unsqueeze(-1)
///
/// The random numbers are drawn in the same order as `makeSeedDataset` in the engine, so after
/// the seed's standardisation the two agree (a test checks it).
func makeSeedDataStepByStep(samples: Int, sequenceLength: Int = 5, inputDimensions: Int = 10,
                            generator: inout Generator) -> SeedData {
    let noise = Tensor.randn([samples, sequenceLength, inputDimensions], generator: &generator)  // [N, T, C]
    let positionScale = Tensor.arange(1, Float(sequenceLength + 1)).reshape([1, sequenceLength, 1]) // [1, T, 1]
    let x = noise * positionScale                                                              // [N, T, C]
    let y = x.mean(dims: [1, 2]).unsqueeze(-1)                                                  // [N, 1]
    return SeedData(noise: noise, positionScale: positionScale, x: x, y: y)
}

/// The seed's third line: `X = (X - X.mean()) / X.std()` with one global mean and the unbiased
/// std (PyTorch's `X.std()`), the same for targets.
func seedStandardise(_ t: Tensor) -> Tensor {
    (t - t.mean()) / t.variance(unbiased: true).sqrt()
}

/// The seed's data for `settings.seed` (cell 1 draws them; other seeds' comparisons redraw them).
func syntheticData(_ settings: Settings) -> SeedData {
    var generator = Generator(seed: settings.seed)
    return makeSeedDataStepByStep(samples: settings.samples, generator: &generator)
}

// MARK: - Cell 1: the seed's data, made step by step

func cell1Generate(_ lesson: Lesson, _ settings: Settings) -> SeedData {
    lesson.cell(1)
    lesson.say(en: """
        The blog post's script trains on made-up data whose answer is known: each sample is a sequence of 5 \
        positions with 10 numbers each, and the label is the average of those 50 numbers. \
        Position t is multiplied by t, so later positions are louder.
        """, zh: """
        原文用的是人造数据，答案事先知道：每个样本是 5 个位置、每个位置 10 个数的序列，\
        标签就是这 50 个数的平均值。第 t 个位置乘以 t，所以越靠后的位置“声音”越大。
        """)
    let data = syntheticData(settings)
    lesson.show(data.positionScale, name: "arange(1, 6).view(1, -1, 1)", precision: 1)
    lesson.say(en: "noise = randn(\(settings.samples), 5, 10) has shape \(data.noise.shape); "
               + "X = noise · scale has shape \(data.x.shape); y = X.mean(dim=(1, 2)) has shape \(data.y.shape).",
               zh: "noise = randn(\(settings.samples), 5, 10) 的形状是 \(data.noise.shape)；"
               + "X = noise · scale 的形状是 \(data.x.shape)；y = X.mean(dim=(1, 2)) 的形状是 \(data.y.shape)。")
    lesson.say(en: "Sample 0 — one row per position; the rows grow wider from top to bottom:",
               zh: "第 0 个样本——每个位置一行；从上到下，数值的幅度越来越大：")
    let sample = gatherRows(data.x, [0]).reshape([5, 10])
    lesson.show(sample, name: "X[0]", precision: 2)
    let y0 = data.y.scalars[0]
    let check = sample.mean().item
    lesson.show(gatherRows(data.y, [0]).reshape([1]), name: "y[0]")
    lesson.headline(en: "data: X \(data.x.shape), y \(data.y.shape); y[0] = \(fixed(y0)) = mean of X[0]'s 50 values " +
                        "(\(fixed(check)))",
                    zh: "数据：X \(data.x.shape)，y \(data.y.shape)；y[0] = \(fixed(y0)) = X[0] 的 50 " +
                        "个数的平均（\(fixed(check))）")
    return data
}
