import Dispatch

// One training step, the loop body every PyTorch script writes:
//
//     optimizer.zero_grad()
//     loss = criterion(model(x), y)
//     loss.backward()
//     norm = clip_grad_norm_(model.parameters(), max_norm)
//     optimizer.step()
//
// written once, so that every training loop in the project (the lessons, the benchmark) takes the
// same step in the same order. The gradients are zeroed *before* the backward pass, as PyTorch
// scripts do: after the step they still hold this batch's gradient, for anyone who wants to look.

/// What one `trainingStep` measured.
public struct TrainingStepResult: Sendable {
    /// The batch's loss, before the update (`loss.item()`).
    public let loss: Float
    /// The global 2-norm of all gradients before clipping (what `clip_grad_norm_` returns).
    public let gradientNorm: Float
    /// The global 2-norm after clipping: `gradientNorm` when nothing was clipped, about `maxNorm`
    /// when it was.
    public let clippedGradientNorm: Float
    /// Whether the norm was above `maxNorm`, so that the gradients were scaled down.
    public let clipped: Bool
}

/// One step of gradient descent: zero the gradients, compute the loss (forward pass and loss
/// function, in `loss`), backward, clip the global gradient norm, check, update.
///
///     let result = try trainingStep(model.parameters(), optimizer: optimizer, clipMaxNorm: 1) {
///         criterion(model(x), y)
///     }
///     print(result.loss, result.gradientNorm, result.clipped)
///
/// - Parameters:
///   - parameters: the tensors whose gradients are clipped (the optimizer's, usually
///     `model.parameters()`).
///   - optimizer: zeroes the gradients first and updates the parameters last.
///   - clipMaxNorm: the largest global gradient norm allowed (`clipGradNorm`); `nil` clips nothing.
///   - beforeUpdate: called after clipping and before the update, with what was measured; throw
///     from it (a `NaNGuard`, say) to stop before a bad update is applied.
///   - loss: the forward pass and the loss on this batch, as a scalar tensor.
///   - times: where to add the time each phase took (the benchmark's phase split), or `nil`.
/// - Returns: the loss and the gradient norms of this step.
@discardableResult
public func trainingStep(_ parameters: [Tensor], optimizer: Optimizer, clipMaxNorm: Float? = nil,
                         times: StepTimes? = nil,
                         beforeUpdate: (TrainingStepResult) throws -> Void,
                         loss: () -> Tensor) rethrows -> TrainingStepResult {
    _ = keepFreedMemoryForReuse             // once per process: see Kernels/MemoryReuse.swift
    times?.start()
    optimizer.zeroGrad()
    // The loss tensor and the graph behind it die at the end of this closure, before the update:
    // the graph's pullbacks hold the parameters' arrays (a linear layer's W, for dX = dY·Wᵀ), and
    // while they do, updating a parameter in place would first copy all of it (copy-on-write).
    let lossValue: Float = {
        let value = loss()
        times?.mark(\.forward)
        value.backward()
        times?.mark(\.backward)
        return value.item
    }()
    let result: TrainingStepResult
    if let maxNorm = clipMaxNorm {
        let norm = clipGradNorm(parameters, maxNorm: maxNorm)
        let clipped = norm > maxNorm
        result = TrainingStepResult(loss: lossValue, gradientNorm: norm,
                                    clippedGradientNorm: clipped ? gradNorm(parameters) : norm, clipped: clipped)
    } else {
        let norm = gradNorm(parameters)
        result = TrainingStepResult(loss: lossValue, gradientNorm: norm, clippedGradientNorm: norm, clipped: false)
    }
    times?.mark(\.clipping)
    try beforeUpdate(result)
    optimizer.step()
    times?.mark(\.optimizer)
    return result
}

/// Seconds spent in each phase of `trainingStep`, summed over the steps given this object (pass it
/// as `times:`). `forward` includes zeroing the gradients and the loss; `clipping` the norm.
public final class StepTimes {
    public var forward = 0.0, backward = 0.0, clipping = 0.0, optimizer = 0.0
    /// Steps measured.
    public var steps = 0
    private var last: UInt64 = 0

    public init() {}

    func start() {
        steps += 1
        last = DispatchTime.now().uptimeNanoseconds
    }

    /// Adds the time since the last mark to `phase`.
    func mark(_ phase: ReferenceWritableKeyPath<StepTimes, Double>) {
        let now = DispatchTime.now().uptimeNanoseconds
        self[keyPath: phase] += Double(now - last) / 1e9
        last = now
    }
}

/// `trainingStep` with nothing to check between clipping and the update.
@discardableResult
public func trainingStep(_ parameters: [Tensor], optimizer: Optimizer, clipMaxNorm: Float? = nil,
                         times: StepTimes? = nil, loss: () -> Tensor) -> TrainingStepResult {
    trainingStep(parameters, optimizer: optimizer, clipMaxNorm: clipMaxNorm, times: times, beforeUpdate: { _ in },
                 loss: loss)
}
