import Engine
import Foundation
import LessonKit

// Lesson 4 · Validation — "weekly and monthly exams".
//
// The seed's whole training run (its data, its model, its loop, its printed line), with what the
// seed leaves out: a validation set marked after every epoch, the learning-rate scheduler's own
// bookkeeping, early stopping that keeps the best weights, overfitting made to happen and then
// fixed, the test set as the final exam, and a checkpoint that reloads bit for bit.
//
// Read the cells in order, beside the seed's script, scripts/seed_train.py (in this repository):
//   Cell1_Data.swift        the three sets: practice, weekly exam, final exam
//   Cell2_Model.swift       the seed's model, loss, optimizer; one step with its tensors and gradients
//   Cell3_FullRun.swift     the training loop, line by line beside the seed's
//   Cell4_Curves.swift      train vs validation curves, ReduceLROnPlateau's trace, early stopping
//   Cell5_Overfitting.swift overfitting shown (few samples, no regularization) and five fixes, over seeds
//   Cell6_Comparisons.swift clipping, weight decay and dropout on and off, over seeds, side by side
//   Divergence.swift        a run that blows up is stopped and called diverged, with the guard's diagnosis
//   OverSeeds.swift         one setting trained on several seeds: mean ± spread, and the comparisons
//   Cell7_FinalExam.swift   the test set once, a checkpoint saved and reloaded, the seed's inference
//   Cell8_Exercises.swift   exercises whose answers are the tests in Tests/Lesson4Tests

/// A shared knob with this lesson's help text: what it is, and which cells it drives. The kind
/// (type, default, range) stays the shared one; `--help` prints those after the text.
func knob(_ option: Option, _ help: Localized) -> Option { Option(option.name, kind: option.kind, help: help) }

/// The lesson's knobs. Defaults are the seed's; `--train-size` and `--overfit-epochs` drive cell 5.
let lessonOptions: [Option] = [
    knob(.epochs(default: 50), Localized(en: "epochs of the full run (cells 3, 4, 7)",
                                         zh: "完整训练的轮数（第 3、4、7 格）")),
    knob(.learningRate(default: 1e-3), Localized(en: "AdamW's learning rate (cells 2–7; cell 6 also tries 10×)",
                                                 zh: "AdamW 的学习率（第 2–7 格；第 6 格另试 10 倍）")),
    knob(.clip(default: 1.0), Localized(en: "largest gradient norm, 0: off (cells 2–7)",
                                        zh: "梯度范数上限，0 表示不裁剪（第 2–7 格）")),
    knob(.weightDecay(default: 1e-4), Localized(en: "AdamW's decoupled weight decay λ (cells 2–4, 6, 7)",
                                                zh: "AdamW 的解耦权重衰减 λ（第 2–4、6、7 格）")),
    knob(.dropout(default: 0.1), Localized(en: "dropout probability (cells 2–4, 6, 7)",
                                           zh: "dropout 概率（第 2–4、6、7 格）")),
    .integer("patience", default: 5, in: 0...1_000,
             help: Localized(en: "ReduceLROnPlateau's patience, bad epochs before the rate drops (cells 3, 4)",
                             zh: "ReduceLROnPlateau 的耐心：连续几轮不进步后降低学习率（第 3、4 格）")),
    .integer("stop-patience", default: 10, in: 1...1_000,
             help: Localized(en: "early stopping's patience, epochs without a better validation loss (cells 3–5)",
                             zh: "早停的耐心：验证损失连续几轮不创新低就停（第 3–5 格）")),
    .choice("plateau-on", default: "train", among: ["train", "validation"],
            help: Localized(en: "the loss ReduceLROnPlateau watches; the blog post's script: train (cells 3, 4)",
                            zh: "ReduceLROnPlateau 盯哪个损失；示例脚本用 train（第 3、4 格）")),
    .flag("stop-early", help: Localized(en: "end the full run when early stopping fires; the blog post's script runs "
                                            + "every epoch (cell 3)",
                                        zh: "早停触发时就结束完整训练；示例脚本会跑完所有轮（第 3 格）")),
    .integer("train-size", default: 32, in: 8...800,
             help: Localized(en: "training samples in the overfitting experiment (cell 5)",
                             zh: "过拟合实验的训练样本数（第 5 格）")),
    .integer("overfit-epochs", default: 60, in: 1...10_000,
             help: Localized(en: "epochs of each overfitting run, per seed (cell 5)",
                             zh: "过拟合实验每次训练的轮数，每个随机种子一次（第 5 格）")),
    .integer("compare-epochs", default: 8, in: 1...10_000,
             help: Localized(en: "epochs of each side-by-side run, per seed, small model (cell 6)",
                             zh: "并排对比每次训练的轮数，每个随机种子一次，小模型（第 6 格）")),
    .flag("timing", help: Localized(en: "print each cell's wall time to standard error (not reproducible, so off by "
                                        + "default)",
                                    zh: "把每一格的耗时打印到标准错误（每次都不同，所以默认关闭）")),
]

/// The cells, in reading order: `--help` lists them, `--from N` / `--cell N` count them, and each
/// cell's function starts with `lesson.cell(k)`, so headings, code and narration share one numbering.
let lesson4Cells: [Localized] = [
    Localized(en: "Three sets: practice, weekly exam, final exam", zh: "三份数据：练习题、周考、期末考"),
    Localized(en: "The blog post's model, loss and optimizer — one step up close",
              zh: "示例脚本的模型、损失和优化器——近看一步"),
    Localized(en: "The blog post's full run, with a weekly exam after every epoch",
              zh: "示例脚本的完整训练，每轮之后一次周考"),
    Localized(en: "Reading the exam results", zh: "看成绩单"),
    Localized(en: "Overfitting: perfect on the exercises, failing the exam", zh: "过拟合：练习题全对，考试不及格"),
    Localized(en: "Clipping, weight decay and dropout: on and off, side by side",
              zh: "梯度裁剪、权重衰减、dropout：开与关，并排比较"),
    Localized(en: "The final exam, a checkpoint, and the blog post's inference",
              zh: "期末考试、检查点，以及示例脚本的推理"),
    Localized(en: "Exercises", zh: "练习"),
]

/// With `--timing`, runs `body` and writes its wall time to standard error (never to the lesson's
/// output, which must be identical from run to run).
func timed<T>(_ lesson: Lesson, _ name: String, _ body: () throws -> T) rethrows -> T {
    guard lesson.flags.isSet("timing") else { return try body() }
    let start = Date()
    let result = try body()
    let seconds = Date().timeIntervalSince(start)
    let text = "[timing] \(name): " + String(format: "%.2f s\n", seconds)
    FileHandle.standardError.write(Data(text.utf8))
    return result
}

extension Settings {
    /// The seed's settings with the command line's changes.
    init(flags: Flags) {
        self.init()
        epochs = flags.int("epochs")
        learningRate = flags.double("lr")
        clip = flags.double("clip")
        weightDecay = flags.double("weight-decay")
        dropout = flags.double("dropout")
        schedulerPatience = flags.int("patience")
        stopPatience = flags.int("stop-patience")
        stopEarly = flags.isSet("stop-early")
        plateauOnValidation = flags.string("plateau-on") == "validation"
        seed = flags.seed
    }
}

/// Runs every cell in reading order. Tests call this with a collecting output; `main` runs it
/// inside `lesson.run`, which writes the report and claims at the end.
/// - Throws: `LessonError.runTime` when the checkpoint cannot be written or read back.
func runLesson(_ lesson: Lesson, _ settings: Settings) throws {
    lesson.cells(lesson4Cells)
    lesson.banner(.validation)
    lesson.say(en: """
        The blog post's fourth stage: "the validation set watches for overfitting; the test set is the final exam". \
        We run the blog post's whole training (its data, model, loop and printed line) and mark a validation set \
        after every epoch, like a weekly exam the model never studies from.
        """, zh: """
        原文的第四阶段：“用验证集监控过拟合，测试集是期末考试”。我们完整地跑一遍示例脚本的训练（同样的数据、\
        模型、循环和打印格式），并在每一轮之后用验证集考一次——就像一场模型从不拿来复习的周考。
        """)
    let data = timed(lesson, "cell 1") { cell1Data(lesson, seed: settings.seed) }
    timed(lesson, "cell 2") { cell2Model(lesson, data: data, settings: settings) }
    let run = timed(lesson, "cell 3") { cell3FullRun(lesson, data: data, settings: settings) }
    timed(lesson, "cell 4") { cell4Curves(lesson, run: run.record, model: run.model, data: data) }
    timed(lesson, "cell 5") { cell5Overfitting(lesson, data: data, fullRun: run.record, settings: settings) }
    timed(lesson, "cell 6") { cell6Comparisons(lesson, data: data, settings: settings) }
    try timed(lesson, "cell 7") { try cell7FinalExam(lesson, run: run, data: data, settings: settings) }
    cell8Exercises(lesson)
}

@main
struct Lesson4 {
    static func main() {
        let lesson = Lesson.start(
            "lesson4",
            title: Localized(en: "Lesson 4 · Validation", zh: "第四课 · 迭代验证"),
            summary: Localized(
                en: "The blog post's full 50-epoch run with a validation set, ReduceLROnPlateau's trace, early "
                    + "stopping, overfitting shown and fixed, the test set as the final exam, and a checkpoint.",
                zh: "示例脚本的完整 50 轮训练，加上验证集、ReduceLROnPlateau 的记录、早停、过拟合的出现与修复、"
                    + "作为期末考试的测试集，以及检查点的保存与读取。"),
            options: lessonOptions, cells: lesson4Cells)
        lesson.run { try runLesson(lesson, Settings(flags: lesson.flags)) }
    }
}
