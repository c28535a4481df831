// PyTorch's options for the classification losses: class weights, label smoothing, class
// probabilities as targets and inputs with extra dimensions for cross-entropy; `pos_weight` and
// `weight` for binary cross-entropy on logits. Each is one fused op: forward and backward below.
// Dimension letters: B samples (the batch), C classes, R positions (B times the extra dims d1, d2, …).
// The plain calls (no option) keep the shorter code of Classification.swift.

extension Tensor {
    /// Cross-entropy with every option of `nn.CrossEntropyLoss`, over class indices:
    ///
    ///     logp[r, c] = log softmax over c of logits[r, c]                 (class dim 1)
    ///     nll[r]     = -w[y_r] · logp[r, y_r]
    ///     smooth[r]  = -Σ_c w[c] · logp[r, c]
    ///     loss[r]    = (1 - ε) · nll[r] + (ε / C) · smooth[r]             0 where y_r = ignoreIndex
    ///     mean       = Σ_r loss[r] / Σ_r w[y_r]       (the weights of the targets counted; w = 1: their number)
    ///
    /// so label smoothing ε spreads ε of every target's probability evenly over the C classes.
    /// Gradient, with p = softmax, W = Σ_c w[c] and a the upstream factor of position r:
    ///
    ///     d loss / d logits[r, j] = a · ((1 - ε)·w[y]·(p_j - [j = y]) + (ε / C)·(W·p_j - w[j]))
    ///
    /// - Parameters:
    ///   - logits: `[B, C]` or `[B, C, d1, …]`.
    ///   - targets: B·d1·… class indices in `0..<C` (row-major over `[B, d1, …]`), or `ignoreIndex`.
    ///   - weight: `[C]`, each class's weight (PyTorch's `weight`); no gradient flows into it.
    ///   - labelSmoothing: ε in [0, 1].
    // logits: [B, C, d...], targets: [B, d...] -> [] (or [B, d...] with .none)
    public static func crossEntropy(_ logits: Tensor, targets: [Int], weight: Tensor?, ignoreIndex: Int = -100,
                                    reduction: Reduction = .mean, labelSmoothing: Float = 0) -> Tensor {
        let (n, c, inner) = crossEntropyLayout(logits, weight: weight, labelSmoothing: labelSmoothing)
        precondition(targets.count == n * inner,
                     "crossEntropy: \(targets.count) targets for logits \(logits.shape) (expected \(n * inner))")
        for t in targets where t != ignoreIndex {
            precondition(t >= 0 && t < c, "crossEntropy: target \(t) is not a class index in 0..<\(c)")
        }
        let w = weight?.scalars ?? [Float](repeating: 1, count: c)
        var totalWeight: Float = 0
        for t in targets where t != ignoreIndex { totalWeight += w[t] }
        let eps = labelSmoothing, share = labelSmoothing / Float(c)
        let logp = softmaxValues(logits.scalars, outer: n, n: c, inner: inner, log: true)
        // Position r = (i, d) of [B, d...] holds class c at logits index (i·C + c)·inner + d.
        func index(_ r: Int, _ k: Int) -> Int { ((r / inner) * c + k) * inner + r % inner }
        var losses = [Float](repeating: 0, count: n * inner)
        for r in 0..<(n * inner) where targets[r] != ignoreIndex {
            let y = targets[r]
            let nll = -w[y] * logp[index(r, y)]
            var smooth: Float = 0
            if eps != 0 { for k in 0..<c { smooth -= w[k] * logp[index(r, k)] } }
            losses[r] = eps == 0 ? nll : (1 - eps) * nll + share * smooth
        }
        let sumOfWeights = w.reduce(0, +)
        func backward(_ upstream: (Int) -> Float) -> [[Float]?] {
            var dx = [Float](repeating: 0, count: logits.count)
            for r in 0..<(n * inner) where targets[r] != ignoreIndex {
                let a = upstream(r), y = targets[r]
                for k in 0..<c {
                    let i = index(r, k), p = _exp(logp[i])
                    let hard = w[y] * (p - (k == y ? 1 : 0))
                    dx[i] = eps == 0 ? a * hard : a * ((1 - eps) * hard + share * (sumOfWeights * p - w[k]))
                }
            }
            return [dx]
        }
        let outShape = [logits.shape[0]] + logits.shape.dropFirst(2)
        return crossEntropyReduce(losses, outShape: outShape, divisor: totalWeight, reduction: reduction,
                                  inputs: [logits]) { backward($0) }
    }

    /// Cross-entropy against class probabilities (`nn.CrossEntropyLoss` with a float target of the
    /// logits' shape), optionally smoothed and weighted:
    ///
    ///     t'[r, c]  = (1 - ε)·t[r, c] + ε / C
    ///     loss[r]   = -Σ_c w[c] · t'[r, c] · logp[r, c]
    ///     mean      = Σ_r loss[r] / R                (R = B·d1·…, not the weights: PyTorch's rule)
    ///     d/d logits[r, j] = a · (p_j · Σ_c w[c]·t'[r, c] - w[j]·t'[r, j])
    ///     d/d t[r, j]      = -a · (1 - ε) · w[j] · logp[r, j]
    // logits, probabilities: [B, C, d...] -> [] (or [B, d...] with .none)
    public static func crossEntropy(_ logits: Tensor, probabilities: Tensor, weight: Tensor? = nil,
                                    reduction: Reduction = .mean, labelSmoothing: Float = 0) -> Tensor {
        precondition(probabilities.shape == logits.shape,
                     "crossEntropy: probability targets \(probabilities.shape) must have the logits' shape "
                     + "\(logits.shape)")
        let (n, c, inner) = crossEntropyLayout(logits, weight: weight, labelSmoothing: labelSmoothing)
        let w = weight?.scalars ?? [Float](repeating: 1, count: c)
        let eps = labelSmoothing
        let t = eps == 0 ? probabilities.scalars : mapValues(probabilities.scalars) { $0 * (1 - eps) + eps / Float(c) }
        let logp = softmaxValues(logits.scalars, outer: n, n: c, inner: inner, log: true)
        func index(_ r: Int, _ k: Int) -> Int { ((r / inner) * c + k) * inner + r % inner }
        var losses = [Float](repeating: 0, count: n * inner)
        for r in 0..<(n * inner) {
            var total: Float = 0
            for k in 0..<c { total += w[k] * t[index(r, k)] * logp[index(r, k)] }
            losses[r] = -total
        }
        let needTarget = probabilities.requiresGrad
        func backward(_ upstream: (Int) -> Float) -> [[Float]?] {
            var dx = [Float](repeating: 0, count: logits.count)
            var dt: [Float]? = needTarget ? [Float](repeating: 0, count: logits.count) : nil
            for r in 0..<(n * inner) {
                let a = upstream(r)
                var mass: Float = 0
                for k in 0..<c { mass += w[k] * t[index(r, k)] }
                for k in 0..<c {
                    let i = index(r, k)
                    dx[i] = a * (_exp(logp[i]) * mass - w[k] * t[i])
                    dt?[i] = -a * (1 - eps) * w[k] * logp[i]
                }
            }
            return [dx, dt]
        }
        let outShape = [logits.shape[0]] + logits.shape.dropFirst(2)
        return crossEntropyReduce(losses, outShape: outShape, divisor: Float(n * inner), reduction: reduction,
                                  inputs: [logits, probabilities]) { backward($0) }
    }

    /// (B, C, positions per sample) of `[B, C, d1, …]`, with the options checked.
    static func crossEntropyLayout(_ logits: Tensor, weight: Tensor?, labelSmoothing: Float) -> (Int, Int, Int) {
        precondition(logits.rank >= 2, "crossEntropy: expects logits [B, C] or [B, C, d1, …], got \(logits.shape)")
        let c = logits.shape[1]
        if let weight {
            precondition(weight.shape == [c], "crossEntropy: weight \(weight.shape) is not one per class [\(c)]")
        }
        precondition(labelSmoothing >= 0 && labelSmoothing <= 1,
                     "crossEntropy: labelSmoothing \(labelSmoothing) is not in [0, 1]")
        return (logits.shape[0], c, logits.shape.dropFirst(2).reduce(1, *))
    }

    /// Reduces per-position losses: `.none` keeps `outShape`, `.sum` adds, `.mean` divides the sum by
    /// `divisor`. `backward` maps a per-position upstream factor to the inputs' gradients.
    static func crossEntropyReduce(_ losses: [Float], outShape: [Int], divisor: Float, reduction: Reduction,
                                   inputs: [Tensor], backward: @escaping ((Int) -> Float) -> [[Float]?]) -> Tensor {
        switch reduction {
        case .none:
            return result(losses, shape: outShape, op: "CrossEntropyLossBackward", inputs: inputs) { g in
                backward { g[$0] }
            }
        case .sum, .mean:
            var total: Float = 0
            for v in losses { total += v }
            let scale: Float = reduction == .mean ? 1 / divisor : 1
            return result([total * scale], shape: [], op: "CrossEntropyLossBackward", inputs: inputs) { g in
                backward { _ in g[0] * scale }
            }
        }
    }

    /// Binary cross-entropy on logits with PyTorch's `pos_weight` and `weight`:
    ///
    ///     l    = 1 + (pos_weight - 1)·y                      the positive term's weight
    ///     loss = weight · ((1 - y)·x - l·log σ(x))           log σ(x) = min(x, 0) - log(1 + e^(-|x|))
    ///     d loss / dx = weight · (1 - y - l·(1 - σ(x)))
    ///     d loss / dy = -weight · (x + (pos_weight - 1)·log σ(x))
    ///
    /// `posWeight > 1` makes a missed positive cost more: the usual fix for rare positive labels.
    /// - Parameters:
    ///   - posWeight: broadcasts against the logits, usually `[C]` (one per class, the last dimension).
    ///   - weight: broadcasts against the logits: a weight per element, row or class.
    // logits, targets: [...] -> [] (or [...] with .none)
    public static func binaryCrossEntropyWithLogits(_ logits: Tensor, _ targets: Tensor, weight: Tensor?,
                                                    posWeight: Tensor?, reduction: Reduction = .mean) -> Tensor {
        precondition(logits.shape == targets.shape,
                     "binaryCrossEntropyWithLogits: logits \(logits.shape) and targets \(targets.shape) differ")
        let shape = logits.shape, count = logits.count
        func spread(_ t: Tensor?, _ name: String) -> [Float]? {
            guard let t else { return nil }
            guard broadcastShape(t.shape, shape) == shape else {
                preconditionFailure("binaryCrossEntropyWithLogits: \(name) \(t.shape) does not broadcast to \(shape)")
            }
            return expandValues(t.scalars, from: t.shape, to: shape)
        }
        let w = spread(weight, "weight"), pw = spread(posWeight, "posWeight")
        let x = logits.scalars, y = targets.scalars
        var losses = [Float](repeating: 0, count: count)
        var logSigmoid = [Float](repeating: 0, count: count)
        for i in 0..<count {
            logSigmoid[i] = Swift.min(x[i], 0) - _log(1 + _exp(-Swift.abs(x[i])))
            let l = pw.map { 1 + ($0[i] - 1) * y[i] } ?? 1
            let loss = (1 - y[i]) * x[i] - l * logSigmoid[i]
            losses[i] = w.map { loss * $0[i] } ?? loss
        }
        func grads(_ upstream: (Int) -> Float) -> [[Float]?] {
            var dx = [Float](repeating: 0, count: count), dy = [Float](repeating: 0, count: count)
            for i in 0..<count {
                let a = upstream(i) * (w?[i] ?? 1)
                let l = pw.map { 1 + ($0[i] - 1) * y[i] } ?? 1
                dx[i] = a * (1 - y[i] - l * (1 - sigmoidValue(x[i])))
                dy[i] = -a * (x[i] + (pw.map { $0[i] - 1 } ?? 0) * logSigmoid[i])
            }
            return [dx, dy]
        }
        let op = "BinaryCrossEntropyWithLogitsBackward"
        switch reduction {
        case .none:
            return result(losses, shape: shape, op: op, inputs: [logits, targets]) { g in grads { g[$0] } }
        case .sum, .mean:
            var total: Float = 0
            for v in losses { total += v }
            let scale: Float = reduction == .mean ? 1 / Float(Swift.max(count, 1)) : 1
            return result([total * scale], shape: [], op: op, inputs: [logits, targets]) { g in
                grads { _ in g[0] * scale }
            }
        }
    }
}
