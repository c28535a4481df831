import Engine
import LessonKit

// Cell 1: Three sets — practice, weekly exam, final exam.

/// The seed's 1000 samples and the three sets cut from them.
struct LessonData {
    /// All 1000 samples, as the seed makes them (`X`: [1000, 5, 10], `y`: [1000, 1]).
    let all: TensorDataset
    /// 800 to train on, 100 for the weekly exam (validation), 100 for the final exam (test).
    let splits: DataSplits

    var train: TensorDataset { splits.train }
    var validation: TensorDataset { splits.validation }
    var test: TensorDataset { splits.test }
}

/// The seed's dataset (`makeSeedDataset`, the same recipe as `scripts/seed_train.py`) split 80/10/10.
/// One generator draws the data and then the split, so `seed` fixes both.
func makeLessonData(seed: UInt64) -> LessonData {
    var generator = Generator(seed: seed)
    let all = makeSeedDataset(samples: 1000, sequenceLength: 5, inputDimensions: 10, generator: &generator)
    let splits = trainValidationTestSplit(all, validation: 0.1, test: 0.1, generator: &generator)
    return LessonData(all: all, splits: splits)
}

/// Mean and (population) standard deviation of a tensor's values, for the table.
func meanAndStd(_ t: Tensor) -> (mean: Double, std: Double) {
    let n = Double(t.count)
    let mean = t.scalars.reduce(0.0) { $0 + Double($1) } / n
    let variance = t.scalars.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
    return (mean, variance.squareRoot())
}

// MARK: - Cell 1: Three sets — practice, weekly exam, final exam

func cell1Data(_ lesson: Lesson, seed: UInt64) -> LessonData {
    lesson.cell(1)
    lesson.say(en: """
        The blog post's script trains on all 1,000 samples and never asks how well the model does on data it \
        has not seen. \
        We keep its recipe (X = randn(1000, 5, 10) scaled by position, y = the mean of each sample, both \
        standardised) and cut the samples at random, with the seed fixed, into 800 to practise on, 100 for the \
        weekly exam (validation, marked every epoch) and 100 for the final exam (test, marked once at the end).
        """, zh: """
        示例脚本在全部 1,000 个样本上训练，从不检查模型在没见过的数据上表现如何。我们沿用它的配方（X = randn(1000, \
        5, 10) \
        按位置放大，y = 每个样本的均值，二者都标准化），再用固定的随机种子把样本随机分成三份：800 \
        个做练习题（训练集），\
        100 个做周考（验证集，每轮都考），100 个做期末考（测试集，最后只考一次）。
        """)
    let data = makeLessonData(seed: seed)
    var table = Table([lesson.tr(en: "set", zh: "数据集"), lesson.tr(en: "samples", zh: "样本数"),
                       lesson.tr(en: "X shape", zh: "X 形状"), lesson.tr(en: "y shape", zh: "y 形状"),
                       lesson.tr(en: "y mean", zh: "y 均值"), lesson.tr(en: "y std", zh: "y 标准差")])
    let rows: [(String, TensorDataset)] = [
        (lesson.tr(en: "train (practice)", zh: "训练集（练习题）"), data.train),
        (lesson.tr(en: "validation (weekly exam)", zh: "验证集（周考）"), data.validation),
        (lesson.tr(en: "test (final exam)", zh: "测试集（期末考）"), data.test),
    ]
    for (name, set) in rows {
        let stats = meanAndStd(set.targets)
        table.append([.text(name), .text(grouped(set.count)), .text("\(set.inputs.shape)"),
                      .text("\(set.targets.shape)"),
                      .number(stats.mean), .number(stats.std)])
    }
    lesson.table(table)
    lesson.show(data.train.targets.narrow(dim: 0, start: 0, length: 5).reshape([5]), name: "y_train[0:5]")
    lesson.say(en: """
        The exam sets are never trained on. The validation set will be looked at fifty times, so it slowly \
        leaks into our choices (which epoch to keep); that is why a separate test set stays sealed until the end.
        """, zh: """
        两份考试数据都不参与训练。验证集会被看五十次，它会慢慢“泄漏”进我们的选择（比如保留哪一轮的权重）；\
        所以还要另留一份测试集，一直封存到最后。
        """)
    return data
}
