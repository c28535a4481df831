// Losses for predicting numbers: how far each prediction lies from its target, reduced to a score.
// Each loss is one fused op: its forward computes every element's loss and, in the same loop, the
// derivative that its pullback will need.

/// How a loss combines its per-element values (PyTorch's `reduction=`).
public enum Reduction: String, Sendable {
    /// The average: the usual training loss, independent of the batch size.
    case mean
    /// The total.
    case sum
    /// No reduction: one loss per element, shaped like the input.
    case none
}

/// Builds a loss from a per-element function `f(prediction, target) -> (loss, dloss/dprediction)`.
/// The gradient with respect to the target is the negative of that with respect to the prediction
/// for every loss here (they depend on prediction - target only).
func elementwiseLoss(_ input: Tensor, _ target: Tensor, op: String, reduction: Reduction,
                     _ f: (_ x: Float, _ y: Float) -> (loss: Float, derivative: Float)) -> Tensor {
    precondition(input.shape == target.shape,
                 "\(op): input shape \(input.shape) and target shape \(target.shape) differ")
    let n = input.count
    var losses = [Float](repeating: 0, count: n)
    var derivative = [Float](repeating: 0, count: n)
    input.scalars.withUnsafeBufferPointer { x in
        target.scalars.withUnsafeBufferPointer { y in
            for i in 0..<n { (losses[i], derivative[i]) = f(x[i], y[i]) }
        }
    }
    let shape = input.shape
    func bothGradients(_ dx: [Float]) -> [[Float]?] { [dx, mapValues(dx) { -$0 }] }
    switch reduction {
    case .none:
        return Tensor.result(losses, shape: shape, op: op, inputs: [input, target]) { g in
            bothGradients(zipValues(g, derivative) { $0 * $1 })
        }
    case .sum, .mean:
        var total: Float = 0
        for v in losses { total += v }
        let scale: Float = reduction == .mean ? 1 / Float(Swift.max(n, 1)) : 1
        return Tensor.result([total * scale], shape: [], op: op, inputs: [input, target]) { g in
            let s = g[0] * scale
            return bothGradients(mapValues(derivative) { $0 * s })
        }
    }
}

extension Tensor {
    /// Mean squared error (`nn.MSELoss`): (x - y)². d/dx = 2(x - y).
    /// Large errors count quadratically, so a few outliers can dominate.
    public static func mseLoss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
        elementwiseLoss(input, target, op: "MseLossBackward", reduction: reduction) { x, y in
            let d = x - y
            return (d * d, 2 * d)
        }
    }

    /// Mean absolute error (`nn.L1Loss`): |x - y|. d/dx = sign(x - y) (0 at 0, as PyTorch).
    /// Every error pulls with the same force, so outliers matter less than with MSE.
    public static func l1Loss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
        elementwiseLoss(input, target, op: "L1LossBackward", reduction: reduction) { x, y in
            let d = x - y
            return (Swift.abs(d), d > 0 ? 1 : (d < 0 ? -1 : 0))
        }
    }

    /// Huber loss (`nn.HuberLoss`): quadratic near 0, linear beyond `delta`.
    ///
    ///     |d| < δ:  ½d²           d/dx = d
    ///     else:     δ(|d| - ½δ)   d/dx = δ·sign(d)
    public static func huberLoss(_ input: Tensor, _ target: Tensor, delta: Float = 1,
                                 reduction: Reduction = .mean) -> Tensor {
        precondition(delta > 0, "huberLoss: delta \(delta) must be positive")
        return elementwiseLoss(input, target, op: "HuberLossBackward", reduction: reduction) { x, y in
            let d = x - y, a = Swift.abs(d)
            if a < delta { return (0.5 * d * d, d) }
            return (delta * (a - 0.5 * delta), d > 0 ? delta : -delta)
        }
    }

    /// Smooth L1 loss (`nn.SmoothL1Loss`): Huber divided by `beta`, so the linear part has slope 1.
    ///
    ///     |d| < β:  ½d²/β         d/dx = d/β
    ///     else:     |d| - ½β      d/dx = sign(d)
    /// With β = 0 it is exactly the L1 loss.
    public static func smoothL1Loss(_ input: Tensor, _ target: Tensor, beta: Float = 1,
                                    reduction: Reduction = .mean) -> Tensor {
        precondition(beta >= 0, "smoothL1Loss: beta \(beta) must not be negative")
        if beta == 0 { return l1Loss(input, target, reduction: reduction) }
        return elementwiseLoss(input, target, op: "SmoothL1LossBackward", reduction: reduction) { x, y in
            let d = x - y, a = Swift.abs(d)
            if a < beta { return (0.5 * d * d / beta, d / beta) }
            return (a - 0.5 * beta, d > 0 ? 1 : (d < 0 ? -1 : 0))
        }
    }
}

// MARK: - Loss modules (`criterion = nn.MSELoss()` in the seed)

/// `nn.MSELoss`: `criterion(output, target)`.
public struct MSELoss: Sendable {
    public var reduction: Reduction
    public init(reduction: Reduction = .mean) { self.reduction = reduction }
    // input, target: [...] -> [] (or [...] with .none)
    public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor {
        Tensor.mseLoss(input, target, reduction: reduction)
    }
}

/// `nn.L1Loss`.
public struct L1Loss: Sendable {
    public var reduction: Reduction
    public init(reduction: Reduction = .mean) { self.reduction = reduction }
    public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor {
        Tensor.l1Loss(input, target, reduction: reduction)
    }
}

/// `nn.HuberLoss`.
public struct HuberLoss: Sendable {
    public var delta: Float
    public var reduction: Reduction
    public init(delta: Float = 1, reduction: Reduction = .mean) { self.delta = delta; self.reduction = reduction }
    public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor {
        Tensor.huberLoss(input, target, delta: delta, reduction: reduction)
    }
}

/// `nn.SmoothL1Loss`.
public struct SmoothL1Loss: Sendable {
    public var beta: Float
    public var reduction: Reduction
    public init(beta: Float = 1, reduction: Reduction = .mean) { self.beta = beta; self.reduction = reduction }
    public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor {
        Tensor.smoothL1Loss(input, target, beta: beta, reduction: reduction)
    }
}
