// A dataset held in memory as two tensors, and the row-gathering every batch is made of.

/// Samples stored row by row in two tensors, like `torch.utils.data.TensorDataset(X, y)`:
/// sample `i` is `(inputs[i], targets[i])`, the first dimension counting samples.
///
///     let data = TensorDataset(inputs: x, targets: y)   // x: [N, T, I], y: [N, 1]
///     let (xi, yi) = data[0]                            // xi: [T, I], yi: [1]
public struct TensorDataset {
    /// All inputs, `[N, …]`.
    public let inputs: Tensor
    /// All targets, `[N, …]`.
    public let targets: Tensor

    public init(inputs: Tensor, targets: Tensor) {
        precondition(inputs.rank > 0 && targets.rank > 0, "TensorDataset: tensors need a sample dimension")
        precondition(inputs.shape[0] == targets.shape[0],
                     "TensorDataset: \(inputs.shape[0]) inputs but \(targets.shape[0]) targets")
        self.inputs = inputs
        self.targets = targets
    }

    /// The number of samples, N.
    public var count: Int { inputs.shape[0] }

    /// Sample `i` as `(input, target)`, each without the sample dimension.
    public subscript(_ i: Int) -> (input: Tensor, target: Tensor) {
        precondition(i >= 0 && i < count, "TensorDataset: index \(i) out of range 0..<\(count)")
        let x = gatherRows(inputs, [i]), y = gatherRows(targets, [i])
        return (x.reshape(Array(inputs.shape.dropFirst())), y.reshape(Array(targets.shape.dropFirst())))
    }

    /// The samples at `indices`, in that order (`torch.utils.data.Subset`, materialised).
    public func subset(_ indices: [Int]) -> TensorDataset {
        TensorDataset(inputs: gatherRows(inputs, indices), targets: gatherRows(targets, indices))
    }
}

/// Copies rows `indices` of `t` (along its first dimension) into a new tensor `[indices.count, …]`.
/// No gradient: datasets are leaves.
public func gatherRows(_ t: Tensor, _ indices: [Int]) -> Tensor {
    let n = t.shape[0]
    let rowSize = n == 0 ? 0 : t.count / n
    var shape = t.shape
    shape[0] = indices.count
    let values = [Float](unsafeUninitializedCapacity: indices.count * rowSize) { out, filled in
        t.scalars.withUnsafeBufferPointer { x in
            for (r, i) in indices.enumerated() {
                precondition(i >= 0 && i < n, "gatherRows: row \(i) out of range 0..<\(n)")
                for j in 0..<rowSize { out[r * rowSize + j] = x[i * rowSize + j] }
            }
        }
        filled = indices.count * rowSize
    }
    return Tensor(values, shape: shape)
}

/// A uniformly random ordering of `0..<n` by the Fisher–Yates shuffle: walk from the end, swap each
/// position with a random one at or before it. Every one of the n! orders is equally likely.
public func randomPermutation(_ n: Int, generator: inout Generator) -> [Int] {
    var order = Array(0..<n)
    var i = n - 1
    while i > 0 {
        let j = generator.nextInt(below: i + 1)
        order.swapAt(i, j)
        i -= 1
    }
    return order
}
