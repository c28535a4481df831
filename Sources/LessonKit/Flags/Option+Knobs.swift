import Engine

// The knobs many lessons share, declared once so they read the same everywhere. A lesson lists
// the ones it uses; the defaults are the seed's (`scripts/seed_train.py`), the ranges generous but sane.

extension Option {
    /// `--lr X`: the optimizer's learning rate, the step size of each update.
    public static func learningRate(default value: Double = 1e-3, in range: ClosedRange<Double> = 1e-6...10) -> Option {
        .number("lr", default: value, in: range,
                help: Localized(en: "learning rate (step size of each update)", zh: "学习率（每次更新的步长）"))
    }

    /// `--epochs N`: passes over the training set.
    public static func epochs(default value: Int = 50, in range: ClosedRange<Int> = 1...10_000) -> Option {
        .integer("epochs", default: value, in: range,
                 help: Localized(en: "passes over the training set", zh: "训练集要学几遍（轮数）"))
    }

    /// `--batch-size N`: samples per gradient step.
    public static func batchSize(default value: Int = 32, in range: ClosedRange<Int> = 1...65_536) -> Option {
        .integer("batch-size", default: value, in: range,
                 help: Localized(en: "samples per gradient step", zh: "每次梯度更新用的样本数"))
    }

    /// `--activation NAME`: the hidden layers' non-linearity, one of the engine's `Activation`s.
    /// A lesson passes the ones it compares (their order is the order `--help` lists them in) and
    /// reads the choice back with `flags.activation()`.
    public static func activation(default value: Activation = .relu,
                                  among choices: [Activation] = Activation.allCases) -> Option {
        .choice("activation", default: value.rawValue, among: choices.map(\.rawValue),
                help: Localized(en: "activation function", zh: "激活函数"))
    }

    /// `--clip X`: the largest gradient norm allowed (0 turns clipping off).
    public static func clip(default value: Double = 1.0, in range: ClosedRange<Double> = 0...1_000) -> Option {
        .number("clip", default: value, in: range,
                help: Localized(en: "clip the gradient norm to X (0: off)", zh: "把梯度范数裁剪到 X（0：不裁剪）"))
    }

    /// `--weight-decay X`: AdamW's decoupled weight decay λ (each step shrinks every weight by lr·λ;
    /// not an L2 penalty added to the loss, which Adam would rescale).
    public static func weightDecay(default value: Double = 1e-4, in range: ClosedRange<Double> = 0...1) -> Option {
        .number("weight-decay", default: value, in: range,
                help: Localized(en: "AdamW's decoupled weight decay λ (not an L2 term in the loss)",
                                zh: "AdamW 的解耦权重衰减 λ（不是加进损失的 L2 项）"))
    }

    /// `--dropout X`: the probability of zeroing an activation in training.
    public static func dropout(default value: Double = 0.1, in range: ClosedRange<Double> = 0...0.95) -> Option {
        .number("dropout", default: value, in: range,
                help: Localized(en: "dropout probability", zh: "dropout 概率（随机丢弃的比例）"))
    }

    /// `--data FILE.csv`: read the data set from a CSV file instead of generating it.
    public static func data(default value: String? = nil) -> Option {
        .file("data", extension: "csv", default: value, mustExist: true,
              help: Localized(en: "read the data from a CSV file", zh: "从 CSV 文件读取数据"))
    }
}

extension Flags {
    /// The `--activation` knob's value. The parser only accepts the names the option listed, and
    /// those came from `Activation`, so every accepted name converts.
    public func activation() -> Activation {
        let name = string("activation")
        guard let activation = Activation(rawValue: name) else {
            preconditionFailure("Flags: --activation \(name) is not an Activation (declare it with .activation(...))")
        }
        return activation
    }
}
