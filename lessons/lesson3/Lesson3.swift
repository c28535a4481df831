import Engine
import LessonKit

// Lesson 3 · Tuning — "exercises and corrections". The seed: the loss deducts points for each wrong
// answer, the optimizer is the notebook of mistakes that says what to study next, and regularization
// forbids learning the answers by rote. Each cell below changes one choice and measures it.
//
// Reading order: Workbench.swift (the problem, the model, the training loop), then Cell1 … Cell9.

/// The lesson's knobs, read from the command line (tests build them directly).
struct Settings {
    var seed: UInt64 = 42
    /// `--optimizer` and `--lr`: "your run" in cell 4 (the seed's AdamW at 1e-3 by default).
    var optimizer: OptimizerKind = .adamw
    var learningRate = 1e-3
    /// `--clip`: the max gradient norm of cell 5 (the seed's 1.0).
    var clip: Float = 1
    /// `--weight-decay`, `--dropout`: AdamW's decay and the dropout probability of cell 6.
    var weightDecay = 1.0
    var dropout: Float = 0.5
    /// `--activation`, `--layers`: the extra deep network of cell 7.
    var activation: Activation = .relu
    var layers = 20
    /// `--batch-size`: highlighted in cell 8, the per-worker batch of cell 9.
    var batchSize = 32
    /// `--timing`: also measure wall-clock samples per second (output then differs run to run).
    var timing = false


    init() {}

    init(flags: Flags) {
        seed = flags.seed
        optimizer = OptimizerKind(rawValue: flags.string("optimizer")) ?? .adamw
        learningRate = flags.double("lr")
        clip = Float(flags.double("clip"))
        weightDecay = flags.double("weight-decay")
        dropout = Float(flags.double("dropout"))
        activation = flags.activation()
        layers = flags.int("layers")
        batchSize = flags.int("batch-size")
        timing = flags.isSet("timing")
    }
}

/// The lesson's own knobs (the common flags `--seed --quiet --step --lang --report` come free).
let lessonOptions: [Option] = [
    .choice("optimizer", default: "adamw", among: OptimizerKind.allCases.map(\.rawValue),
            help: Localized(en: "optimizer of \"your run\" (cell 4)", zh: "“你的训练”所用的优化器（第 4 格）")),
    .learningRate(default: 1e-3),
    .clip(default: 1.0),
    .weightDecay(default: 1.0, in: 0...100),
    .dropout(default: 0.5),
    .activation(default: .relu, among: lessonActivations),
    .integer("layers", default: 20, in: 2...64,
             help: Localized(en: "depth of the deep network (cell 7)", zh: "深层网络的层数（第 7 格）")),
    .batchSize(default: 32, in: 1...640),
    .flag("timing", help: Localized(en: "also measure samples per second (output varies between runs)",
                                    zh: "同时测量每秒处理的样本数（输出每次运行都会不同）")),
]

/// Runs every cell in reading order.
func runLesson(_ lesson: Lesson, _ settings: Settings) {
    lesson.banner(.tuning)
    cell1Problem(lesson, settings)
    cell2Losses(lesson, settings)
    cell3Optimizers(lesson, settings)
    cell4LearningRate(lesson, settings)
    cell5Clipping(lesson, settings)
    cell6Regularization(lesson, settings)
    cell7DeepGradients(lesson, settings)
    cell8BatchSize(lesson, settings)
    cell9DataParallel(lesson, settings)
    lesson.finish()
}

@main
struct Lesson3 {
    static func main() {
        let lesson = Lesson.start("lesson3",
            title: Localized(en: "Lesson 3 · Tuning", zh: "第三课 · 参数调优"),
            summary: Localized(
                en: "Exercises and corrections: losses, optimizers, learning rates, clipping, regularization, "
                    + "vanishing/exploding gradients and slow training, each measured.",
                zh: "做题与订正：损失函数、优化器、学习率、梯度裁剪、正则化、梯度消失/爆炸与训练太慢，逐一测量。"),
            options: lessonOptions)
        runLesson(lesson, Settings(flags: lesson.flags))
    }
}
