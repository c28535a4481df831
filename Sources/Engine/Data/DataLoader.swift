/// Serves a dataset in mini-batches, like `torch.utils.data.DataLoader`: each pass (epoch) yields
/// `(x, y)` batch tensors, optionally in a fresh random order every epoch.
///
///     let loader = DataLoader(data, batchSize: 32, shuffle: true, generator: Generator(seed: 0))
///     for (x, y) in loader {        // x: [32, T, C], y: [32, 1]; the last batch may be smaller
///         …
///     }
///
/// Shuffling matters: batches drawn in a fixed order let the model learn the order, and correlated
/// neighbours make the gradient noisier. The order comes from `generator` (Fisher–Yates), so the
/// same seed gives the same batches on every run; without one it draws from `defaultGenerator`.
public final class DataLoader: Sequence {
    public let dataset: TensorDataset
    public let batchSize: Int
    public let shuffle: Bool
    /// Drop the last batch when it is smaller than `batchSize`.
    public let dropLast: Bool
    /// The loader's own random stream (`nil`: use `defaultGenerator`). Saved by checkpoints.
    public var generator: Generator?

    public init(_ dataset: TensorDataset, batchSize: Int, shuffle: Bool = false, dropLast: Bool = false,
                generator: Generator? = nil) {
        precondition(batchSize > 0, "DataLoader: batchSize must be positive")
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.generator = generator
    }

    /// Batches per epoch (`len(dataloader)`).
    public var count: Int {
        dropLast ? dataset.count / batchSize : (dataset.count + batchSize - 1) / batchSize
    }

    /// The sample order for the next epoch; draws from the generator when shuffling.
    public func nextEpochOrder() -> [Int] {
        guard shuffle else { return Array(0..<dataset.count) }
        if generator != nil { return randomPermutation(dataset.count, generator: &generator!) }
        return randomPermutation(dataset.count, generator: &defaultGenerator)
    }

    /// Starts an epoch: fixes its order now, then gathers one batch per `next()`.
    public func makeIterator() -> Iterator {
        Iterator(dataset: dataset, order: nextEpochOrder(), batchSize: batchSize, batches: count)
    }

    public struct Iterator: IteratorProtocol {
        let dataset: TensorDataset
        let order: [Int]
        let batchSize: Int
        let batches: Int
        var batch = 0

        public mutating func next() -> (x: Tensor, y: Tensor)? {
            guard batch < batches else { return nil }
            let start = batch * batchSize
            let indices = Array(order[start..<Swift.min(start + batchSize, order.count)])
            batch += 1
            return (gatherRows(dataset.inputs, indices), gatherRows(dataset.targets, indices))
        }
    }
}
