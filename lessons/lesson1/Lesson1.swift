import Engine
import Foundation
import LessonKit

// Lesson 1 · Data — "feeding the data" (the seed's first stage: the textbook and the exercises).
//
// Read it beside the seed's script (`scripts/seed_train.py`), whose data are three lines:
//
//     X = torch.randn(1000, seq_length, input_dim) * torch.arange(1, seq_length + 1).view(1, -1, 1)
//     y = X.mean(dim=(1, 2)).unsqueeze(-1)
//     X = (X - X.mean()) / X.std();  y = (y - y.mean()) / y.std()
//
// The cells, in reading order (one file each, `// MARK: - Cell k` inside):
//   Cell1_Generate     the seed's data made step by step, shapes and one sample printed
//   Cell2_Statistics   per-position statistics before and after standardisation
//   Cell3_Dirty        a dirty copy: missing values, outliers, noisy labels found, plotted, cleaned
//   Cell4_Split        train / validation / test, one DataLoader batch, the scaler (fitted on train)
//   Cell5_SmallModel   a small tanh model, one forward and backward pass on raw and standardised
//                      inputs: intermediate tensors, a gradient, saturated units counted
//   Cell6_Leakage      the scaler fitted on all data vs on the training split, in numbers
//   Cell7_Problem1     "the loss does not go down": raw vs standardised inputs, noisy vs clean
//                      labels, loss curves side by side; saturation and clipped steps counted
//                      (runs: Problem1Runs; conclusions: Cell7_InputConclusions, Cell7_LabelConclusions;
//                      closing summary: Cell7_Summary)
//   CSVData            `--data FILE.csv --target COLUMN`: the same cells on your own table
//
// Every number a cell prints comes from a plain function that returns a small result struct;
// `Tests/Lesson1Tests` calls the same functions, so the printed numbers are the answer keys.

/// The lesson's own knobs (the common flags `--seed --seeds --quiet --step --lang --report --claims`
/// come free). Each help text names the cell the knob drives.
let lessonOptions: [Option] = [
    .integer("samples", default: 1000, in: 100...100_000,
             help: Localized(en: "whole number: samples in the synthetic data set, cells 1–7 (the blog "
                                 + "post's script uses 1000)",
                             zh: "整数：合成数据集的样本数，单元 1–7（原文用 1000）")),
    .number("noise", default: 0.2, in: 0...1,
            help: Localized(en: "fraction: training labels made noisy, cells 3 and 7",
                            zh: "比例：被加噪声的训练标签，单元 3 和 7")),
    .number("missing", default: 0.05, in: 0...0.5,
            help: Localized(en: "fraction: cells made missing in the dirty copy, cell 3",
                            zh: "比例：脏数据副本中缺失的单元格，单元 3")),
    .number("lr", default: 1e-3, in: 1e-6...10,
            help: Localized(en: "number: the learning rate of every small model (Adam), cells 6 and 7",
                            zh: "数：每个小模型（Adam）的学习率，单元 6 和 7")),
    .integer("steps", default: 300, in: 10...20_000,
             help: Localized(en: "whole number: training steps of each small model, cells 6 and 7",
                             zh: "整数：每个小模型的训练步数，单元 6 和 7")),
    .number("weight-decay", default: 1, in: 0...10,
            help: Localized(en: "number: AdamW's decoupled weight decay λ against noisy labels, cell 7",
                            zh: "数：AdamW 的解耦权重衰减 λ（对付噪声标签），单元 7")),
    .file("data", extension: "csv", mustExist: true,
          help: Localized(en: "file: a numeric CSV table to run cells 1–7 on instead of the synthetic data",
                          zh: "文件：用一个数值 CSV 表格代替合成数据，运行单元 1–7")),
    .text("target", help: Localized(en: "column name, with --data: the column to predict, cells 1–7 "
                                        + "(default: the last column)",
                                    zh: "列名，配合 --data：要预测的列，单元 1–7（默认：最后一列）")),
    .choice("separator", default: "auto", among: ["auto", ",", ";", "tab", "|"],
            help: Localized(en: "one of the list, with --data: the CSV separator, cell 1 (auto: detected)",
                            zh: "列表之一，配合 --data：CSV 分隔符，单元 1（auto：自动检测）")),
]

/// Everything the cells need from the command line, in Swift names.
struct Settings {
    var samples = 1000
    var noise = 0.2
    var missing = 0.05
    var learningRate = 1e-3
    var steps = 300
    var weightDecay = 1.0
    var seed: UInt64 = 42
    var dataPath: String?
    var target: String?
    /// `nil`: detect it.
    var separator: Character?

    init() {}

    init(flags: Flags) {
        samples = flags.int("samples")
        noise = flags.double("noise")
        missing = flags.double("missing")
        learningRate = flags.double("lr")
        steps = flags.int("steps")
        weightDecay = flags.double("weight-decay")
        seed = flags.seed
        dataPath = flags.path("data")
        target = flags.text("target")
        switch flags.string("separator") {
        case "auto": separator = nil
        case "tab": separator = "\t"
        case let text: separator = text.first
        }
    }
}

let lesson1Title = Localized(en: "Lesson 1 · Data — feeding the data", zh: "第一课 · 数据预处理 —— 喂数据")
let lesson1Summary = Localized(
    en: """
    The blog post's data made step by step, statistics before and after standardisation, a dirty copy \
    cleaned, the split, a batch, scaler leakage, and why the loss does not go down.
    """,
    zh: """
    一步步生成原文的数据，标准化前后的统计，清洗一份脏数据，划分数据集，看一个批次，\
    缩放器的数据泄漏，以及损失为什么降不下来。
    """)

/// The cells, one file each; `lesson.cell(k)` prints "Cell k · title" (the CSV path titles cell 1
/// and 2 after what they do with a file).
let lesson1Cells: [Localized] = [
    Localized(en: "Make the blog post's data, one line at a time", zh: "一行一行地生成原文的数据"),
    Localized(en: "Statistics before and after standardisation", zh: "标准化前后的统计量"),
    Localized(en: "A dirty copy: find, plot, clean", zh: "一份脏数据：发现、画图、清洗"),
    Localized(en: "Split into train / validation / test; look at one batch", zh: "划分训练/验证/测试集；看一个批次"),
    Localized(en: "A small model, one forward and backward pass", zh: "一个小模型，一次前向和反向传播"),
    Localized(en: "Why the scaler sees the training split only", zh: "为什么缩放器只能看训练集"),
    Localized(en: "Problem 1: the loss does not go down", zh: "问题 1：损失降不下来"),
]

/// Runs every cell in order: the synthetic data, or the user's CSV file with `--data`.
/// - Throws: `LessonError.badInput` for a bad combination of flags or a CSV file it cannot use.
func runLesson(_ lesson: Lesson, _ settings: Settings) throws {
    lesson.cells(lesson1Cells)
    if let path = settings.dataPath {
        try runCSVLesson(lesson, settings, path: path)
        return
    }
    if settings.target != nil || settings.separator != nil {
        throw LessonError.badInput(Localized(
            en: "--target and --separator choose a column and a separator of a CSV file: "
                + "give the file with --data FILE.csv",
            zh: "--target 和 --separator 用于选择 CSV 文件的列和分隔符：请用 --data FILE.csv 指定文件"))
    }
    lesson.banner(.data)
    let data = cell1Generate(lesson, settings)
    cell2Statistics(lesson, data)
    cell3Dirty(lesson, settings, data)
    let split = cell4Split(lesson, settings, data)
    cell5SmallModel(lesson, settings, split)
    let splitFor: (UInt64) -> SplitResult = { seed in
        seed == settings.seed ? split : syntheticSplit(settings.with(seed: seed))
    }
    cell6Leakage(lesson, settings, splitFor: splitFor)
    cell7Problem1(lesson, settings, splitFor: splitFor)
}

@main
struct Lesson1 {
    static func main() {
        let lesson = Lesson.start("lesson1", title: lesson1Title, summary: lesson1Summary, options: lessonOptions,
                                  cells: lesson1Cells, arguments: Array(CommandLine.arguments.dropFirst()))
        lesson.run { try runLesson(lesson, Settings(flags: lesson.flags)) }
    }
}

extension Settings {
    /// The same knobs with another seed: what each seed of a comparison runs with.
    func with(seed: UInt64) -> Settings {
        var s = self
        s.seed = seed
        return s
    }
}
