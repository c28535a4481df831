// Array-level entry points to the matmul kernel and to `addRow`, for the ops (Ops/MatmulOps.swift,
// Ops/AttentionOps.swift). Dimension letters: [M, K] · [K, J] -> [M, J]; `n:` below is J.

/// `batches` products `C[t] = A[t] · B[t]`, each `[M, K] · [K, J]`, into one new array
/// `[batches, M, J]`. `aStride`/`bStride` are the distances between consecutive products' operands
/// (0: the same matrix for every product). No zero-fill: the kernel writes every element of C.
///
/// - Parameters:
///   - n: J, the columns of B and of C.
///   - transA, transB: read A from a `[K, M]` buffer, B from a `[J, K]` one (see `matmulNaive`).
func batchedProduct(_ a: [Float], _ aStride: Int, _ b: [Float], _ bStride: Int, batches: Int,
                    m: Int, k: Int, n: Int, transA: Bool = false, transB: Bool = false) -> [Float] {
    let total = batches * m * n
    return [Float](unsafeUninitializedCapacity: total) { c, count in
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                for t in 0..<batches {
                    matmul(a.baseAddress! + t * aStride, b.baseAddress! + t * bStride,
                           c.baseAddress! + t * m * n, m: m, k: k, n: n, transA: transA, transB: transB)
                }
            }
        }
        count = total
    }
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
