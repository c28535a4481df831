import Engine

// LessonKit: how the lessons show their numbers, in a terminal and in an HTML report.
//
// A whole lesson, top to bottom (a `main.swift`):
//
//     import Engine
//     import LessonKit
//
//     let lesson = Lesson.start("lesson3",
//         title: Localized(en: "Lesson 3 · Tuning", zh: "第三课 · 参数调优"),
//         summary: Localized(en: "Train a small regressor and watch the loss fall.",
//                            zh: "训练一个小回归模型，看损失下降。"),
//         options: [.learningRate(), .epochs(default: 20), .activation(), .clip()])
//     // `--help` and bad flags are handled inside `start` (usage; exit 0 or 2).
//
//     let lr = lesson.flags.double("lr")                     // typed getters for the lesson's knobs
//     let epochs = lesson.flags.int("epochs")
//     var rng = Generator(seed: lesson.flags.seed)           // --seed N (default 42)
//
//     lesson.banner(.tuning)                                 // "Stage 3 · Tuning — exercises and corrections"
//     lesson.say(en: "The loss deducts points for each wrong answer.",
//                zh: "损失函数为每个错误答案扣分。")
//     lesson.step(en: "Look at the first batch", zh: "看第一批数据")   // pauses under --step
//     lesson.show(x, name: "x")                              // tensor([[...]], shape: [32, 10])
//     lesson.traceShape("input_proj", h)                     // only with --trace-shapes
//
//     var table = Table(["epoch", "train loss", "valid loss"])
//     for epoch in 1...epochs {
//         // ... train ...
//         table.append([.integer(epoch), .number(train), .number(valid)])
//     }
//     lesson.table(table)
//     lesson.plot(LineChart(title: lesson.tr(en: "Loss", zh: "损失"),
//                           series: [.init("train", trainLosses), .init("valid", validLosses)],
//                           xLabel: "epoch", logScale: true))
//     lesson.plot(BarChart(title: "gradient norm per layer", bars: norms))     // [(String, Float)]
//     lesson.plot(Histogram(title: "weights of layer 1", values: w.scalars))
//     lesson.plot(HeatMap(title: "attention, head 0", rows: attention))        // [[Float]]
//     lesson.headline(en: "final validation loss \(valid)", zh: "最终验证损失 \(valid)")  // even --quiet
//     lesson.finish()                                        // writes --report FILE.html, if given
//
// Flags every lesson understands: --help, --seed N, --step, --quiet, --lang en|zh,
// --report FILE.html, --trace-shapes. Ready-made knobs (Option+Knobs.swift): .learningRate() --lr,
// .epochs() --epochs, .batchSize() --batch-size, .activation() --activation, .clip() --clip,
// .weightDecay() --weight-decay, .dropout() --dropout, .data() --data FILE.csv. Anything else:
// .integer/.number/.choice/.file/.flag("name", default:, in:, help: Localized(en:, zh:)).
//
// Narration in two languages: every text is given in both, side by side, where it is used
// (`say(en:zh:)`, `Localized(en:zh:)`); LessonKit's own words are in `Catalogue`. A string
// literal where a `Localized` is expected reads the same in both languages (names, numbers).
//
// Tests drive a lesson without a terminal:
//
//     let output = LessonOutput.collecting()
//     let flags = try FlagParser(program: "lesson3", options: [.learningRate()]).parse(["--lr", "0.1"])
//     let lesson = Lesson(flags: flags, title: "Lesson 3", output: output)
//     ... output.text is everything printed, without colour.
//
// Files: Text/ (Language, Stage banners, Table, display width, Catalogue), Terminal/ (colour),
// Plots/ (LineChart, BarChart, Histogram, HeatMap, each as text and SVG), Flags/ (Option, knobs,
// FlagParser, Flags, FlagExit), Lesson/ (Lesson, LessonOutput, StepThrough), Report/ (HTMLReport).
// Tensors print through `Tensor.description(precision:)` in the engine (Tensor+Description.swift).
