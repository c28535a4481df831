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
let lesson1Options: [Option] = [
    .integer("samples", default: 1000, in: 100...100_000,
             help: Localized(en: "samples in the synthetic data set (the seed uses 1000)",
                             zh: "合成数据集的样本数（原文用 1000）")),
    .number("noise", default: 0.2, in: 0...1,
            help: Localized(en: "fraction of training labels made noisy", zh: "被加噪声的训练标签比例")),
    .number("missing", default: 0.05, in: 0...0.5,
            help: Localized(en: "fraction of cells made missing in the dirty copy", zh: "脏数据副本中缺失单元格的比例")),
    .learningRate(default: 1e-3),
    .integer("steps", default: 300, in: 10...20_000,
             help: Localized(en: "training steps of each small model in problem 1", zh: "问题 1 中每个小模型的训练步数")),
    .data(),
]

/// The `--target NAME` knob is read here rather than by LessonKit: LessonKit has no option kind
/// for free text (a `.file` option demands an extension), so the lesson takes it out of the
/// arguments before parsing the rest. It is listed in `--help` through the summary.
func extractTarget(_ arguments: inout [String]) -> String? {
    var target: String?
    var rest: [String] = []
    var i = 0
    while i < arguments.count {
        let a = arguments[i]
        if a == "--target", i + 1 < arguments.count {
            target = arguments[i + 1]
            i += 2
            continue
        }
        if a.hasPrefix("--target=") { target = String(a.dropFirst("--target=".count)) } else { rest.append(a) }
        i += 1
    }
    arguments = rest
    return target
}

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

    init(flags: Flags, target: String?) {
        samples = flags.int("samples")
        noise = flags.double("noise")
        missing = flags.double("missing")
        learningRate = flags.double("lr")
        steps = flags.int("steps")
        seed = flags.seed
        dataPath = flags.path("data")
        self.target = target
    }
}

let lesson1Title = Localized(en: "Lesson 1 · Data — feeding the data", zh: "第一课 · 数据预处理 —— 喂数据")
let lesson1Summary = Localized(
    en: """
    The seed's data made step by step, statistics before and after standardisation, a dirty copy \
    cleaned, the split, a batch, scaler leakage, and why the loss does not go down.
      --target NAME   with --data: the CSV column to predict (default: the last column)
    """,
    zh: """
    一步步生成原文的数据，标准化前后的统计，清洗一份脏数据，划分数据集，看一个批次，\
    缩放器的数据泄漏，以及损失为什么降不下来。
      --target NAME   配合 --data：要预测的 CSV 列（默认：最后一列）
    """)

/// Runs every cell in order: the synthetic data, or the user's CSV file with `--data`.
func runLesson1(_ lesson: Lesson, _ settings: Settings) {
    if let path = settings.dataPath {
        runCSVLesson(lesson, settings, path: path)
        return
    }
    lesson.banner(.data)
    let data = cellGenerate(lesson, settings)
    cellStatistics(lesson, data)
    cellDirty(lesson, settings, data)
    let split = cellSplit(lesson, settings, data)
    cellSmallModel(lesson, settings, split)
    cellLeakage(lesson, settings, split)
    cellProblem1(lesson, settings, split)
    cellSummary(lesson)
}

@main
struct Lesson1 {
    static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        let target = extractTarget(&arguments)
        let lesson = Lesson.start("lesson1", title: lesson1Title, summary: lesson1Summary,
                                  options: lesson1Options, arguments: arguments)
        runLesson1(lesson, Settings(flags: lesson.flags, target: target))
        lesson.finish()
    }
}

// MARK: - Small helpers shared by the cells

/// `String(format:)` with a fixed number of decimals, for narration and headlines.
func fmt(_ value: Float, _ decimals: Int = 4) -> String { String(format: "%.\(decimals)f", Double(value)) }
func fmt(_ value: Double, _ decimals: Int = 4) -> String { String(format: "%.\(decimals)f", value) }
/// Scientific notation with 2 decimals, for gradients: `sci(0.000123)` is "1.23e-04".
func sci(_ value: Float) -> String { String(format: "%.2e", Double(value)) }
/// A percentage with one decimal: `pct(0.4545)` is "45.5 %".
func pct(_ fraction: Double) -> String { String(format: "%.1f %%", 100 * fraction) }
