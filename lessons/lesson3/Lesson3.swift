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

/// The lesson's own knobs (the common flags `--seed --seeds --quiet --step --lang --report --claims`
/// come free); each help text says which cell the knob drives.
let lessonOptions: [Option] = [
    .choice("optimizer", default: "adamw", among: OptimizerKind.allCases.map(\.rawValue),
            help: Localized(en: "optimizer of \"your run\" (cell 4)", zh: "“你的训练”所用的优化器（第 4 格）")),
    .number("lr", default: 1e-3, in: 1e-6...10,
            help: Localized(en: "learning rate of \"your run\" (cell 4)", zh: "“你的训练”的学习率（第 4 格）")),
    .number("clip", default: 1, in: 0...1_000,
            help: Localized(en: "max gradient norm of the clipped run at lr 0.5 (cell 5; 0: off)",
                            zh: "lr 0.5 时裁剪训练的最大梯度范数（第 5 格；0：不裁剪）")),
    .number("weight-decay", default: 1, in: 0...100,
            help: Localized(en: "AdamW's decoupled weight decay (cell 6)", zh: "AdamW 的解耦权重衰减（第 6 格）")),
    .number("dropout", default: 0.5, in: 0...0.95,
            help: Localized(en: "dropout probability (cell 6)", zh: "dropout 概率（第 6 格）")),
    .choice("activation", default: Activation.relu.rawValue, among: lessonActivations.map(\.rawValue),
            help: Localized(en: "activation of \"your\" deep network (cell 7)", zh: "“你的”深层网络的激活函数（第 7 "
                + "格）")),
    .integer("layers", default: 20, in: 2...64,
             help: Localized(en: "depth of the deep network (cell 7)", zh: "深层网络的层数（第 7 格）")),
    .integer("batch-size", default: 32, in: 1...640,
             help: Localized(en: "batch size marked in cell 8; per-worker batch of cell 9's 4 workers",
                             zh: "第 8 格标出的批大小；第 9 格 4 个工作节点各自的批大小")),
    .flag("timing", help: Localized(en: "also measure seconds in cells 8 and 9 (output varies between runs)",
                                    zh: "第 8、9 格同时测量秒数（输出每次运行都会不同）")),
]

/// The cells, in reading order: `lesson.cell(k)` in CellK_*.swift prints "Cell k · title".
let lessonCells: [Localized] = [
    Localized(en: "The exercise book and one correction", zh: "练习册与一次订正"),
    Localized(en: "How the loss deducts points", zh: "损失函数怎样扣分"),
    Localized(en: "Four ways to read the notebook of mistakes", zh: "读错题本的四种方法"),
    Localized(en: "The learning rate: too small, right, too large", zh: "学习率：太小、合适、太大"),
    Localized(en: "Gradient clipping under a high learning rate", zh: "高学习率下的梯度裁剪"),
    Localized(en: "Regularization: no learning by rote", zh: "正则化：不许死记硬背"),
    Localized(en: "Vanishing and exploding gradients through depth", zh: "梯度在深度中消失与爆炸"),
    Localized(en: "Slow training: batch size, steps and work", zh: "训练太慢：批大小、步数与计算量"),
    Localized(en: "Data-parallel training on real threads", zh: "在真实线程上做数据并行训练"),
]

/// Runs every cell in reading order (`lesson.run` in `main` then writes the report and claims).
func runLesson(_ lesson: Lesson, _ settings: Settings) throws {
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
            options: lessonOptions, cells: lessonCells)
        lesson.run { try runLesson(lesson, Settings(flags: lesson.flags)) }
    }
}
