import Engine
import LessonKit

// Lesson 2 · Architecture ("wiring the brain").
//
// The seed's model, `TransformerEncoderRegressor`, taken apart and put back together one layer at a
// time, then the questions every architecture raises: how many parameters, how to initialise them,
// which activation function, do gradients survive the trip back through depth, is the backward
// pass right, and where do dropout and weight decay act.
//
// Dimension letters used in every file of this lesson: B batch (32), T sequence length (5),
// In input features (10), D model width (64), H heads (4), Dh = D/H (16), F feed-forward width (256).
//
// Reading order, one file and one function per cell: Cell1_Layers, Cell2_PositionalEncoding,
// Cell3_Attention, Cell4_Head, Cell5_Parameters (with 5b, the initial values), Cell6_Init,
// Cell7_Activations, Cell8_Gradients, Cell9_VanishingGradients, Cell10_GradCheck, Cell11_Dropout,
// Cell12_Exercises. `walkThrough` (Cell1_Layers.swift) computes what cells 1–4 print.

/// The lesson's knobs, read once from the command line (tests build them directly).
struct Settings {
    /// `--seed`: one stream for the data and then the model's initial values, as in the seed.
    var seed: UInt64 = 42
    /// `--layers`: depth of the plain MLP in the initialisation and vanishing-gradient experiments.
    var layers = 20
    /// `--activation`: the MLP's non-linearity in the initialisation experiment.
    var activation: Activation = .relu
    /// `--init`: the MLP's weight initialisation in the initialisation experiment.
    var initScheme: InitScheme = .pytorchDefault
    /// `--d-model`: D of the seed's model (64).
    var modelDimensions = 64
    /// `--heads`: H of the seed's model (4).
    var numHeads = 4

    init() {}

    init(flags: Flags) {
        seed = flags.seed
        layers = flags.int("layers")
        activation = flags.activation()
        initScheme = InitScheme(rawValue: flags.string("init"))!
        modelDimensions = Int(flags.string("d-model"))!
        numHeads = Int(flags.string("heads"))!
    }
}

/// Lesson 2's own flags, besides the common ones (`--seed --step --quiet --lang --report --trace-shapes`).
let lessonOptions: [Option] = [
    .integer("layers", default: 20, in: 2...60,
             help: Localized(en: "depth of the MLP in the initialisation and gradient experiments",
                             zh: "初始化与梯度实验中多层感知机的层数")),
    .activation(default: .relu, among: comparedActivations),
    .choice("init", default: "default", among: InitScheme.allCases.map { $0.rawValue },
            help: Localized(en: "initialisation of the deep MLP: small | default (PyTorch) | kaiming | large",
                            zh: "深层 MLP 的初始化：small（太小）| default（PyTorch 默认）| kaiming | large（太大）")),
    .choice("d-model", default: "64", among: ["16", "32", "64", "128"],
            help: Localized(en: "model width D of the seed's transformer", zh: "种子模型的宽度 d_model")),
    .choice("heads", default: "4", among: ["1", "2", "4", "8"],
            help: Localized(en: "attention heads H (D must divide by H)", zh: "注意力头数 nhead")),
]

/// Runs every cell in reading order. `main` calls it with the real terminal; tests with a
/// collecting output, so what the tests check is exactly what a student sees.
func runLesson(_ lesson: Lesson, _ settings: Settings) {
    lesson.banner(.architecture)
    lesson.say(en: """
        The seed "wires the brain": it picks a Transformer encoder and initialises its parameters. \
        We build that model layer by layer, print the tensor after each layer, count its parameters, \
        and then measure what initialisation and the activation function do to signals and \
        gradients travelling through depth.
        """, zh: """
        种子文章的第二步是"搭建大脑"：选择 Transformer 编码器并初始化参数。我们一层一层地搭出这个模型，\
        打印每一层之后的张量，数清参数，然后测量初始化方式和激活函数如何影响信号与梯度在深度方向上的传递。
        """)
    let walk = walkThrough(settings)
    cell1Layers(lesson, walk)
    cell2PositionalEncoding(lesson, walk)
    cell3Attention(lesson, walk)
    cell4Head(lesson, walk)
    cell5Parameters(lesson, settings)
    cell6Initialisation(lesson, settings)
    cell7Activations(lesson, settings)
    cell8ForwardBackward(lesson, settings)
    cell9VanishingGradients(lesson, settings)
    cell10GradCheck(lesson, settings)
    cell11DropoutAndDecay(lesson, settings)
    cell12Exercises(lesson, settings)
    lesson.finish()
}

@main
struct Lesson2 {
    static func main() {
        let lesson = Lesson.start(
            "lesson2",
            title: Localized(en: "Lesson 2 · Architecture", zh: "第二课 · 模型架构"),
            summary: Localized(
                en: "Build the seed's Transformer regressor layer by layer; initialisation, activations and " +
                    "gradients through depth.",
                zh: "逐层搭建种子文章的 Transformer 回归模型；观察初始化、激活函数和梯度在深度上的表现。"),
            options: lessonOptions)
        runLesson(lesson, Settings(flags: lesson.flags))
    }
}
