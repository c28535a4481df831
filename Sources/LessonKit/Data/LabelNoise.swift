import Engine

// Label noise on purpose, for the lessons' experiments (lesson 1's dirty data and problem 1,
// lesson 3's memorisation run). It belongs to the course, not the engine: no real pipeline
// corrupts its own labels.

/// Corrupts a random `fraction` of the labels, for demonstrations: plot the loss with 0 %, 10 % and
/// 30 % noise and watch how the training loss stops going down while the model memorises.
///
/// - Parameters:
///   - targets: `[N, …]`; each row is one sample's label.
///   - fraction: the share of rows to corrupt (exactly `⌊fraction·N⌋` rows, chosen at random).
///   - std: for regression, the standard deviation of the Gaussian noise added to each chosen value.
///   - classes: for classification (labels 0..<classes), replace each chosen label with a different
///     random class instead; `std` is then ignored.
/// - Returns: the noisy labels and the sorted indices of the corrupted rows.
public func injectLabelNoise(_ targets: Tensor, fraction: Double, std: Float = 1, classes: Int? = nil,
                             generator: inout Generator) -> (targets: Tensor, corrupted: [Int]) {
    precondition(fraction >= 0 && fraction <= 1, "injectLabelNoise: fraction must be in [0, 1]")
    let n = targets.shape[0]
    let rowSize = n == 0 ? 0 : targets.count / n
    let chosen = Array(randomPermutation(n, generator: &generator).prefix(Int(fraction * Double(n)))).sorted()
    var values = targets.scalars
    for row in chosen {
        for j in row * rowSize..<(row + 1) * rowSize {
            if let classes {
                precondition(classes > 1, "injectLabelNoise: need at least 2 classes")
                let shift = 1 + generator.nextInt(below: classes - 1)       // never the same class
                values[j] = Float((Int(values[j]) + shift) % classes)
            } else {
                values[j] += std * generator.nextNormal()
            }
        }
    }
    return (Tensor(values, shape: targets.shape), chosen)
}
