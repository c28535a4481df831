/// The fast matmul used by every op: same signature and same result as `matmulNaive`.
///
/// This first version is the i-k-j loop order: for each row i of C, it walks k and adds
/// `A[i,k] * B[k, :]` to the whole row, so the innermost loop streams contiguous memory and the
/// compiler vectorises it. (A register-blocked SIMD kernel replaces it in the speed work.)
///
/// Note: i-k-j sums each output's K terms in the same order as the naive loop, but a transposed A or B
/// is first copied into row-major form.
public func matmul(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                   m: Int, k: Int, n: Int, transA: Bool = false, transB: Bool = false,
                   accumulate: Bool = false) {
    // Bring transposed operands into row-major form: A as [M, K], B as [K, N].
    var aCopy: [Float] = []
    var bCopy: [Float] = []
    if transA { aCopy = transposed(a, rows: k, cols: m) }
    if transB { bCopy = transposed(b, rows: n, cols: k) }
    aCopy.withUnsafeBufferPointer { aT in
        bCopy.withUnsafeBufferPointer { bT in
            let A = transA ? aT.baseAddress! : a
            let B = transB ? bT.baseAddress! : b
            for i in 0..<m {
                let cRow = c + i * n
                if !accumulate { cRow.update(repeating: 0, count: n) }
                // Sum into a zeroed row first, then add, so `accumulate` rounds like the naive kernel.
                var row = [Float](repeating: 0, count: n)
                row.withUnsafeMutableBufferPointer { r in
                    for p in 0..<k {
                        let aip = A[i * k + p]
                        let bRow = B + p * n
                        for j in 0..<n { r[j] += aip * bRow[j] }
                    }
                    for j in 0..<n { cRow[j] += r[j] }
                }
            }
        }
    }
}

/// A `[rows, cols]` buffer copied out as `[cols, rows]`.
func transposed(_ x: UnsafePointer<Float>, rows: Int, cols: Int) -> [Float] {
    [Float](unsafeUninitializedCapacity: rows * cols) { out, count in
        for r in 0..<rows {
            for c in 0..<cols { out[c * rows + r] = x[r * cols + c] }
        }
        count = rows * cols
    }
}
