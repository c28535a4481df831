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
//   CSVData            `--data FILE.csv --target COLUMN`: the same cells on your own table
//
// Every number a cell prints comes from a plain function that returns a small result struct;
// `Tests/Lesson1Tests` calls the same functions, so the printed numbers are the answer keys.

/// The lesson's own knobs (the common flags `--seed --quiet --step --lang --report` come free).
let lessonOptions: [Option] = [
    .integer("samples", default: 1000, in: 100...100_000,
             help: Localized(en: "samples in the synthetic data set (the seed uses 1000)",
                             zh: "合成数据集的样本数（原文用 1000）")),
    .number("noise", default: 0.2, in: 0...1,
            help: Localized(en: "fraction of training labels made noisy", zh: "被加噪声的训练标签比例")),
    .number("missing", default: 0.05, in: 0...0.5,
            help: Localized(en: "fraction of cells made missing in the dirty copy",
                            zh: "脏数据副本中缺失单元格的比例")),
    .learningRate(default: 1e-3),
    .integer("steps", default: 300, in: 10...20_000,
             help: Localized(en: "training steps of each small model in problem 1",
                             zh: "问题 1 中每个小模型的训练步数")),
    .data(),
    .text("target", help: Localized(en: "with --data: the CSV column to predict (default: the last column)",
                                    zh: "配合 --data：要预测的 CSV 列（默认：最后一列）")),
]

/// Everything the cells need from the command line, in Swift names.
struct Settings {
    var samples = 1000
    var noise = 0.2
    var missing = 0.05
    var learningRate = 1e-3
    var steps = 300
    var seed: UInt64 = 42
    var dataPath: String?
    var target: String?

    init() {}

    init(flags: Flags) {
        samples = flags.int("samples")
        noise = flags.double("noise")
        missing = flags.double("missing")
        learningRate = flags.double("lr")
        steps = flags.int("steps")
        seed = flags.seed
        dataPath = flags.path("data")
        target = flags.text("target")
    }
}

let lesson1Title = Localized(en: "Lesson 1 · Data — feeding the data", zh: "第一课 · 数据预处理 —— 喂数据")
let lesson1Summary = Localized(
    en: """
    The seed's data made step by step, statistics before and after standardisation, a dirty copy \
    cleaned, the split, a batch, scaler leakage, and why the loss does not go down.
    """,
    zh: """
    一步步生成原文的数据，标准化前后的统计，清洗一份脏数据，划分数据集，看一个批次，\
    缩放器的数据泄漏，以及损失为什么降不下来。
    """)

/// Runs every cell in order: the synthetic data, or the user's CSV file with `--data`.
func runLesson(_ lesson: Lesson, _ settings: Settings) {
    if let path = settings.dataPath {
        runCSVLesson(lesson, settings, path: path)
        return
    }
    lesson.banner(.data)
    let data = cell1Generate(lesson, settings)
    cell2Statistics(lesson, data)
    cell3Dirty(lesson, settings, data)
    let split = cell4Split(lesson, settings, data)
    cell5SmallModel(lesson, settings, split)
    cell6Leakage(lesson, settings, split)
    cell7Problem1(lesson, settings, split)
    cell7Summary(lesson)
}

@main
struct Lesson1 {
    static func main() {
        let lesson = Lesson.start("lesson1", title: lesson1Title, summary: lesson1Summary,
                                  options: lessonOptions, arguments: Array(CommandLine.arguments.dropFirst()))
        runLesson(lesson, Settings(flags: lesson.flags))
        lesson.finish()
    }
}
