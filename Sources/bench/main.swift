import Engine
import Foundation
// `swift run -c release bench [options]`: how fast the engine is: the seed's training workload in
// samples per second, and the matmul kernel in GFLOP/s on the model's shapes against the peak of
// one core's widest vector unit (README's Performance section quotes it).
//
// Each part is one function returning its results (`benchSeedWorkload`, `benchMatmul`), printed
// either as tables for people or, with `--json`, as one JSON object for scripts.

let usage = """
    usage: bench [--json] [--epochs N] [--runs N] [--rounds N] [--only seed|matmul] [--threads N]
                 [--clock wall|cpu] [--sweep]

    Times the seed's training workload (samples/s) and the matmul kernel on the model's shapes
    (GFLOP/s, as a share of the measured peak of the widest vector unit).

      --epochs N   epochs of the seed's workload per run (default 5)
      --runs N     runs of the seed's workload; the median is reported (default 3)
      --rounds N   passes over the matmul shapes (default 3)
      --only P     run only the seed workload (seed) or only the matmul shapes (matmul)
      --threads N  most threads the kernels may use (default 2: measured per kind of work,
                   see ThreadCalibration.swift; 1: everything on one thread)
      --clock C    wall (default) or cpu: time one-thread matmul figures and the peak by this
                   thread's CPU time, which other programs on a busy machine inflate less
      --sweep      the scaling sweep instead (batch 8-256, width 32-256, sequence 5-64, layers 1-6,
                   one knob at a time; as scripts/pytorch_seed_bench.py --sweep); --epochs and
                   --runs default to 1 there
      --json       one JSON object instead of tables
      --help       this text
    """

/// The command line, checked: an unknown flag, a missing value or a bad one prints the usage and
/// exits with status 2 (as the lessons do), so a typo never runs a silently different benchmark.
struct BenchOptions {
    var json = false
    var epochs: Int? = nil, runs: Int? = nil, rounds = 3, threads = 2
    var sweep = false
    var only: String? = nil
    var cpuClock = false

    static func parse(_ arguments: [String]) -> BenchOptions {
        func fail(_ message: String) -> Never {
            FileHandle.standardError.write(Data("bench: \(message)\n\n\(usage)\n".utf8))
            exit(2)
        }
        var options = BenchOptions()
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            func value() -> String {
                guard let v = rest.popFirst() else { fail("\(flag) needs a value") }
                return v
            }
            func positive() -> Int {
                let v = value()
                guard let n = Int(v), n > 0 else { fail("\(flag) needs a positive whole number, not '\(v)'") }
                return n
            }
            switch flag {
            case "--help", "-h": print(usage); exit(0)
            case "--json": options.json = true
            case "--sweep": options.sweep = true
            case "--epochs": options.epochs = positive()
            case "--runs": options.runs = positive()
            case "--rounds": options.rounds = positive()
            case "--threads": options.threads = positive()
            case "--clock":
                let clock = value()
                guard clock == "wall" || clock == "cpu" else { fail("--clock takes wall or cpu, not '\(clock)'") }
                options.cpuClock = clock == "cpu"
            case "--only":
                let part = value()
                guard part == "seed" || part == "matmul" else { fail("--only takes seed or matmul, not '\(part)'") }
                options.only = part
            default: fail("unknown option '\(flag)'")
            }
        }
        return options
    }
}

let options = BenchOptions.parse(Array(CommandLine.arguments.dropFirst()))
matmulMaxThreads = options.threads
useThreadCPUClock = options.cpuClock

if options.sweep {
    let points = benchSweep(epochs: options.epochs ?? 1, runs: options.runs ?? 1)
    print(options.json ? "{" + sweepJSON(points) + "}" : sweepTable(points))
    exit(0)
}

let seedResults = options.only == "matmul" ? [] : benchSeedWorkload(epochs: options.epochs ?? 5,
                                                                     runs: options.runs ?? 3)
let peak = options.only == "seed" ? nil : measuredPeak()
let matmulResults = options.only == "seed" ? [] : benchMatmul(rounds: options.rounds, includeNaive: !options.json)
let memory = peakMemoryMegabytes()

if options.json {
    var fields: [String] = []
    if !seedResults.isEmpty { fields.append(seedJSON(seedResults)) }
    if let peak, !matmulResults.isEmpty {
        fields.append("\"peak_gflops\": \(formatted(peak.gflops, width: 0)), \"peak_vector_width\": \(peak.width)")
        fields.append("\"matmul_gflops\": \(matmulJSON(matmulResults))")
    }
    fields.append("\"peak_memory_mb\": \(formatted(memory, width: 0))")
    print("{" + fields.joined(separator: ", ") + "}")
} else {
    if !seedResults.isEmpty { print(seedTable(seedResults)); print() }
    if let peak, !matmulResults.isEmpty { print(matmulTable(matmulResults, peak: peak)); print() }
    print("peak memory (maximum resident set): \(formatted(memory, width: 0)) MB")
}
