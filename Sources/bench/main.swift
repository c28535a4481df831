import Engine
import Foundation
// `swift run -c release bench [--json] [--epochs N] [--runs N] [--rounds N] [--only seed|matmul]`:
// how fast the engine is: the seed's training workload in samples per second, and the matmul kernel
// in GFLOP/s on the model's shapes against one core's peak (README's Performance section quotes it).
//
// Each part is one function returning its results (`benchSeedWorkload`, `benchMatmul`), printed
// either as tables for people or, with `--json`, as one JSON object for scripts.
//   --epochs N   epochs of the seed's workload per run (default 5)
//   --runs N     runs of the seed's workload; the median is reported (default 3)
//   --rounds N   passes over the matmul shapes (default 3)
//   --only P     run only the seed workload or only the matmul shapes
//   --threads N  most threads a matmul may use (default 2; 1 on a busy machine)
let arguments = Array(CommandLine.arguments.dropFirst())
func intArgument(_ name: String, default value: Int) -> Int {
    guard let i = arguments.firstIndex(of: name) else { return value }
    guard i + 1 < arguments.count, let n = Int(arguments[i + 1]), n > 0 else {
        print("bench: \(name) needs a positive whole number")
        exit(2)
    }
    return n
}
let json = arguments.contains("--json")
let epochs = intArgument("--epochs", default: 5)
let runs = intArgument("--runs", default: 3)
let rounds = intArgument("--rounds", default: 3)
matmulMaxThreads = intArgument("--threads", default: 2)
let only = arguments.firstIndex(of: "--only").flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }

let seedResults = only == "matmul" ? [] : benchSeedWorkload(epochs: epochs, runs: runs)
let peak = only == "seed" ? 0 : measuredPeakGFLOPS()
let matmulResults = only == "seed" ? [] : benchMatmul(rounds: rounds, includeNaive: !json)

if json {
    var fields: [String] = []
    if !seedResults.isEmpty { fields.append(seedJSON(seedResults)) }
    if !matmulResults.isEmpty {
        fields.append("\"peak_gflops\": \(formatted(peak, width: 0))")
        fields.append("\"matmul_gflops\": \(matmulJSON(matmulResults))")
    }
    print("{" + fields.joined(separator: ", ") + "}")
} else {
    if !seedResults.isEmpty { print(seedTable(seedResults)); print() }
    if !matmulResults.isEmpty { print(matmulTable(matmulResults, peak: peak)) }
}
