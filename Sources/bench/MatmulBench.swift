import Engine

// The matmul part of the benchmark: GFLOP/s of the naive and the fast kernel on the model's shapes.
// Dimension letters: C[M, J] = A[M, K] · B[K, J] (`m`, `k`, `n` below are M, K, J); one multiply-add
// counts as 2 FLOP.

/// One matmul the model runs: its sizes, the operand layouts, and what it computes.
struct MatmulShape {
    var m: Int, k: Int, n: Int
    var transA = false, transB = false
    /// What the product is in a linear layer y = x · W: "forward", "dX" or "dW".
    var role: String

    /// The key in the JSON output, e.g. "160x64*64x192" or "64x160^T*160x192" (sizes of A and B as
    /// used, with ^T marking an operand read transposed).
    var name: String {
        let a = transA ? "\(m)x\(k)^T" : "\(m)x\(k)"
        let b = transB ? "\(k)x\(n)^T" : "\(k)x\(n)"
        return "\(a)*\(b)"
    }
    var flop: Double { 2 * Double(m) * Double(k) * Double(n) }
}

/// The model's four matmuls as (M, K, J), each with the two products its backward pass needs:
/// for y[M, J] = x[M, K] · W[K, J],  dX[M, K] = dY · Wᵀ  and  dW[K, J] = xᵀ · dY.
let modelMatmuls: [MatmulShape] = [(160, 64, 192), (160, 64, 256), (160, 256, 64), (32, 320, 128)]
    .flatMap { (m, k, n) in [
        MatmulShape(m: m, k: k, n: n, role: "forward"),
        MatmulShape(m: m, k: n, n: k, transB: true, role: "dX = dY·Wᵀ"),
        MatmulShape(m: k, k: m, n: n, transA: true, role: "dW = xᵀ·dY"),
    ] }

/// One row of the matmul table.
struct MatmulResult {
    var shape: MatmulShape
    /// GFLOP/s of `matmulNaive`, the fast kernel on one thread, and on two.
    var naive: Double, oneThread: Double, twoThreads: Double
    /// GFLOP/s of the fast kernel on one thread with the other tile (SIMD8 where the default is
    /// SIMD16 and the other way round), to show what the wider vectors bring.
    var otherTile: Double
    /// What plain `matmul` (the one every op calls) achieves: it picks the thread count itself.
    var auto: Double
}

/// Measures every shape in `modelMatmuls`.
///
/// The machine is shared and its speed drifts for seconds at a time, so the whole list is measured
/// `rounds` times over (each figure a median of 5 timings), and each figure reported is the median
/// over the rounds: a slow spell then spoils one round of every shape, not every timing of one shape.
func benchMatmul(rounds: Int = 3, includeNaive: Bool = true) -> [MatmulResult] {
    var g = Generator(seed: 7)
    let inputs = modelMatmuls.map { s in
        (a: (0..<s.m * s.k).map { _ in g.nextNormal() }, b: (0..<s.k * s.n).map { _ in g.nextNormal() })
    }
    let perRound = (0..<max(1, rounds)).map { _ in
        zip(modelMatmuls, inputs).map { s, input in
            measureMatmul(s, a: input.a, b: input.b, includeNaive: includeNaive)
        }
    }
    func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
    return modelMatmuls.indices.map { i in
        let rows = perRound.map { $0[i] }
        return MatmulResult(shape: modelMatmuls[i], naive: median(rows.map(\.naive)),
                            oneThread: median(rows.map(\.oneThread)),
                            twoThreads: median(rows.map(\.twoThreads)),
                            otherTile: median(rows.map(\.otherTile)), auto: median(rows.map(\.auto)))
    }
}

/// GFLOP/s of each kernel on one shape, for the inputs `a` and `b`.
func measureMatmul(_ s: MatmulShape, a: [Float], b: [Float], includeNaive: Bool) -> MatmulResult {
    var c = [Float](repeating: 0, count: s.m * s.n)
    func gflops(oneThread: Bool = true,
                _ kernel: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) -> Double {
        let seconds = c.withUnsafeMutableBufferPointer { cBuf in
            medianSeconds(repetitions: 5, allowCPU: oneThread) { kernel(a, b, cBuf.baseAddress!) }
        }
        return s.flop / seconds / 1e9
    }
    let naive = includeNaive ? gflops {
        matmulNaive($0, $1, $2, m: s.m, k: s.k, n: s.n, transA: s.transA, transB: s.transB)
    } : 0
    let one = gflops {
        matmul($0, $1, $2, m: s.m, k: s.k, n: s.n, transA: s.transA, transB: s.transB,
               accumulate: false, threads: 1)
    }
    let two = gflops(oneThread: false) {
        matmul($0, $1, $2, m: s.m, k: s.k, n: s.n, transA: s.transA, transB: s.transB,
               accumulate: false, threads: 2)
    }
    let otherTile = gflops {
        matmul($0, $1, $2, m: s.m, k: s.k, n: s.n, transA: s.transA, transB: s.transB,
               accumulate: false, threads: 1, tile: defaultMatmulTile == .simd16 ? .simd8 : .simd16)
    }
    let auto = gflops(oneThread: false) {
        matmul($0, $1, $2, m: s.m, k: s.k, n: s.n, transA: s.transA, transB: s.transB)
    }
    return MatmulResult(shape: s, naive: naive, oneThread: one, twoThreads: two, otherTile: otherTile,
                        auto: auto)
}

/// One core's peak measured now: `registerOnlyMultiplyAdds` (the micro-kernel's `multiplyAdd` with
/// every operand in a register) at one vector width, best of five runs of about 0.1 s each.
func measuredPeakGFLOPS(width: Int) -> Double {
    let iterations = 2_000_000 * 8 / width
    var best = 0.0
    for _ in 0..<5 {
        var sink: Float = 0
        let seconds = secondsFor(1) { registerOnlyMultiplyAdds(iterations: iterations, width: width, result: &sink) }
        best = max(best, Double(iterations * 24 * width) / seconds / 1e9)
    }
    return best
}

/// The peak of the widest vector unit this build runs: the best of the SIMD4, SIMD8 and SIMD16
/// probes (a build without AVX-512 runs SIMD16 as two or four narrower vectors, so it cannot beat
/// its own widest unit).
struct Peak {
    var gflops: Double
    var width: Int
    /// Every width's figure, for the table's header.
    var byWidth: [(width: Int, gflops: Double)]
}

func measuredPeak() -> Peak {
    let byWidth = [4, 8, 16].map { (width: $0, gflops: measuredPeakGFLOPS(width: $0)) }
    let best = byWidth.max { $0.gflops < $1.gflops }!
    return Peak(gflops: best.gflops, width: best.width, byWidth: byWidth)
}

/// The matmul table, one line per shape; "% peak" is the one-thread figure against the peak of the
/// widest vector unit.
func matmulTable(_ results: [MatmulResult], peak: Peak) -> String {
    let tileName = defaultMatmulTile == .simd16 ? "16x16 SIMD16" : "4x16 SIMD8"
    let otherName = defaultMatmulTile == .simd16 ? "SIMD8 tile" : "SIMD16 tile"
    let probes = peak.byWidth.map { "SIMD\($0.width) \(formatted($0.gflops, width: 0))" }.joined(separator: ", ")
    var lines = [
        "Matmul GFLOP/s (medians; see benchMatmul), tile \(tileName). One core's peak: "
            + "\(formatted(peak.gflops, width: 0)) GFLOP/s (register-only multiply-add loop: \(probes))",
        padded("A · B", -22) + padded("role", -12) + padded("naive", 8) + padded("1 thread", 10)
            + padded("% peak", 8) + padded("2 threads", 11) + padded("matmul()", 10) + padded(otherName, 12),
    ]
    for r in results {
        lines.append(padded(r.shape.name, -22) + padded(r.shape.role, -12)
                     + formatted(r.naive, width: 8) + formatted(r.oneThread, width: 10)
                     + formatted(100 * r.oneThread / peak.gflops, digits: 0, width: 7) + "%"
                     + formatted(r.twoThreads, width: 11) + formatted(r.auto, width: 10)
                     + formatted(r.otherTile, width: 12))
    }
    let median = results.map(\.oneThread).sorted()[results.count / 2]
    let autoMedian = results.map(\.auto).sorted()[results.count / 2]
    lines.append("median, 1 thread: \(formatted(median, width: 0)) GFLOP/s = "
                 + "\(formatted(100 * median / peak.gflops, digits: 0, width: 0)) % of the SIMD\(peak.width) peak; "
                 + "matmul() as the ops call it: \(formatted(autoMedian, width: 0)) GFLOP/s")
    return lines.joined(separator: "\n")
}

/// The `"matmul_gflops"` JSON object: shape name → GFLOP/s of `matmul()` as the ops call it.
func matmulJSON(_ results: [MatmulResult]) -> String {
    let entries = results.map { "\(jsonString($0.shape.name)): \(formatted($0.auto, width: 0))" }
    return "{" + entries.joined(separator: ", ") + "}"
}
