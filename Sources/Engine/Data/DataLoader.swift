// Mini-batches from a dataset, in an order a sampler decides.

/// Where a `DataLoader`'s order of samples comes from, epoch after epoch (PyTorch's samplers).
public enum Sampler: Equatable, Sendable {
    /// 0, 1, …, N-1 every epoch (`SequentialSampler`, PyTorch's `shuffle=False`).
    case sequential
    /// A fresh random permutation every epoch, drawn from the loader's `generator`
    /// (`RandomSampler`, PyTorch's `shuffle=True`).
    case random
    /// These indices in this order, the same every epoch (PyTorch accepts any list of indices as a
    /// sampler). An index may repeat or be left out: the epoch is exactly this list.
    case order([Int])
    /// One list of indices per epoch: epoch e serves `orders[e]`. This replays a recorded run, e.g.
    /// the permutations a PyTorch `DataLoader(shuffle=True)` drew; after the last list, it stops.
    case epochs([[Int]])
}

/// Serves a dataset in mini-batches, like `torch.utils.data.DataLoader`: each pass (epoch) yields
/// `(x, y)` batch tensors, in the order its `sampler` gives.
///
///     let loader = DataLoader(data, batchSize: 32, shuffle: true, generator: Generator(seed: 0))
///     for (x, y) in loader {        // x: [32, T, I], y: [32, 1]; the last batch may be smaller
///         …
///     }
///     let replay = DataLoader(data, batchSize: 2, sampler: .order([4, 0, 7, 1]))   // rows 4, 0 | 7, 1
///
/// Shuffling matters: batches drawn in a fixed order let the model learn the order, and correlated
/// neighbours make the gradient noisier. The random order comes from `generator` (Fisher–Yates), so
/// the same seed gives the same batches on every run; without one it draws from `defaultGenerator`.
public final class DataLoader: Sequence {
    public let dataset: TensorDataset
    public let batchSize: Int
    /// How each epoch's order is chosen.
    public let sampler: Sampler
    /// Drop the last batch when it is smaller than `batchSize`.
    public let dropLast: Bool
    /// The loader's own random stream for `.random` (`nil`: use `defaultGenerator`). Saved by checkpoints.
    public var generator: Generator?
    /// Epochs started so far (`makeIterator()` calls); `.epochs` uses it to pick the next list.
    public private(set) var epochsStarted = 0

    /// Whether the order is a fresh random one every epoch (`sampler == .random`).
    public var shuffle: Bool { sampler == .random }

    /// A loader in the dataset's own order, or shuffled every epoch (PyTorch's `shuffle`).
    public convenience init(_ dataset: TensorDataset, batchSize: Int, shuffle: Bool = false,
                            dropLast: Bool = false, generator: Generator? = nil) {
        self.init(dataset, batchSize: batchSize, sampler: shuffle ? .random : .sequential, dropLast: dropLast,
                  generator: generator)
    }

    /// A loader whose order comes from `sampler` (PyTorch's `sampler=`).
    /// - Parameters:
    ///   - dataset: the samples.
    ///   - batchSize: samples per batch (the last one may be smaller unless `dropLast`).
    ///   - sampler: the order of each epoch; every index must lie in `0..<dataset.count`.
    ///   - dropLast: drop the last batch when it is smaller than `batchSize`.
    ///   - generator: the random stream for `.random`.
    public init(_ dataset: TensorDataset, batchSize: Int, sampler: Sampler, dropLast: Bool = false,
                generator: Generator? = nil) {
        precondition(batchSize > 0, "DataLoader: batchSize must be positive")
        let given: [[Int]]
        switch sampler {
        case .order(let order): given = [order]
        case .epochs(let orders): given = orders
        case .sequential, .random: given = []
        }
        for (e, order) in given.enumerated() {
            if let bad = order.first(where: { $0 < 0 || $0 >= dataset.count }) {
                preconditionFailure("DataLoader: index \(bad) of order \(e) is out of range 0..<\(dataset.count)")
            }
        }
        self.dataset = dataset
        self.batchSize = batchSize
        self.sampler = sampler
        self.dropLast = dropLast
        self.generator = generator
    }

    /// The number of samples the next epoch serves (N unless the sampler gives its own list).
    var samplesPerEpoch: Int {
        switch sampler {
        case .sequential, .random: return dataset.count
        case .order(let order): return order.count
        case .epochs(let orders): return epochsStarted < orders.count ? orders[epochsStarted].count : 0
        }
    }

    /// Batches in the next epoch (`len(dataloader)`).
    public var count: Int {
        dropLast ? samplesPerEpoch / batchSize : (samplesPerEpoch + batchSize - 1) / batchSize
    }

    /// The sample order for the next epoch; draws from the generator for `.random`.
    public func nextEpochOrder() -> [Int] {
        switch sampler {
        case .sequential: return Array(0..<dataset.count)
        case .random:
            if generator != nil { return randomPermutation(dataset.count, generator: &generator!) }
            return randomPermutation(dataset.count, generator: &defaultGenerator)
        case .order(let order): return order
        case .epochs(let orders): return epochsStarted < orders.count ? orders[epochsStarted] : []
        }
    }

    /// Starts an epoch: fixes its order now, then gathers one batch per `next()`.
    public func makeIterator() -> Iterator {
        let batches = count
        let order = nextEpochOrder()
        epochsStarted += 1
        return Iterator(dataset: dataset, order: order, batchSize: batchSize, batches: batches)
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
