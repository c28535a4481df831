// `swift run -c release bench [--json]`: how fast the engine is (see issue 5).
//
// Each part is one function returning its results (`benchMatmul()`, …), then printed either as a
// table for people or, with `--json`, as one JSON object for scripts.
// Options: --json (one JSON object instead of tables), --rounds N (passes over the matmul shapes, default 3).
let arguments = Array(CommandLine.arguments.dropFirst())
let json = arguments.contains("--json")
let rounds = arguments.firstIndex(of: "--rounds").flatMap { i in
    i + 1 < arguments.count ? Int(arguments[i + 1]) : nil
} ?? 3

let peak = measuredPeakGFLOPS()
let matmulResults = benchMatmul(rounds: rounds, includeNaive: !json)

if json {
    print("{\"peak_gflops\": \(formatted(peak, width: 0)), \"matmul_gflops\": \(matmulJSON(matmulResults))}")
} else {
    print(matmulTable(matmulResults, peak: peak))
}
