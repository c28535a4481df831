import Engine
import LessonKit

/// Train / validation / test. The engine's `DataSplits` has no public initialiser (only
/// `trainValidationTestSplit` makes one), and this lesson builds splits of its own (transformed,
/// cleaned, with noisy labels), so it keeps the three pieces in this struct instead.
struct Splits {
    let train: TensorDataset
    let validation: TensorDataset
    let test: TensorDataset

    init(train: TensorDataset, validation: TensorDataset, test: TensorDataset) {
        self.train = train
        self.validation = validation
        self.test = test
    }

    init(_ s: DataSplits) { self.init(train: s.train, validation: s.validation, test: s.test) }
}

/// A data set with every input row flattened: `[N, T, C]` → `[N, T·C]` (a CSV table stays `[N, F]`).
func flattened(_ d: TensorDataset) -> TensorDataset {
    TensorDataset(inputs: d.inputs.reshape([d.count, d.inputs.count / Swift.max(d.count, 1)]), targets: d.targets)
}

/// The three splits with their inputs transformed by `transformX` and targets by the target
/// scaler (fitted on the clean training labels: the loss is then in units of their variance,
/// 1.0 = no better than always predicting the mean).
func transformed(_ s: Splits, _ transformX: (Tensor) -> Tensor, yScaler: StandardScaler) -> Splits {
    func one(_ d: TensorDataset) -> TensorDataset {
        let flat = flattened(d)
        return TensorDataset(inputs: transformX(flat.inputs), targets: yScaler.transform(flat.targets))
    }
    return Splits(train: one(s.train), validation: one(s.validation), test: one(s.test))
}

/// The split cell's numbers.
struct SplitResult {
    /// Raw units: inputs `[n, T, C]` (or `[n, F]`), targets `[n, 1]`.
    let splits: Splits
    /// The first training batch of a shuffled DataLoader.
    let batchX: Tensor
    let batchY: Tensor
    /// Fitted on the training split's flattened inputs, `[n, F]`.
    let xScaler: StandardScaler
    /// Fitted on the training split's targets.
    let yScaler: StandardScaler
}

/// The overall mean and std (divisor n) of a scaled table: what "standardised" means in numbers.
struct Moments {
    let mean: Float
    let std: Float

    init(_ t: Tensor) {
        mean = t.mean().item
        std = t.variance(unbiased: false).sqrt().item
    }
}

/// Each split's inputs after the training-fitted scaler: the training split is exactly 0 / 1 (per
/// column, so overall too); validation and test only close to it, because the scaler never saw
/// them. That small gap is the honest one.
func scaledMoments(_ r: SplitResult) -> [Moments] {
    [r.splits.train, r.splits.validation, r.splits.test].map { Moments(r.xScaler.transform(flattened($0).inputs)) }
}

/// Splits 80 / 10 / 10 with a seeded shuffle, takes one batch of 32, fits both scalers on the
/// training split only.
func computeSplit(_ data: TensorDataset, seed: UInt64) -> SplitResult {
    var generator = Generator(seed: seed &+ 2)
    let splits = trainValidationTestSplit(data, validation: 0.1, test: 0.1, generator: &generator)
    return finishSplit(Splits(splits), seed: seed)
}

/// The batch and the two scalers of an existing split.
func finishSplit(_ splits: Splits, seed: UInt64, batchSize: Int = 32) -> SplitResult {
    let loader = DataLoader(splits.train, batchSize: batchSize, shuffle: true, generator: Generator(seed: seed &+ 3))
    var iterator = loader.makeIterator()
    // A split has at least two training rows (`requireRowsForSplit`), so there is a first batch.
    guard let (bx, by) = iterator.next() else { preconditionFailure("finishSplit: an empty training split") }
    var xScaler = StandardScaler(), yScaler = StandardScaler()
    xScaler.fit(flattened(splits.train).inputs)
    yScaler.fit(splits.train.targets)
    return SplitResult(splits: splits, batchX: bx, batchY: by, xScaler: xScaler, yScaler: yScaler)
}

/// The lesson's split of the synthetic data for `settings.seed`.
func syntheticSplit(_ settings: Settings) -> SplitResult {
    let data = syntheticData(settings)
    return computeSplit(TensorDataset(inputs: data.x, targets: data.y), seed: settings.seed)
}

// MARK: - Cell 4: train / validation / test, one batch, the scaler

func cell4Split(_ lesson: Lesson, _ settings: Settings, _ data: SeedData) -> SplitResult {
    lesson.cell(4)
    lesson.say(en: """
        The textbook, the mock exam and the final exam: 80 % of the samples to learn from, 10 % to \
        tune with (validation), 10 % touched once at the very end (test). The shuffle is seeded, so \
        the same --seed gives the same split. We split the clean data; the dirty copy was practice.
        """, zh: """
        课本、模拟考、期末考：80 % 的样本用来学习，10 % 用来调参（验证集），10 % 只在最后用一次（测试集）。\
        打乱用了固定的随机种子，同一个 --seed 得到同样的划分。我们划分干净的数据；上面的脏数据只是练习。
        """)
    let r = computeSplit(TensorDataset(inputs: data.x, targets: data.y), seed: settings.seed)
    lesson.say(en: "train \(r.splits.train.count) · validation \(r.splits.validation.count) · test " +
                   "\(r.splits.test.count)",
               zh: "训练 \(r.splits.train.count) · 验证 \(r.splits.validation.count) · 测试 \(r.splits.test.count)")
    lesson.say(en: "One batch from DataLoader(train, batch_size=32, shuffle=True) — the first 4 labels:",
               zh: "DataLoader(train, batch_size=32, shuffle=True) 的一个批次——前 4 个标签：")
    lesson.show(r.batchY.narrow(dim: 0, start: 0, length: 4), name: "batch_y[0:4]")
    lesson.say(en: "batch_x has shape \(r.batchX.shape), batch_y has shape \(r.batchY.shape): "
               + "32 samples, each 5 positions × 10 values, one label each.",
               zh: "batch_x 的形状是 \(r.batchX.shape)，batch_y 的形状是 \(r.batchY.shape)："
               + "32 个样本，每个 5 个位置 × 10 个数，各一个标签。")
    lesson.say(en: """
        The model gets standardised inputs: a StandardScaler per column of the flattened [n, 50] table, \
        fitted on the training split only, then applied unchanged to validation and test. Column 0 of \
        each position:
        """, zh: """
        模型吃的是标准化后的输入：对展平后的 [n, 50] 表格每一列做 StandardScaler，只在训练集上拟合，\
        然后原样用于验证集和测试集。每个位置的第 0 列：
        """)
    var table = Table([lesson.tr(en: "column", zh: "列"), lesson.tr(en: "position", zh: "位置"),
                       lesson.tr(en: "train mean μ", zh: "训练均值 μ"), lesson.tr(en: "train std σ", zh: "训练标准差 " +
                                                                                                         "σ")])
    for p in 0..<5 {
        table.append([.integer(p * 10), .integer(p + 1), .number(Double(r.xScaler.mean[p * 10])),
                      .number(Double(r.xScaler.std[p * 10]))])
    }
    lesson.table(table)
    showScaledMoments(lesson, r)
    lesson.headline(en: "split \(r.splits.train.count)/\(r.splits.validation.count)/\(r.splits.test.count); "
                    + "one batch: x \(r.batchX.shape), y \(r.batchY.shape)",
                    zh: "划分 \(r.splits.train.count)/\(r.splits.validation.count)/\(r.splits.test.count)；"
                    + "一个批次：x \(r.batchX.shape)，y \(r.batchY.shape)")
    return r
}

/// Prints the mean and std of each split after scaling (both the seed's data and a CSV file).
func showScaledMoments(_ lesson: Lesson, _ r: SplitResult) {
    let m = scaledMoments(r)
    var table = Table([lesson.tr(en: "after scaling", zh: "缩放后"), lesson.tr(en: "mean", zh: "均值"),
                       lesson.tr(en: "std", zh: "标准差")])
    for (name, moments) in zip([lesson.tr(en: "train", zh: "训练集"), lesson.tr(en: "validation", zh: "验证集"),
                                lesson.tr(en: "test", zh: "测试集")], m) {
        table.append([.text(name), .number(Double(moments.mean)), .number(Double(moments.std))])
    }
    lesson.table(table)
    // How far validation and test land from mean 0, std 1: close for a large random split, further
    // for a small one (a CSV file of a few hundred rows).
    let offBy = m.dropFirst().map { Swift.max(Swift.abs(Double($0.mean)), Swift.abs(Double($0.std) - 1)) }
        .max() ?? 0
    lesson.conclude("lesson1.split.unseenSplitsClose", .threshold(value: offBy, relation: .below, limit: 0.1), [
        "true": Localized(en: "The training split comes out at exactly 0 and 1; validation and test only close to it "
                              + "(off by at most \(fixed(offBy, 3))), because the scaler never saw them. That is how "
                              + "new data will look too.",
                          zh: "训练集缩放后正好是 0 和 1；验证集和测试集只是接近（最多差 \(fixed(offBy, 3))），"
                              + "因为缩放器从没见过它们。新数据也会是这样。"),
        "false": Localized(en: "The training split comes out at exactly 0 and 1; validation and test are off by up to "
                               + "\(fixed(offBy, 3)): the scaler never saw them, and a split this small can look "
                               + "unlike the training rows. New data can be that far off too.",
                           zh: "训练集缩放后正好是 0 和 1；验证集和测试集最多差 \(fixed(offBy, 3))："
                               + "缩放器从没见过它们，而这么小的划分可能和训练行很不一样。新数据也可能差这么多。"),
        "diverged": Localized(en: "The scaled splits are not finite numbers.", zh: "缩放后的数据不是有限的数。"),
    ])
}
