import Engine
import Foundation
import LessonKit

// `swift run lesson1 --data docs/lesson1/houses.csv --target price_k`: the same cells on your own
// numeric table. A CSV has no known rule behind its labels, so there is no label check and no
// "recorded units" version; everything else (statistics, dirt, split, batch, scaler, leakage,
// problem 1 raw vs standardised and clean vs noisy labels) runs on the file.

/// One column's statistics over its present values.
struct ColumnStat {
    let name: String
    let mean: Float
    let std: Float
    let min: Float
    let max: Float
    let missing: Int
}

/// Mean, std (divisor n), min, max and missing count of each column of `table: [N, F]`.
func columnStatistics(_ table: Tensor, names: [String]) -> [ColumnStat] {
    let features = table.shape[1]
    let missing = missingCountPerColumn(table)
    return (0..<features).map { f in
        let values = stride(from: f, to: table.count, by: features).map { Double(table.scalars[$0]) }.filter { !$0.isNaN }
        let mean = values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
        let variance = values.isEmpty ? 0 : values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        return ColumnStat(name: names[f], mean: Float(mean), std: Float(variance.squareRoot()),
                          min: Float(values.min() ?? .nan), max: Float(values.max() ?? .nan), missing: missing[f])
    }
}

/// The first line's last column name: the default target.
func lastColumnName(_ path: String) -> String? {
    guard let bytes = FileManager.default.contents(atPath: path) else { return nil }
    let text = String(decoding: bytes, as: UTF8.self)
    guard let header = text.split(whereSeparator: \.isNewline).first else { return nil }
    return header.split(separator: ",").last.map { $0.trimmingCharacters(in: .whitespaces) }
}

/// The file's data cleaned the right way: split first, then clip outliers to IQR fences and fill
/// gaps with medians, both fitted on the training split and applied unchanged to all three.
/// Rows without a label are dropped before splitting (there is nothing to learn from them).
struct CSVPrepared {
    let csv: CSVData
    let droppedUnlabelled: Int
    /// Cells outside the training fences, per split (train, validation, test).
    let clippedCells: [Int]
    let filledCells: [Int]
    let splits: Splits
}

func prepareCSV(_ csv: CSVData, seed: UInt64) -> CSVPrepared {
    let labelled = (0..<csv.target.count).filter { !csv.target.scalars[$0].isNaN }
    let data = csv.dataset.subset(labelled)
    var generator = Generator(seed: seed &+ 2)
    let raw = Splits(trainValidationTestSplit(data, validation: 0.1, test: 0.1, generator: &generator))
    let fences = outlierBounds(raw.train.inputs, rule: .iqr(k: 1.5))
    let trainClipped = clipOutliers(raw.train.inputs, bounds: fences)
    var clipped: [Int] = [], filled: [Int] = []
    func clean(_ d: TensorDataset) -> TensorDataset {
        let c = clipOutliers(d.inputs, bounds: fences)
        clipped.append(zip(c.scalars, d.inputs.scalars).filter { !$1.isNaN && $0 != $1 }.count)
        filled.append(d.inputs.scalars.filter(\.isNaN).count)
        return TensorDataset(inputs: imputeMissing(c, strategy: .median, fittedOn: trainClipped), targets: d.targets)
    }
    let splits = Splits(train: clean(raw.train), validation: clean(raw.validation), test: clean(raw.test))
    return CSVPrepared(csv: csv, droppedUnlabelled: csv.target.count - labelled.count,
                       clippedCells: clipped, filledCells: filled, splits: splits)
}

// MARK: - The CSV lesson: your own table through the same cells

func runCSVLesson(_ lesson: Lesson, _ settings: Settings, path: String) {
    lesson.banner(.data)
    lesson.step(en: "Load your table", zh: "读入你的表格")
    let target = settings.target ?? lastColumnName(path) ?? ""
    let csv: CSVData
    do { csv = try loadCSV(path, target: target) } catch {
        lesson.headline(en: "cannot read the data: \(error)", zh: "无法读取数据：\(error)")
        return
    }
    lesson.say(en: "\(path): \(csv.features.shape[0]) rows, features \(csv.featureNames.joined(separator: ", ")); "
               + "target \(csv.targetName) (choose another with --target NAME).",
               zh: "\(path)：\(csv.features.shape[0]) 行，特征 \(csv.featureNames.joined(separator: ", "))；"
               + "目标 \(csv.targetName)（用 --target NAME 换一列）。")
    let names = csv.featureNames + [csv.targetName]
    let stats = columnStatistics(Tensor.cat([csv.features, csv.target], dim: 1), names: names)
    var table = Table([lesson.tr(en: "column", zh: "列"), lesson.tr(en: "mean", zh: "均值"),
                       lesson.tr(en: "std", zh: "标准差"), "min", "max", lesson.tr(en: "missing", zh: "缺失")])
    for s in stats {
        table.append([.text(s.name), .number(Double(s.mean)), .number(Double(s.std)), .number(Double(s.min)),
                      .number(Double(s.max)), .integer(s.missing)])
    }
    lesson.table(table)
    let widest = stats.dropLast().max { $0.std < $1.std }!
    lesson.say(en: "The widest feature, \(widest.name), has std \(fixed(widest.std, 2)): in raw units it dominates the "
               + "inputs a neuron sees, as position 5 does in the seed's data.",
               zh: "最宽的特征 \(widest.name) 的标准差为 " +
                   "\(fixed(widest.std, 2))：在原始单位下，它主导了神经元看到的输入，"
               + "就像原文数据里的第 5 个位置。")
    let flagsIQR = flagOutliers(csv.features, rule: .iqr(k: 1.5))
    let flagsZ = flagOutliers(csv.features, rule: .zScore(threshold: 3))
    let f = csv.features.shape[1]
    let perColumn = (0..<f).map { c in stride(from: c, to: flagsIQR.count, by: f).filter { flagsIQR[$0] }.count }
    let noisiest = perColumn.indices.max { perColumn[$0] < perColumn[$1] } ?? 0
    let column = stride(from: noisiest, to: csv.features.count, by: f).map { csv.features.scalars[$0] }
    lesson.plot(Histogram(title: "\(csv.featureNames[noisiest])", values: column, bins: 30, height: 6))
    lesson.say(en: "Outliers flagged per column by IQR 1.5: \(perColumn.map(String.init).joined(separator: ", ")) "
               + "(z-score 3σ flags \(flagsZ.filter { $0 }.count) cells in all).",
               zh: "按 IQR 1.5 每列标记的异常值：\(perColumn.map(String.init).joined(separator: ", "))"
               + "（z 分数 3σ 共标记 \(flagsZ.filter { $0 }.count) 个单元格）。")
    let prepared = prepareCSV(csv, seed: settings.seed)
    lesson.say(en: """
        Cleaning, the right way round: split first (80/10/10, seeded), then clip every split to the \
        training split's IQR fences and fill its gaps with the training medians. Rows without a label: \
        \(prepared.droppedUnlabelled) dropped. Clipped cells (train/validation/test): \
        \(prepared.clippedCells.map(String.init).joined(separator: "/")); filled: \
        \(prepared.filledCells.map(String.init).joined(separator: "/")).
        """, zh: """
        正确的清洗顺序：先划分（80/10/10，固定种子），再用训练集的 IQR 边界裁剪每个子集，用训练集的中位数\
        填补缺失。没有标签的行：删掉 \(prepared.droppedUnlabelled) 行。被裁剪的单元格（训练/验证/测试）：\
        \(prepared.clippedCells.map(String.init).joined(separator: "/"))；被填补的：\
        \(prepared.filledCells.map(String.init).joined(separator: "/"))。
        """)
    let split = finishSplit(prepared.splits, seed: settings.seed)
    let cleanedColumn = stride(from: noisiest, to: split.splits.train.inputs.count, by: f)
        .map { split.splits.train.inputs.scalars[$0] }
    lesson.plot(Histogram(title: lesson.tr(en: "\(csv.featureNames[noisiest]) after cleaning (training split)",
                                           zh: "清洗后的 \(csv.featureNames[noisiest])（训练集）"),
                          values: cleanedColumn, bins: 30, height: 6))
    lesson.say(en: "train \(split.splits.train.count) · validation \(split.splits.validation.count) · test "
               + "\(split.splits.test.count); one batch: x \(split.batchX.shape), y \(split.batchY.shape)",
               zh: "训练 \(split.splits.train.count) · 验证 \(split.splits.validation.count) · 测试 "
               + "\(split.splits.test.count)；一个批次：x \(split.batchX.shape)，y \(split.batchY.shape)")
    lesson.show(split.batchX.narrow(dim: 0, start: 0, length: 2), name: "batch_x[:2]", precision: 2)
    var scaler = Table([lesson.tr(en: "column", zh: "列"), lesson.tr(en: "train mean μ", zh: "训练均值 μ"),
                        lesson.tr(en: "train std σ", zh: "训练标准差 σ")])
    for (k, name) in csv.featureNames.enumerated() {
        scaler.append([.text(name), .number(Double(split.xScaler.mean[k])), .number(Double(split.xScaler.std[k]))])
    }
    lesson.table(scaler)
    showScaledMoments(lesson, split)
    lesson.headline(en: "\(path): \(csv.features.shape[0]) rows × \(f) features; "
                    + "\(stats.map(\.missing).reduce(0, +)) missing cells, \(flagsIQR.filter { $0 }.count) IQR " +
                      "outliers; "
                    + "split \(split.splits.train.count)/\(split.splits.validation.count)/\(split.splits.test.count)",
                    zh: "\(path)：\(csv.features.shape[0]) 行 × \(f) 个特征；缺失 " +
                        "\(stats.map(\.missing).reduce(0, +)) 个，"
                    + "IQR 异常值 \(flagsIQR.filter { $0 }.count) 个；划分 "
                    + "\(split.splits.train.count)/\(split.splits.validation.count)/\(split.splits.test.count)")
    cell5SmallModel(lesson, settings, split, synthetic: false, featureNames: csv.featureNames)
    cell6Leakage(lesson, settings, split)
    cell7Problem1(lesson, settings, split, synthetic: false)
    cell7Summary(lesson)
}
