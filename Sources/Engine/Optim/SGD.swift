/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight
/// decay (`torch.optim.SGD`). For each parameter `p` with gradient `g`:
///
///     g = -g                           maximize: climb instead of descend
///     g = g + λ·p                      weight decay λ (L2 added to the gradient)
///     b = g                            first step: the buffer starts as the gradient
///     b = μ·b + (1 - τ)·g              later steps: momentum μ, dampening τ
///     g = g + μ·b   (Nesterov)   or   g = b
///     p = p - lr·g
///
/// Momentum is a running sum of past gradients: a ball rolling downhill keeps some of its speed,
/// which smooths noisy mini-batch gradients and speeds up long shallow valleys.
public final class SGD: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Double
    /// μ. A variable, so that `OneCycleLR` can cycle it, as PyTorch's schedulers do.
    public var momentum: Double
    public let dampening: Double
    public let weightDecay: Double
    public let nesterov: Bool
    /// Maximize the objective (`maximize=True`): the gradient's sign is flipped first.
    public let maximize: Bool
    /// One momentum buffer per parameter (`state[p]["momentum_buffer"]`); `nil` until its first step.
    public private(set) var momentumBuffers: [Tensor?]

    /// - Parameters:
    ///   - parameters: the tensors to train, e.g. `model.parameters()`.
    ///   - learningRate: the step size `lr`.
    ///   - momentum: μ, the fraction of the previous velocity kept (0 = plain SGD).
    ///   - dampening: τ, scales the new gradient's share in the buffer by `1 - τ`.
    ///   - weightDecay: λ, adds `λ·p` to the gradient (L2 regularization).
    ///   - nesterov: look ahead along the momentum (needs μ > 0 and τ = 0, as in PyTorch).
    ///   - maximize: climb the objective instead of descending it.
    public init(_ parameters: [Tensor], learningRate: Double, momentum: Double = 0, dampening: Double = 0,
                weightDecay: Double = 0, nesterov: Bool = false, maximize: Bool = false) {
        precondition(learningRate >= 0, "SGD: invalid learning rate \(learningRate)")
        precondition(momentum >= 0, "SGD: invalid momentum \(momentum)")
        precondition(weightDecay >= 0, "SGD: invalid weightDecay \(weightDecay)")
        precondition(!nesterov || (momentum > 0 && dampening == 0),
                     "SGD: Nesterov momentum requires a momentum and zero dampening")
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        self.maximize = maximize
        self.momentumBuffers = Array(repeating: nil, count: parameters.count)
    }

    public func step() {
        withNoGrad {
            for (index, p) in parameters.enumerated() {
                guard let grad = p.grad else { continue }
                update(p, grad: grad, index: index)
            }
        }
    }

    private func update(_ param: Tensor, grad: Tensor, index: Int) {
        let coefficients = SGDCoefficients(learningRate: Float(learningRate), weightDecay: Float(weightDecay),
                                           momentum: Float(momentum), keep: Float(1 - dampening),
                                           nesterov: nesterov, maximize: maximize)
        guard momentum != 0 else {
            sgdUpdate(&param.scalars, grad.scalars, coefficients)
            return
        }
        let isFirstStep = momentumBuffers[index] == nil
        if isFirstStep { momentumBuffers[index] = Tensor.zeros(param.shape) }
        let buffer = momentumBuffers[index]!
        sgdMomentumUpdate(&param.scalars, grad.scalars, &buffer.scalars, isFirstStep: isFirstStep, coefficients)
    }

    public var schedulableMomentum: Double {
        get { momentum }
        set { momentum = newValue }
    }

    public func stateDict() -> OptimizerState {
        // Settings are saved too, for a reader of the checkpoint; loading uses only lr and the buffers.
        var state = OptimizerState(numbers: ["lr": learningRate, "momentum": momentum, "dampening": dampening,
                                             "weight_decay": weightDecay, "nesterov": nesterov ? 1 : 0])
        if maximize { state.numbers["maximize"] = 1 }
        for (i, b) in momentumBuffers.enumerated() {
            if let b { state.tensors["\(i).momentum_buffer"] = b }
        }
        return state
    }

    public func loadStateDict(_ state: OptimizerState) throws {
        var buffers: [Tensor?] = []
        for (i, p) in parameters.enumerated() {
            buffers.append(state.tensors["\(i).momentum_buffer"] == nil
                           ? nil : try state.tensor("\(i).momentum_buffer", shape: p.shape).copy())
        }
        learningRate = try validRate(try state.number("lr"), name: "optimizer.lr", file: "the optimizer state")
        momentumBuffers = buffers
    }
}
