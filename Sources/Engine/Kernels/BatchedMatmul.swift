// Array-level entry points to the matmul kernel and to `addRow`, for the ops (Ops/MatmulOps.swift,
// Ops/AttentionOps.swift). Dimension letters: [M, K] · [K, J] -> [M, J]; `n:` below is J.

/// `batches` products `C[t] = A[t] · B[t]`, each `[M, K] · [K, J]`, into one new array
/// `[batches, M, J]`. `aStride`/`bStride` are the distances between consecutive products' operands
/// (0: the same matrix for every product). No zero-fill: the kernel writes every element of C.
///
/// Tiny products (M·J·K at most `tinyProductThreshold`, attention's one per batch entry and head,
/// [T, E] · [E, S]) in batches of at least `laneProductMinimumBatches` run many at once, one per
/// SIMD lane (`batchLaneProducts`). Batches of small products may be shared between this thread and
/// the helper, the first part of the batch here and the rest there, where the calibration measured
/// that cheaper: each product is still computed whole by one thread, so the bits do not change.
///
/// - Parameters:
///   - n: J, the columns of B and of C.
///   - transA, transB: read A from a `[K, M]` buffer, B from a `[J, K]` one (see `matmulNaive`).
///   - threads: a thread count for every product, or for the whole batch of tiny products
///     (`nil`: the calibrated choice).
func batchedProduct(_ a: [Float], _ aStride: Int, _ b: [Float], _ bStride: Int, batches: Int,
                    m: Int, k: Int, n: Int, transA: Bool = false, transB: Bool = false,
                    threads: Int? = nil) -> [Float] {
    let total = batches * m * n
    return [Float](unsafeUninitializedCapacity: total) { c, count in
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                let (a, b, c) = (a.baseAddress!, b.baseAddress!, c.baseAddress!)
                let each = m * n * k
                let inLanes = each <= tinyProductThreshold && batches >= laneProductMinimumBatches
                func products(_ range: Range<Int>, threads: Int?) {
                    if inLanes {
                        batchLaneProducts(a + range.lowerBound * aStride, aStride: aStride,
                                          b + range.lowerBound * bStride, bStride: bStride,
                                          c + range.lowerBound * m * n, batches: range.count, m: m, k: k, n: n,
                                          transA: transA, transB: transB, threads: threads ?? 1)
                        return
                    }
                    for t in range {
                        let at = a + t * aStride, bt = b + t * bStride, ct = c + t * m * n
                        if let threads {
                            matmul(at, bt, ct, m: m, k: k, n: n, transA: transA, transB: transB,
                                   accumulate: false, threads: threads)
                        } else {
                            matmul(at, bt, ct, m: m, k: k, n: n, transA: transA, transB: transB)
                        }
                    }
                }
                // Small products (each below the size where one product could use two threads):
                // split the batch between the threads if that measured cheaper.
                guard threads == nil && batches >= 8 && each < calibrationFloor
                        && batches * each >= batchSplitFloor else {
                    products(0..<batches, threads: threads)
                    return
                }
                let kind = WorkKind(operation: transA ? .batchedTransA : (transB ? .batchedTransB : .batched),
                                    m: m, k: k, n: n, batches: batches)
                withCalibratedThreads(kind) { threadCount in
                    if inLanes {
                        products(0..<batches, threads: threadCount)
                    } else if threadCount > 1 {
                        let half = batches / 2
                        HelperThread.shared.run({ products(0..<half, threads: nil) },
                                                { products(half..<batches, threads: nil) })
                    } else {
                        products(0..<batches, threads: nil)
                    }
                }
            }
        }
        count = total
    }
}

/// Batches of products with fewer multiply-adds in all than this stay on one thread.
let batchSplitFloor = 32 * 1024

/// The two products of a linear layer's backward, y[R, O] = x[R, I] · W[O, I]ᵀ:
///
///     dx[R, I] = dy[R, O] · W[O, I]        dW[O, I] = dyᵀ · x
///
/// (`nil` where not needed). They read the same dy but write different arrays, so when both are
/// needed they can run at the same time, one on this thread and one on the helper, each on one
/// thread: one hand-off instead of one per product, and each product keeps a whole core's
/// efficiency. The calibration (ThreadCalibration.swift) times this against running them one after
/// the other (each then with its own calibrated thread count) and keeps the cheaper. Same bits
/// either way: each product is computed the same way wherever it runs.
func linearBackwardProducts(_ dy: [Float], weight w: [Float], input x: [Float], rows: Int, outF: Int, inF: Int,
                            needX: Bool, needW: Bool, threads forced: Int? = nil) -> (dx: [Float]?, dW: [Float]?) {
    var dx: [Float]? = nil, dW: [Float]? = nil
    func inputGradient(threads: Int?) {
        dx = batchedProduct(dy, 0, w, 0, batches: 1, m: rows, k: outF, n: inF, threads: threads)
    }
    func weightGradient(threads: Int?) {
        dW = batchedProduct(dy, 0, x, 0, batches: 1, m: outF, k: rows, n: inF, transA: true, threads: threads)
    }
    func run(threads: Int) {
        if threads > 1 && needX && needW {
            HelperThread.shared.run({ weightGradient(threads: 1) }, { inputGradient(threads: 1) })
        } else {
            if needX { inputGradient(threads: forced) }
            if needW { weightGradient(threads: forced) }
        }
    }
    if let forced {
        run(threads: forced)
    } else if needX && needW && rows * outF * inF >= calibrationFloor && matmulMaxThreads > 1 {
        withCalibratedThreads(WorkKind(operation: .backwardPair, m: rows, k: outF, n: inF), run)
    } else {
        run(threads: 1)
    }
    return (dx, dW)
}

/// `y[r, j] += row[j]` for every row r of `y` viewed as `[rows, row.count]` (a bias added to
/// every sample).
func addToEveryRow(_ y: inout [Float], _ row: [Float], rows: Int) {
    let width = row.count
    guard width > 0 else { return }
    row.withUnsafeBufferPointer { b in
        y.withUnsafeMutableBufferPointer { y in
            for r in 0..<rows { addRow(y.baseAddress! + r * width, b.baseAddress!, count: width) }
        }
    }
}

/// Σ over the rows of `g` viewed as `[rows, width]`, rows added in order 0, 1, … (a bias's
/// gradient): `[width]`.
func sumOfRows(_ g: [Float], rows: Int, width: Int) -> [Float] {
    var sum = [Float](repeating: 0, count: width)
    guard width > 0 else { return sum }
    sum.withUnsafeMutableBufferPointer { sum in
        g.withUnsafeBufferPointer { g in
            for r in 0..<rows { addRow(sum.baseAddress!, g.baseAddress! + r * width, count: width) }
        }
    }
    return sum
}
