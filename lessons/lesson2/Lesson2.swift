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
// Reading order, one file and one function per cell (cell k is `lesson.cell(k)`, "▶ Cell k" on screen
// and "cell k" in the narration): Cell1_Layers, Cell2_PositionalEncoding,
// Cell3_Attention, Cell4_Head, Cell5_Parameters (with the initial values), Cell6_Init,
// Cell7_Activations, Cell8_Gradients, Cell9_VanishingGradients, Cell10_GradCheck, Cell11_Dropout,
// Cell12_Exercises. `walkThrough` (Cell1_Layers.swift) computes what cells 1–4 print.

/// The lesson's knobs, read once from the command line (tests build them directly).
struct Settings {
    /// `--seed`: one stream for the data and then the model's initial values, as in the seed.
    var seed: UInt64 = 42
    /// `--seeds`' seeds (`--seed`, `--seed`+1, …): every comparison runs over all of them.
    var seeds: [UInt64] = (0..<5).map { 42 + $0 }
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

    /// Reads the flags; a width that the heads do not divide is bad input (exit status 2).
    init(flags: Flags, seeds: [UInt64]) throws {
        seed = flags.seed
        self.seeds = seeds
        layers = flags.int("layers")
        activation = flags.activation()
        guard let scheme = InitScheme(rawValue: flags.string("init")) else {
            throw LessonError.badInput(Localized(en: "--init \(flags.string("init")) is not a scheme",
                                                 zh: "--init \(flags.string("init")) 不是一种初始化方式"))
        }
        initScheme = scheme
        modelDimensions = flags.int("d-model")
        numHeads = flags.int("heads")
        guard modelDimensions % 2 == 0 else {
            throw LessonError.badInput(Localized(
                en: "--d-model \(modelDimensions) is odd: the positional table pairs sin and cos, so D must be even",
                zh: "--d-model \(modelDimensions) 是奇数：位置编码表按 sin、cos 成对排列，所以 D 必须是偶数"))
        }
        guard modelDimensions % numHeads == 0 else {
            throw LessonError.badInput(Localized(
                en: "--d-model \(modelDimensions) does not divide into --heads \(numHeads): each head gets D/H " +
                    "features, so D must be a multiple of H",
                zh: "--d-model \(modelDimensions) 不能被 --heads \(numHeads) 整除：每个头分到 D/H 个特征，" +
                    "所以 D 必须是 H 的倍数"))
        }
    }
}

/// The lesson's cells, in reading order: `--help` lists them, the headings and the narration use
/// these numbers, and cell k is `CellK_*.swift`.
let cellTitles: [Localized] = [
    Localized(en: "The input projection", zh: "输入投影"),
    Localized(en: "Positional encoding", zh: "位置编码"),
    Localized(en: "Self-attention, one head", zh: "自注意力：一个头"),
    Localized(en: "Residual, layer norm, feed-forward, head", zh: "残差、层归一化、前馈网络、输出头"),
    Localized(en: "Parameters and their initial values", zh: "参数及其初始值"),
    Localized(en: "Initialisation through depth", zh: "初始化与深度"),
    Localized(en: "Five activation functions", zh: "五种激活函数"),
    Localized(en: "One forward and backward pass", zh: "一次前向与反向传播"),
    Localized(en: "Vanishing gradients: symptom and fix", zh: "梯度消失：症状与修复"),
    Localized(en: "Gradient check", zh: "梯度检验"),
    Localized(en: "Dropout and weight decay", zh: "dropout 与权重衰减"),
    Localized(en: "Exercises", zh: "练习"),
]

/// Lesson 2's own flags, besides the common ones (`--seed --seeds --step --quiet --lang --report …`).
let lessonOptions: [Option] = [
    .integer("layers", default: 20, in: 2...60,
             help: Localized(en: "depth L of the plain MLP (cells 6 and 9)",
                             zh: "普通多层感知机的层数 L（单元 6 和 9）")),
    // LessonKit's `.activation` knob, with help that names the cells it drives.
    .choice("activation", default: Activation.relu.rawValue, among: comparedActivations.map(\.rawValue),
            help: Localized(en: "non-linearity of the deep MLP in cell 6 (cell 9 compares all five)",
                            zh: "单元 6 中深层 MLP 的激活函数（单元 9 比较全部五种）")),
    .choice("init", default: InitScheme.pytorchDefault.rawValue, among: InitScheme.allCases.map { $0.rawValue },
            help: Localized(en: "weights of the deep MLP whose per-layer gradients cell 6 draws: small N(0, 0.01²), " +
                                "pytorch U(±1/√In), kaiming N(0, 2/In), large N(0, 1)",
                            zh: "单元 6 逐层画出梯度的那种深层 MLP 初始化：small N(0, 0.01²)、pytorch U(±1/√In)、" +
                                "kaiming N(0, 2/In)、large N(0, 1)")),
    .integer("d-model", default: 64, in: 4...256,
             help: Localized(en: "model width D of the blog post's transformer, even and a multiple of --heads " +
                                 "(cells 1–5, 8, 11)",
                             zh: "原文 Transformer 的宽度 D，须为偶数且是 --heads 的倍数（单元 1–5、8、11）")),
    .integer("heads", default: 4, in: 1...16,
             help: Localized(en: "attention heads H; D must be a multiple of H (cells 3–5, 8, 11)",
                             zh: "注意力头数 H；D 须是 H 的倍数（单元 3–5、8、11）")),
]

/// Runs every cell in reading order. `main` calls it with the real terminal; tests with a
/// collecting output, so what the tests check is exactly what a student sees.
func runLesson(_ lesson: Lesson, _ settings: Settings) throws {
    lesson.cells(cellTitles)             // `Lesson.start` declares them too; tests open a Lesson directly
    lesson.banner(.architecture)
    lesson.say(en: """
        The blog post "wires the brain": it picks a Transformer encoder and initialises its parameters. \
        We build that model layer by layer, print the tensor after each layer, count its parameters, \
        and then measure what initialisation and the activation function do to signals and \
        gradients travelling through depth.
        """, zh: """
        原文的第二步是“搭建大脑”：选择 Transformer 编码器并初始化参数。我们一层一层地搭出这个模型，\
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
}

@main
struct Lesson2 {
    static func main() {
        let lesson = Lesson.start(
            "lesson2",
            title: Localized(en: "Lesson 2 · Architecture", zh: "第二课 · 模型架构"),
            summary: Localized(
                en: "Build the blog post's Transformer regressor layer by layer; initialisation, activations and " +
                    "gradients through depth, each comparison over --seeds seeds.",
                zh: "逐层搭建原文的 Transformer 回归模型；观察初始化、激活函数和梯度在深度上的表现，每项比较都跑 "
                    + "--seeds 个随机种子。"),
            options: lessonOptions, cells: cellTitles)
        lesson.run { try runLesson(lesson, Settings(flags: lesson.flags, seeds: lesson.seeds)) }
    }
}
