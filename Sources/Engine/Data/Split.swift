/// The three datasets of the seed's first stage: a training set to learn from, a validation set as
/// the "mock exam" for tuning, and a test set as the final exam, touched once at the end.
public struct DataSplits {
    public let train: TensorDataset
    public let validation: TensorDataset
    public let test: TensorDataset

    /// Three sets made elsewhere, e.g. the splits after cleaning or scaling each of them.
    public init(train: TensorDataset, validation: TensorDataset, test: TensorDataset) {
        self.train = train
        self.validation = validation
        self.test = test
    }
}

/// Splits `dataset` at random into pieces of the given sizes (`torch.utils.data.random_split`).
///
/// `fractions` must add up to 1; sizes are `⌊fraction·N⌋`, and the samples left over go one at a
/// time to the pieces in order, as PyTorch does. The shuffle is Fisher–Yates from `generator`.
public func randomSplit(_ dataset: TensorDataset, fractions: [Double], generator: inout Generator) -> [TensorDataset] {
    precondition(!fractions.isEmpty && fractions.allSatisfy { $0 >= 0 }, "randomSplit: fractions must not be negative")
    precondition(Swift.abs(fractions.reduce(0, +) - 1) < 1e-9, "randomSplit: fractions \(fractions) do not add up to 1")
    let n = dataset.count
    let sizes = splitSizes(n, fractions: fractions)
    let order = randomPermutation(n, generator: &generator)
    var start = 0
    return sizes.map { size in
        defer { start += size }
        return dataset.subset(Array(order[start..<start + size]))
    }
}

/// The sizes `randomSplit` gives `n` samples: `⌊fraction·n⌋` each, then the samples left over one
/// at a time to the pieces in order. For n = 9 and 80 / 10 / 10: [7, 0, 0] + 2 -> [8, 1, 0].
func splitSizes(_ n: Int, fractions: [Double]) -> [Int] {
    var sizes = fractions.map { Int(($0 * Double(n)).rounded(.down)) }
    var leftover = n - sizes.reduce(0, +)
    var piece = 0
    while leftover > 0 {
        sizes[piece % sizes.count] += 1
        leftover -= 1
        piece += 1
    }
    return sizes
}

/// A seeded train / validation / test split, e.g. 80 % / 10 % / 10 %.
public func trainValidationTestSplit(_ dataset: TensorDataset, validation: Double = 0.1, test: Double = 0.1,
                                     generator: inout Generator) -> DataSplits {
    let pieces = randomSplit(dataset, fractions: [1 - validation - test, validation, test], generator: &generator)
    return DataSplits(train: pieces[0], validation: pieces[1], test: pieces[2])
}
