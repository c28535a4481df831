import Foundation
import Testing
import Engine
import TestSupport
@testable import LessonKit

/// The activations a lesson compares: a fixed list, so the usage below does not change when the
/// engine gains an activation.
let lessonActivations: [Activation] = [.relu, .leakyRelu, .gelu, .tanh, .sigmoid]

/// The parser of a lesson that declares every ready-made knob.
let knobsParser = FlagParser(program: "lesson3", summary: "Train it.",
                             options: [.learningRate(), .epochs(), .batchSize(), .activation(among: lessonActivations),
                                       .clip(),
                                       .weightDecay(), .dropout(), .data()])

/// Parses and expects a usage error with exactly `reason`; checks the status and the output layout.
func expectUsageError(_ arguments: [String], _ reason: String,
                      sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        _ = try knobsParser.parse(arguments)
        Issue.record("\(arguments) parsed, expected: \(reason)", sourceLocation: sourceLocation)
    } catch {
        #expect(error.status == 2, sourceLocation: sourceLocation)
        #expect(error.reason == reason, sourceLocation: sourceLocation)
        #expect(error.output == "error: \(reason)\n\n" + knobsParser.usage(), sourceLocation: sourceLocation)
    }
}

@Test func noArgumentsGiveTheDefaults() throws {
    let flags = try knobsParser.parse([])
    #expect(flags.seed == 42 && !flags.step && !flags.quiet && !flags.traceShapes)
    #expect(flags.language == .en && flags.reportPath == nil)
    #expect(flags.double("lr") == 0.001 && flags.int("epochs") == 50 && flags.int("batch-size") == 32)
    #expect(flags.string("activation") == "relu" && flags.double("clip") == 1)
    #expect(flags.double("weight-decay") == 0.0001 && flags.double("dropout") == 0.1)
    #expect(flags.path("data") == nil)
}

@Test func everyCommonFlagIsRead() throws {
    let flags = try knobsParser.parse(["--seed", "7", "--step", "--quiet", "--lang", "zh",
                                       "--report", "out.html", "--trace-shapes"])
    #expect(flags.seed == 7 && flags.step && flags.quiet && flags.traceShapes)
    #expect(flags.language == .zh && flags.reportPath == "out.html")
    #expect(flags.arguments.count == 9)
}

@Test func everyKnobIsRead() throws {
    let csv = FileManager.default.temporaryDirectory.appendingPathComponent("lessonkit-\(getpid()).csv").path
    #expect(FileManager.default.createFile(atPath: csv, contents: Data("x,y\n1,2\n".utf8)))
    defer { try? FileManager.default.removeItem(atPath: csv) }
    let flags = try knobsParser.parse(["--lr", "1e-2", "--epochs", "3", "--batch-size=64",
                                       "--activation", "gelu", "--clip", "0", "--weight-decay", "0.01",
                                       "--dropout", "0.5", "--data", csv])
    #expect(flags.double("lr") == 0.01 && flags.int("epochs") == 3 && flags.int("batch-size") == 64)
    #expect(flags.string("activation") == "gelu" && flags.double("clip") == 0)
    #expect(flags.double("weight-decay") == 0.01 && flags.double("dropout") == 0.5)
    #expect(flags.path("data") == csv)
}

@Test func equalsFormAndLaterRepetitionsWin() throws {
    let flags = try knobsParser.parse(["--lr=0.5", "--lr", "0.25", "--seed=3", "--lang=zh"])
    #expect(flags.double("lr") == 0.25 && flags.seed == 3 && flags.language == .zh)
}

@Test func helpPrintsTheUsageAndExitsZero() {
    for arguments in [["--help"], ["-h"], ["--lr", "0.1", "--help", "--bogus"]] {
        do {
            _ = try knobsParser.parse(arguments)
            Issue.record("\(arguments) did not ask for help")
        } catch {
            #expect(error.status == 0 && error.reason == nil)
            #expect(error.output == knobsParser.usage())
        }
    }
}

@Test func helpFollowsTheLanguage() {
    do { _ = try knobsParser.parse(["--lang", "zh", "--help"]) } catch {
        #expect(error.output.hasPrefix("用法：lesson3 [选项]"))
        #expect(error.output.contains("\n本课选项：\n"))
        #expect(error.output.contains("  --lr X              学习率（每次更新的步长）（默认 0.001，1e-06…10）"))
        #expect(error.output.contains("激活函数（默认 relu；可选 relu、leaky_relu、gelu、tanh、sigmoid）"))
    }
}

@Test func usageListsTheLessonsKnobsThenTheCommonFlags() {
    var parser = knobsParser
    parser.width = 100
    expectGolden(parser.usage(), """
        Usage: lesson3 [options]

        Train it.

        Lesson options:
          --lr X              learning rate (step size of each update) (default 0.001, 1e-06…10)
          --epochs N          passes over the training set (default 50, 1…10000)
          --batch-size N      samples per gradient step (default 32, 1…65536)
          --activation NAME   activation function (default relu; one of relu, leaky_relu, gelu, tanh,
                              sigmoid)
          --clip X            clip the gradient norm to X (0: off) (default 1, 0…1000)
          --weight-decay X    AdamW's decoupled weight decay λ (not an L2 term in the loss) (default 0.0001,
                              0…1)
          --dropout X         dropout probability (default 0.1, 0…0.95)
          --data FILE.csv     read the data from a CSV file

        Common options:
          --help              show this help and exit
          --seed N            seed of the random number generator (default 42, ≥ 0)
          --step              pause before every cell and before output would scroll off the screen; single
                              keys, no Enter needed: Enter or space next, c run to the end, q quit, ? list
                              the keys (a terminal only)
          --quiet             print only the headline numbers
          --lang en|zh        language of the narration (default en; one of en, zh)
          --report FILE.html  also write a self-contained HTML report to FILE
          --trace-shapes      print the shape of every tensor at each module boundary
          --seeds N           how many seeds each comparison runs over (mean ± spread) (default 5, 1…50)
          --claims FILE.json  also write each conclusion and its numbers to FILE
          --from N            start showing at cell N (earlier cells run silently) (default 1, 1…99)
          --cell N            show only cell N (0: every cell) (default 0, 0…99)
        """)
}

@Test func missingValues() {
    expectUsageError(["--lr"], "--lr needs a value: --lr X")
    expectUsageError(["--epochs", "--lr", "0.1"], "--epochs needs a value: --epochs N")
    expectUsageError(["--batch-size="], "--batch-size needs a value: --batch-size N")
    expectUsageError(["--seed"], "--seed needs a value: --seed N")
    expectUsageError(["--lang"], "--lang needs a value: --lang en|zh")
    expectUsageError(["--report"], "--report needs a value: --report FILE.html")
    expectUsageError(["--data"], "--data needs a value: --data FILE.csv")
    expectUsageError(["--activation"], "--activation needs a value: --activation NAME")
}

@Test func valuesThatAreNotNumbers() {
    expectUsageError(["--lr", "abc"], "--lr expects a number, got 'abc'")
    expectUsageError(["--clip", "nan"], "--clip expects a number, got 'nan'")
    expectUsageError(["--dropout", "inf"], "--dropout expects a number, got 'inf'")
    expectUsageError(["--weight-decay", "1e"], "--weight-decay expects a number, got '1e'")
    expectUsageError(["--epochs", "2.5"], "--epochs expects a whole number, got '2.5'")
    expectUsageError(["--batch-size", "many"], "--batch-size expects a whole number, got 'many'")
    expectUsageError(["--seed", "x1"], "--seed expects a whole number, got 'x1'")
}

@Test func valuesOutOfRange() {
    expectUsageError(["--lr", "0"], "--lr must be between 1e-06 and 10, got 0")
    expectUsageError(["--lr", "-0.1"], "--lr must be between 1e-06 and 10, got -0.1")
    expectUsageError(["--epochs", "0"], "--epochs must be between 1 and 10000, got 0")
    expectUsageError(["--batch-size", "100000"], "--batch-size must be between 1 and 65536, got 100000")
    expectUsageError(["--dropout", "1.5"], "--dropout must be between 0 and 0.95, got 1.5")
    expectUsageError(["--clip", "-1"], "--clip must be between 0 and 1000, got -1")
    expectUsageError(["--weight-decay", "2"], "--weight-decay must be between 0 and 1, got 2")
    expectUsageError(["--seed", "-1"], "--seed must be at least 0, got -1")
}

@Test func unknownNamesAndWrongFiles() {
    expectUsageError(["--activation", "swish"],
                     "--activation must be one of relu, leaky_relu, gelu, tanh, sigmoid; got 'swish'")
    expectUsageError(["--lang", "fr"], "--lang must be one of en, zh; got 'fr'")
    expectUsageError(["--report", "out.txt"], "--report expects a .html file, got 'out.txt'")
    expectUsageError(["--data", "points.txt"], "--data expects a .csv file, got 'points.txt'")
    expectUsageError(["--data", "/nonexistent/points.csv"], "--data: no such file '/nonexistent/points.csv'")
    expectUsageError(["--report", "/nonexistent/r.html"], "--report: no such folder '/nonexistent'")
}

@Test func unknownFlagsAndStrayArguments() {
    expectUsageError(["--learning-rate", "0.1"], "unknown option --learning-rate")
    expectUsageError(["--epoch", "3"], "unknown option --epoch; did you mean --epochs?")
    expectUsageError(["--seedz", "3"], "unknown option --seedz; did you mean --seed?")
    expectUsageError(["--seed", "99999999999999999999"],
                     "--seed must be between 0 and 9223372036854775807, got 99999999999999999999")
    expectUsageError(["-lr", "0.1"], "unexpected argument '-lr' (options start with --)")
    expectUsageError(["train"], "unexpected argument 'train' (options start with --)")
    expectUsageError(["--"], "unexpected argument '--' (options start with --)")
    expectUsageError(["--step=yes"], "--step takes no value, got '--step=yes'")
    // The first mistake is the one reported.
    expectUsageError(["--lr", "x", "--bogus"], "--lr expects a number, got 'x'")
}

@Test func lessonDeclaredOptionsOfEveryKind() throws {
    let parser = FlagParser(program: "p", options: [
        .integer("layers", default: 3, in: 1...12, help: "layers"),
        .number("scale", default: 1, in: 0.5...2, help: "scale"),
        .choice("optimizer", default: "adamw", among: ["sgd", "adamw"], help: "optimizer"),
        .flag("no-plot", help: "skip the plots"),
        .file("weights", extension: "json", mustExist: false, help: "weights file"),
    ])
    let flags = try parser.parse(["--layers", "12", "--scale", "0.5", "--optimizer", "sgd", "--no-plot",
                                  "--weights", "w.json"])
    #expect(flags.int("layers") == 12 && flags.double("scale") == 0.5)
    #expect(flags.string("optimizer") == "sgd" && flags.isSet("no-plot") && flags.path("weights") == "w.json")
    #expect(try !parser.parse([]).isSet("no-plot"))
    #expect(throws: FlagExit.self) { try parser.parse(["--layers", "13"]) }
}

@Test func editDistanceCountsSingleCharacterEdits() {
    #expect(editDistance("epoch", "epochs") == 1)
    #expect(editDistance("lr", "clip") == 3)
    #expect(editDistance("", "abc") == 3)
    #expect(editDistance("kitten", "sitting") == 3)
}

@Test func defaultsWithoutACommandLine() {
    let flags = Flags.defaults(for: [.learningRate(default: 0.05), .epochs(default: 7)])
    #expect(flags.double("lr") == 0.05 && flags.int("epochs") == 7)
    #expect(flags.seed == 42 && flags.language == .en && flags.arguments.isEmpty)
}
