// Matrix multiplication kernels work on raw row-major buffers.
// Dimension letters: C[M, J] = A[M, K] · B[K, J]; the size parameters `m`, `k`, `n` are M, K, J
// (`n` as in BLAS; the letter N itself is kept for the samples of a data set).
// `transA` means the buffer holds Aᵀ, i.e. A is read from a [K, M] buffer; `transB` likewise reads
// B from a [J, K] buffer. Backward passes need exactly these forms:
//   dA = dC · Bᵀ  (transB)      dB = Aᵀ · dC  (transA)
// With `accumulate`, the product is added to C instead of overwriting it.

/// The reference matmul: three plain loops, one output element at a time, its K terms summed in
/// order k = 0, 1, 2, … Read this one first; the fast kernel must agree with it (see the tests).
///
/// - Parameters:
///   - a: `[M, K]` row-major, or `[K, M]` when `transA`.
///   - b: `[K, J]` row-major, or `[J, K]` when `transB`.
///   - c: `[M, J]` row-major output.
package func matmulNaive(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                         _ c: UnsafeMutablePointer<Float>, m: Int, k: Int, n: Int,
                         transA: Bool = false, transB: Bool = false, accumulate: Bool = false) {
    for i in 0..<m {
        for j in 0..<n {
            var sum: Float = 0
            for p in 0..<k {
                let aip = transA ? a[p * m + i] : a[i * k + p]
                let bpj = transB ? b[j * k + p] : b[p * n + j]
                #if TRAINLAB_FMA
                sum = sum.addingProduct(aip, bpj)   // fused, one rounding: see `multiplyAdd`
                #else
                sum += aip * bpj                    // rounded after * and after +
                #endif
            }
            c[i * n + j] = accumulate ? c[i * n + j] + sum : sum
        }
    }
}
