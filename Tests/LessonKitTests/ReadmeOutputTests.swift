import Foundation
import Testing

// README's sample outputs are the programs' real output. Every fenced block in README.md that
// starts with `$ swift run lessonN ARGS` is checked against what `.build/debug/lessonN ARGS`
// prints when piped (wrapped at 100 columns): in full, or, when the block's first line after the
// command is `…` or its command line ends in `# excerpt`, as an excerpt whose lines must all appear
// in the output in the same order. The built programs are there: `swift test` builds every target.

/// One sample block: the lesson, its arguments, the lines shown, and whether it is an excerpt.
struct ReadmeSample {
    let program: String
    let arguments: [String]
    let lines: [String]
    let excerpt: Bool
}

func readmeSamples(_ text: String) -> [ReadmeSample] {
    var samples: [ReadmeSample] = []
    let lines = text.components(separatedBy: "\n")
    var i = 0
    while i < lines.count {
        if lines[i].hasPrefix("```"), i + 1 < lines.count, lines[i + 1].hasPrefix("$ swift run lesson") {
            var command = String(lines[i + 1].dropFirst(2))
            var excerpt = false
            if let mark = command.range(of: "# excerpt") {
                excerpt = true
                command = String(command[..<mark.lowerBound]).trimmingCharacters(in: .whitespaces)
            }
            let words = command.split(separator: " ").map(String.init)   // swift run lessonN args…
            var body: [String] = []
            var j = i + 2
            while j < lines.count, !lines[j].hasPrefix("```") { body.append(lines[j]); j += 1 }
            if body.first == "…" { excerpt = true }
            samples.append(ReadmeSample(program: words[2], arguments: Array(words.dropFirst(3)),
                                        lines: body.filter { $0 != "…" }, excerpt: excerpt))
            i = j
        }
        i += 1
    }
    return samples
}

/// The package's root, found from this file's path (Tests/LessonKitTests/…).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// What `.build/debug/<program> <arguments>` prints on standard output, piped, with `COLUMNS=<columns>`.
func runLessonBinary(_ program: String, _ arguments: [String], columns: Int = 100) throws -> String {
    let binary = packageRoot.appendingPathComponent(".build/debug/\(program)")
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["COLUMNS"] = String(columns)
    environment["NO_COLOR"] = "1"
    process.environment = environment
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

@Suite struct ReadmeOutputTests {
    @Test func everySampleOutputIsTheProgramsRealOutput() throws {
        let readme = try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let samples = readmeSamples(readme)
        #expect(samples.count >= 4, "README shows a sample output of every lesson")
        for sample in samples {
            let binary = packageRoot.appendingPathComponent(".build/debug/\(sample.program)").path
            try #require(FileManager.default.isExecutableFile(atPath: binary), "\(binary) is not built")
            var output = try runLessonBinary(sample.program, sample.arguments).components(separatedBy: "\n")
            if output.last == "" { output.removeLast() }
            let command = ([sample.program] + sample.arguments).joined(separator: " ")
            if sample.excerpt {
                var k = 0
                for line in sample.lines {
                    guard let found = output[k...].firstIndex(of: line) else {
                        Issue.record("README excerpt of `\(command)`: not in the output (in order): \(line)")
                        break
                    }
                    k = found + 1
                }
            } else {
                guard sample.lines != output else { continue }
                let common = min(sample.lines.count, output.count)
                let first = (0..<common).first { sample.lines[$0] != output[$0] } ?? common
                let shown = first < sample.lines.count ? sample.lines[first] : "(nothing)"
                let printed = first < output.count ? output[first] : "(nothing)"
                let counts = "\(sample.lines.count) lines shown, \(output.count) printed"
                let note = "README block of `\(command)` is not its full output (\(counts); mark it `# excerpt` "
                    + "if it is one). Line \(first + 1): README '\(shown)', program '\(printed)'"
                Issue.record(Comment(rawValue: note))
            }
        }
    }

    @Test func theParserReadsFullBlocksAndExcerpts() {
        let text = "x\n```\n$ swift run lesson1 --quiet\na\nb\n```\n```\n$ swift run lesson4 # excerpt\nc\n```\n"
        let samples = readmeSamples(text)
        #expect(samples.count == 2)
        #expect(samples[0].program == "lesson1" && samples[0].arguments == ["--quiet"] && !samples[0].excerpt)
        #expect(samples[0].lines == ["a", "b"])
        #expect(samples[1].excerpt && samples[1].arguments.isEmpty && samples[1].lines == ["c"])
    }
}
