// Losses for choosing classes: cross-entropy over class indices and binary cross-entropy on logits.
// Both take raw scores (logits), not probabilities, and fold the softmax/sigmoid into the loss:
// that is both cheaper and numerically safe (no log of a probability rounded to 0).
// Dimension letters: B samples (the batch), C classes.

extension Tensor {
    /// Cross-entropy over class indices (`nn.CrossEntropyLoss`, `F.cross_entropy`), log-softmax fused:
    ///
    ///     loss[i] = -log softmax(logits[i])[target[i]] = logsumexp(logits[i]) - logits[i, target[i]]
    ///     d loss[i] / d logits[i, c] = softmax(logits[i])[c] - (c == target[i] ? 1 : 0)
    ///
    /// - Parameters:
    ///   - logits: `[B, C]` raw scores.
    ///   - targets: B class indices in `0..<C`; entries equal to `ignoreIndex` add nothing and are
    ///     left out of the mean.
    ///   - reduction: `.mean` over the non-ignored samples, `.sum`, or `.none` (`[B]`).
    // logits: [B, C], targets: [B] -> [] (or [B] with .none)
    public static func crossEntropy(_ logits: Tensor, targets: [Int], ignoreIndex: Int = -100,
                                    reduction: Reduction = .mean) -> Tensor {
        if logits.rank != 2 {                        // [B, C, d1, …]: the general version
            return crossEntropy(logits, targets: targets, weight: nil, ignoreIndex: ignoreIndex, reduction: reduction)
        }
        let n = logits.shape[0], c = logits.shape[1]
        precondition(targets.count == n, "crossEntropy: \(targets.count) targets for \(n) samples")
        for t in targets where t != ignoreIndex {
            precondition(t >= 0 && t < c, "crossEntropy: target \(t) is not a class index in 0..<\(c)")
        }
        let logProbabilities = softmaxValues(logits.scalars, outer: n, n: c, inner: 1, log: true)
        var losses = [Float](repeating: 0, count: n)
        var counted = 0
        for i in 0..<n where targets[i] != ignoreIndex {
            losses[i] = -logProbabilities[i * c + targets[i]]
            counted += 1
        }
        // Per-sample weight of the upstream gradient: 1 (none), 1 (sum) or 1/counted (mean).
        func backward(_ sampleGrad: (Int) -> Float) -> [[Float]?] {
            var dx = [Float](repeating: 0, count: n * c)
            for i in 0..<n where targets[i] != ignoreIndex {
                let g = sampleGrad(i)
                for j in 0..<c { dx[i * c + j] = _exp(logProbabilities[i * c + j]) * g }
                dx[i * c + targets[i]] -= g
            }
            return [dx]
        }
        switch reduction {
        case .none:
            return result(losses, shape: [n], op: "NllLossBackward", inputs: [logits]) { g in backward { g[$0] } }
        case .sum, .mean:
            var total: Float = 0
            for v in losses { total += v }
            // PyTorch's mean over zero counted samples is 0/0 = NaN; so is ours.
            let scale: Float = reduction == .mean ? 1 / Float(counted) : 1
            return result([total * scale], shape: [], op: "NllLossBackward", inputs: [logits]) { g in
                backward { _ in g[0] * scale }
            }
        }
    }

    /// Binary cross-entropy on logits (`nn.BCEWithLogitsLoss`), sigmoid fused, for yes/no targets
    /// in [0, 1]:
    ///
    ///     loss = -[y·log σ(x) + (1 - y)·log(1 - σ(x))] = max(x, 0) - x·y + log(1 + e^(-|x|))
    ///     d loss / dx = σ(x) - y        d loss / dy = -x
    ///
    /// The right-hand form never exponentiates a large positive number, so it cannot overflow.
    // logits, targets: [...] -> [] (or [...] with .none)
    public static func binaryCrossEntropyWithLogits(_ logits: Tensor, _ targets: Tensor,
                                                    reduction: Reduction = .mean) -> Tensor {
        precondition(logits.shape == targets.shape,
                     "binaryCrossEntropyWithLogits: logits \(logits.shape) and targets \(targets.shape) differ")
        let count = logits.count
        let x = logits.scalars, y = targets.scalars
        var losses = [Float](repeating: 0, count: count)
        for i in 0..<count {
            losses[i] = Swift.max(x[i], 0) - x[i] * y[i] + _log(1 + _exp(-Swift.abs(x[i])))
        }
        func grads(_ upstream: (Int) -> Float) -> [[Float]?] {
            var dx = [Float](repeating: 0, count: count), dy = [Float](repeating: 0, count: count)
            for i in 0..<count {
                dx[i] = (sigmoidValue(x[i]) - y[i]) * upstream(i)
                dy[i] = -x[i] * upstream(i)
            }
            return [dx, dy]
        }
        switch reduction {
        case .none:
            return result(losses, shape: logits.shape, op: "BinaryCrossEntropyWithLogitsBackward",
                          inputs: [logits, targets]) { g in grads { g[$0] } }
        case .sum, .mean:
            var total: Float = 0
            for v in losses { total += v }
            let scale: Float = reduction == .mean ? 1 / Float(Swift.max(count, 1)) : 1
            return result([total * scale], shape: [], op: "BinaryCrossEntropyWithLogitsBackward",
                          inputs: [logits, targets]) { g in grads { _ in g[0] * scale } }
        }
    }
}

/// `nn.CrossEntropyLoss`: `criterion(logits, targets)` with class indices, or
/// `criterion(logits, probabilities:)` with class probabilities. See `ClassificationOptions.swift`
/// for `weight` and `labelSmoothing`.
public struct CrossEntropyLoss {
    public var weight: Tensor?
    public var ignoreIndex: Int
    public var reduction: Reduction
    public var labelSmoothing: Float
    public init(weight: Tensor? = nil, ignoreIndex: Int = -100, reduction: Reduction = .mean,
                labelSmoothing: Float = 0) {
        self.weight = weight
        self.ignoreIndex = ignoreIndex
        self.reduction = reduction
        self.labelSmoothing = labelSmoothing
    }
    // logits: [B, C] or [B, C, d...], targets: [B, d...] flattened
    public func callAsFunction(_ logits: Tensor, _ targets: [Int]) -> Tensor {
        if weight == nil && labelSmoothing == 0 && logits.rank == 2 {
            return Tensor.crossEntropy(logits, targets: targets, ignoreIndex: ignoreIndex, reduction: reduction)
        }
        return Tensor.crossEntropy(logits, targets: targets, weight: weight, ignoreIndex: ignoreIndex,
                                   reduction: reduction, labelSmoothing: labelSmoothing)
    }
    // logits, probabilities: [B, C] or [B, C, d...]
    public func callAsFunction(_ logits: Tensor, probabilities: Tensor) -> Tensor {
        Tensor.crossEntropy(logits, probabilities: probabilities, weight: weight, reduction: reduction,
                            labelSmoothing: labelSmoothing)
    }
}

/// `nn.BCEWithLogitsLoss`, with PyTorch's `weight` and `pos_weight`.
public struct BCEWithLogitsLoss {
    public var weight: Tensor?
    public var posWeight: Tensor?
    public var reduction: Reduction
    public init(weight: Tensor? = nil, reduction: Reduction = .mean, posWeight: Tensor? = nil) {
        self.weight = weight
        self.posWeight = posWeight
        self.reduction = reduction
    }
    public func callAsFunction(_ logits: Tensor, _ targets: Tensor) -> Tensor {
        if weight == nil && posWeight == nil {
            return Tensor.binaryCrossEntropyWithLogits(logits, targets, reduction: reduction)
        }
        return Tensor.binaryCrossEntropyWithLogits(logits, targets, weight: weight, posWeight: posWeight,
                                                   reduction: reduction)
    }
}
