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
        let values = stride(from: f, to: table.count, by: features).map { Double(table.scalars[$0]) }
            .filter { !$0.isNaN }
        let mean = values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
        let variance = values.isEmpty ? 0 : values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        return ColumnStat(name: names[f], mean: Float(mean), std: Float(variance.squareRoot()),
                          min: Float(values.min() ?? .nan), max: Float(values.max() ?? .nan), missing: missing[f])
    }
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

// MARK: - CSV errors in words

/// A CSV problem as the lesson says it: the place, then why, in English (the engine's `reason`) or
/// in Chinese (worded here from `CSVError.Kind`). (What could move to LessonKit: this wording.)
func csvErrorMessage(_ e: CSVError) -> Localized {
    // file:line:column as compilers write it; a column without a line (a whole column's problem) in words.
    var place = e.file, placeZh = e.file
    if let line = e.line {
        place += ":\(line)" + (e.column.map { ":\($0)" } ?? "")
        placeZh = place
    } else if let column = e.column {
        place += ", column \(column)"
        placeZh += "，第 \(column) 列"
    }
    return Localized(en: "\(place): \(e.reason)", zh: "\(placeZh)：\(csvReasonZh(e.kind))")
}

func fileProblemZh(_ p: FileProblem) -> String {
    switch p {
    case .notFound: return "没有这个文件"
    case .isDirectory: return "这是一个文件夹，不是文件"
    case .notRegularFile: return "这不是普通文件（是设备、管道还是套接字？）"
    case .permissionDenied: return "没有读取权限"
    case .tooLarge(let bytes, let limit): return "文件有 \(grouped(bytes)) 字节，超过了上限 \(grouped(limit))"
    case .system(let words): return words
    }
}

func csvReasonZh(_ kind: CSVError.Kind) -> String {
    func q(_ s: String) -> String { "“\(s)”" }
    switch kind {
    case .unreadable(let p): return "无法读取文件：\(fileProblemZh(p))"
    case .notText(let byte): return "不是文本文件（第 \(byte) 个字节不是 UTF-8 文本）；这真的是 CSV 文件吗？"
    case .emptyFile: return "文件是空的；第一行应该是列名"
    case .headerOnly: return "文件只有表头，没有数据行"
    case .unknownTargetColumn(let name, let available):
        let hint = available.count == 1 && available[0].contains(where: { ",;\t|".contains($0) })
            ? "（只找到一列：分隔符是不是别的字符？试试 --separator）" : ""
        return "没有名为 \(q(name)) 的列；现有的列是 \(available.map(q).joined(separator: "、"))\(hint)"
    case .raggedRow(let expected, let found): return "这一行有 \(found) 个单元格，但表头有 \(expected) 个"
    case .nonNumericCell(let text): return "\(q(text)) 不是数字"
    case .duplicateColumnName(let name): return "列名 \(q(name)) 出现了两次"
    case .emptyColumnName: return "表头里这一列没有名字"
    case .unterminatedQuote: return "这个带引号的字段没有结束（少了一个 \"？）"
    case .textAfterQuote(let text): return "结束引号后面还有文字 \(q(text))；引号里的引号要写成 \"\""
    case .unsupportedSeparator(let c): return "不支持分隔符 \(q(String(c)))；请用 ,、;、制表符或 |"
    case .noFeatures(let target): return "文件只有目标列 \(q(target))，没有可以学习的特征"
    case .nonFiniteValue(let text, let column, let count):
        return "列 \(q(column)) 中的 \(q(text)) 不是有限的数" + (count > 1 ? "（文件中共 \(count) "
            + "个，这是第一个）" : "")
    case .targetAllMissing(let name): return "目标列 \(q(name)) 的值全部缺失"
    case .constantTarget(let name, let value): return "目标列 \(q(name)) "
        + "每一行都是同一个值（\(value)），没有可预测的东西"
    case .tooFewRows(let found, let minimum):
        return "有标签的行只有 \(found) 行，不够划分训练/验证/测试集；至少需要 \(minimum) 行"
    }
}

/// Reads the file for the lesson: a `CSVError` becomes a `LessonError.badInput` (exit status 2)
/// worded in the lesson's language, and too few labelled rows for the split are refused here.
func loadLessonCSV(_ settings: Settings, path: String) throws -> CSVData {
    do {
        let csv = try loadCSV(path, target: settings.target, separator: settings.separator)
        try csv.requireRowsForSplit(validation: 0.1, test: 0.1)
        return csv
    } catch let error as CSVError {
        var message = csvErrorMessage(error)
        // A one-row file has a "constant" target; say the row count's problem too.
        if case .constantTarget = error.kind, let rows = roughDataRows(path), rows < splitMinimumRows {
            message = Localized(en: message.en + "; and \(rows) data row\(rows == 1 ? " is" : "s are") too few for a "
                                    + "train / validation / test split: at least \(splitMinimumRows) are needed",
                                zh: message.zh + "；而且 \(rows) 行数据不够划分训练/验证/测试集：至少需要 "
                                    + "\(splitMinimumRows) 行")
        }
        throw LessonError.badInput(message)
    }
}

/// The rows an 80 / 10 / 10 split needs (10).
let splitMinimumRows = minimumRowsForSplit(fractions: [0.8, 0.1, 0.1])

/// The non-blank lines after the header: the data rows, unless a quoted field spans lines (only
/// used to word a message).
func roughDataRows(_ path: String) -> Int? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    let lines = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
    return Swift.max(0, lines.filter { !$0.allSatisfy(\.isWhitespace) }.count - 1)
}

/// "`NA` ×3 (first at line 4, column 2)" for each missing-value spelling the file used.
func missingTokenList(_ tokens: [MissingToken]) -> Localized {
    func name(_ t: MissingToken) -> String { t.token.isEmpty ? "(empty)" : "'\(t.token)'" }
    func nameZh(_ t: MissingToken) -> String { t.token.isEmpty ? "（空）" : "“\(t.token)”" }
    return Localized(
        en: tokens.map { "\(name($0)) ×\(grouped($0.count)) (first at line \($0.line), column \($0.column))" }
            .joined(separator: ", "),
        zh: tokens.map { "\(nameZh($0)) ×\(grouped($0.count))（最早在第 \($0.line) 行第 \($0.column) 列）" }
            .joined(separator: "，"))
}

// MARK: - The CSV lesson: your own table through the same cells

func runCSVLesson(_ lesson: Lesson, _ settings: Settings, path: String) throws {
    let csv = try loadLessonCSV(settings, path: path)
    lesson.banner(.data)
    lesson.cell(1, Localized(en: "Load your table", zh: "读入你的表格"))
    let rows = csv.features.shape[0]
    lesson.say(en: "\(path): \(grouped(rows)) rows, features \(csv.featureNames.joined(separator: ", ")); "
               + "target \(csv.targetName) (choose another with --target NAME); separator "
               + "'\(csv.separator == "\t" ? "tab" : String(csv.separator))'.",
               zh: "\(path)：\(grouped(rows)) 行，特征 \(csv.featureNames.joined(separator: ", "))；"
               + "目标 \(csv.targetName)（用 --target NAME 换一列）；分隔符"
               + "“\(csv.separator == "\t" ? "tab" : String(csv.separator))”。")
    if csv.missingTokens.isEmpty {
        lesson.say(en: "No missing values.", zh: "没有缺失值。")
    } else {
        let list = missingTokenList(csv.missingTokens)
        lesson.say(en: "Read as missing: \(list.en).", zh: "读作缺失值的有：\(list.zh)。")
    }
    lesson.cell(2, Localized(en: "Statistics of each column", zh: "每一列的统计量"))
    let names = csv.featureNames + [csv.targetName]
    let stats = columnStatistics(Tensor.cat([csv.features, csv.target], dim: 1), names: names)
    var table = Table([lesson.tr(en: "column", zh: "列"), lesson.tr(en: "mean", zh: "均值"),
                       lesson.tr(en: "std", zh: "标准差"), "min", "max", lesson.tr(en: "missing", zh: "缺失")])
    for s in stats {
        table.append([.text(s.name), .number(Double(s.mean)), .number(Double(s.std)), .number(Double(s.min)),
                      .number(Double(s.max)), .integer(s.missing)])
    }
    lesson.table(table)
    // The loader guarantees at least one feature column.
    if let widest = stats.dropLast().max(by: { $0.std < $1.std }) {
        lesson.say(en: "The widest feature, \(widest.name), has std \(fixed(widest.std, 2)): in raw units it dominates "
                   + "the inputs a neuron sees, as position 5 does in the blog post's data.",
                   zh: "最宽的特征 \(widest.name) 的标准差为 "
                   + "\(fixed(widest.std, 2))：在原始单位下，它主导了神经元看到的输入，"
                   + "就像原文数据里的第 5 个位置。")
    }
    lesson.cell(3, Localized(en: "Outliers and missing cells: find, clean", zh: "异常值和缺失值：发现、清洗"))
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
    lesson.cell(4, Localized(en: "Split into train / validation / test; look at one batch",
                             zh: "划分训练/验证/测试集；看一个批次"))
    lesson.say(en: "train \(split.splits.train.count) · validation \(split.splits.validation.count) · test "
               + "\(split.splits.test.count); one batch: x \(split.batchX.shape), y \(split.batchY.shape)",
               zh: "训练 \(split.splits.train.count) · 验证 \(split.splits.validation.count) · 测试 "
               + "\(split.splits.test.count)；一个批次：x \(split.batchX.shape)，y \(split.batchY.shape)")
    lesson.show(split.batchX.narrow(dim: 0, start: 0, length: 2), name: "batch_x[0:2]", precision: 2)
    var scaler = Table([lesson.tr(en: "column", zh: "列"), lesson.tr(en: "train mean μ", zh: "训练均值 μ"),
                        lesson.tr(en: "train std σ", zh: "训练标准差 σ")])
    for (k, name) in csv.featureNames.enumerated() {
        scaler.append([.text(name), .number(Double(split.xScaler.mean[k])), .number(Double(split.xScaler.std[k]))])
    }
    lesson.table(scaler)
    showScaledMoments(lesson, split)
    lesson.headline(en: "\(path): \(grouped(csv.features.shape[0])) rows × \(f) features; "
                    + "\(grouped(stats.map(\.missing).reduce(0, +))) missing cells, "
                    + "\(grouped(flagsIQR.filter { $0 }.count)) IQR " +
                      "outliers; "
                    + "split \(split.splits.train.count)/\(split.splits.validation.count)/\(split.splits.test.count)",
                    zh: "\(path)：\(grouped(csv.features.shape[0])) 行 × \(f) 个特征；缺失 " +
                        "\(grouped(stats.map(\.missing).reduce(0, +))) 个，"
                    + "IQR 异常值 \(grouped(flagsIQR.filter { $0 }.count)) 个；划分 "
                    + "\(split.splits.train.count)/\(split.splits.validation.count)/\(split.splits.test.count)")
    cell5SmallModel(lesson, settings, split, synthetic: false, featureNames: csv.featureNames)
    let splitFor: (UInt64) -> SplitResult = { seed in
        seed == settings.seed ? split : finishSplit(prepareCSV(csv, seed: seed).splits, seed: seed)
    }
    cell6Leakage(lesson, settings, splitFor: splitFor)
    cell7Problem1(lesson, settings, splitFor: splitFor, synthetic: false)
}
