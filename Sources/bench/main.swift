// `swift run -c release bench [--json]`: how fast the engine is (see issue 5).
//
// Each part is one function returning its results (`benchMatmul()`, …), then printed either as a
// table for people or, with `--json`, as one JSON object for scripts.
let arguments = CommandLine.arguments.dropFirst()
let json = arguments.contains("--json")

let peak = measuredPeakGFLOPS()
let matmulResults = benchMatmul(includeNaive: !json)

if json {
    print("{\"peak_gflops\": \(formatted(peak, width: 0)), \"matmul_gflops\": \(matmulJSON(matmulResults))}")
} else {
    print(matmulTable(matmulResults, peak: peak))
}
