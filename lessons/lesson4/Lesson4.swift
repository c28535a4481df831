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
//   Cell5_Overfitting.swift overfitting shown (small data, big model) and fixed three ways
//   Cell6_Comparisons.swift clipping, weight decay and dropout on and off, curves side by side
//   Cell7_FinalExam.swift   the test set once, a checkpoint saved and reloaded, the seed's inference
//   Cell8_Exercises.swift   exercises whose answers are the tests in Tests/Lesson4Tests

/// The lesson's knobs. Defaults are the seed's; `--train-size` and `--overfit-epochs` drive cell 5.
let lessonOptions: [Option] = [
    .epochs(default: 50),
    .learningRate(default: 1e-3),
    .clip(default: 1.0),
    .weightDecay(default: 1e-4),
    .dropout(default: 0.1),
    .integer("patience", default: 5, in: 0...1_000,
             help: Localized(en: "ReduceLROnPlateau's patience (bad epochs before the rate drops)",
                             zh: "ReduceLROnPlateau 的耐心（连续几轮不进步后降低学习率）")),
    .integer("stop-patience", default: 10, in: 1...1_000,
             help: Localized(en: "early stopping's patience (epochs without a better validation loss)",
                             zh: "早停的耐心（验证损失连续几轮不创新低就停）")),
    .choice("plateau-on", default: "train", among: ["train", "validation"],
            help: Localized(en: "the loss ReduceLROnPlateau watches (the seed: train)",
                            zh: "ReduceLROnPlateau 盯哪个损失（种子：train 训练损失）")),
    .flag("stop-early", help: Localized(en: "end the full run when early stopping fires (the seed runs every epoch)",
                                        zh: "早停触发时就结束完整训练（种子会跑完所有轮）")),
    .integer("train-size", default: 32, in: 8...800,
             help: Localized(en: "training samples in the overfitting experiment (cell 5)",
                             zh: "过拟合实验（第 5 格）的训练样本数")),
    .integer("overfit-epochs", default: 40, in: 1...10_000,
             help: Localized(en: "epochs of the overfitting experiment (cell 5)",
                             zh: "过拟合实验（第 5 格）的轮数")),
    .integer("compare-epochs", default: 8, in: 1...10_000,
             help: Localized(en: "epochs of each side-by-side comparison run (cell 6, small model)",
                             zh: "第 6 格每个对比实验的轮数（小模型）")),
    .flag("timing", help: Localized(en: "print each cell's wall time to standard error (not reproducible, so off by " +
                                        "default)",
                                    zh: "把每一格的耗时打印到标准错误（每次都不同，所以默认关闭）")),
]

/// With `--timing`, runs `body` and writes its wall time to standard error (never to the lesson's
/// output, which must be identical from run to run).
func timed<T>(_ lesson: Lesson, _ name: String, _ body: () -> T) -> T {
    guard lesson.flags.isSet("timing") else { return body() }
    let start = Date()
    let result = body()
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

/// Runs every cell in reading order. Tests call this with a collecting output.
func runLesson(_ lesson: Lesson, _ settings: Settings) {
    lesson.banner(.validation)
    lesson.say(en: """
        The seed's fourth stage: "the validation set watches for overfitting; the test set is the final exam". \
        We run the seed's whole training (its data, model, loop and printed line) and mark a validation set \
        after every epoch, like a weekly exam the model never studies from.
        """, zh: """
        种子文章的第四阶段：“用验证集监控过拟合，测试集是期末考试”。我们完整地跑一遍种子的训练（同样的数据、\
        模型、循环和打印格式），并在每一轮之后用验证集考一次——就像一场模型从不拿来复习的周考。
        """)
    let data = timed(lesson, "cell 1") { cell1Data(lesson, seed: settings.seed) }
    timed(lesson, "cell 2") { cell2Model(lesson, data: data, settings: settings) }
    let run = timed(lesson, "cell 3") { cell3FullRun(lesson, data: data, settings: settings) }
    timed(lesson, "cell 4") { cell4Curves(lesson, run: run.record, model: run.model, data: data) }
    timed(lesson, "cell 5") { cell5Overfitting(lesson, data: data, fullRun: run.record, settings: settings) }
    timed(lesson, "cell 6") { cell6Comparisons(lesson, data: data, settings: settings) }
    timed(lesson, "cell 7") { cell7FinalExam(lesson, run: run, data: data, settings: settings) }
    cell8Exercises(lesson)
    lesson.finish()
}

@main
struct Lesson4 {
    static func main() {
        let lesson = Lesson.start(
            "lesson4",
            title: Localized(en: "Lesson 4 · Validation", zh: "第四课 · 迭代验证"),
            summary: Localized(
                en: "The seed's full 50-epoch run with a validation set, ReduceLROnPlateau's trace, early "
                    + "stopping, overfitting shown and fixed, the test set as the final exam, and a checkpoint.",
                zh: "种子的完整 50 轮训练，加上验证集、ReduceLROnPlateau 的记录、早停、过拟合的出现与修复、"
                    + "作为期末考试的测试集，以及检查点的保存与读取。"),
            options: lessonOptions)
        runLesson(lesson, Settings(flags: lesson.flags))
    }
}
