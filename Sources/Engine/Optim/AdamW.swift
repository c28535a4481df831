/// AdamW (Loshchilov & Hutter, 2019), `torch.optim.AdamW`: Adam with *decoupled* weight decay.
///
///     p = p·(1 - lr·λ)                    shrink the weights first, independently of the gradient
///     …then the Adam update of `Adam`, with the raw gradient g
///
/// Why it matters: with Adam's L2 (`g + λ·p`), the decay term is divided by √v̂ like the rest of the
/// gradient, so parameters with large gradients are barely decayed. AdamW applies the same relative
/// shrinkage to every weight, which regularizes as intended; it is the usual choice for Transformers.
public final class AdamW: Adam {
    /// - Parameters:
    ///   - parameters: the tensors to train, e.g. `model.parameters()`.
    ///   - learningRate: lr.
    ///   - betas: (β₁, β₂).
    ///   - epsilon: ε.
    ///   - weightDecay: λ, the fraction `lr·λ` of every weight removed at each step (PyTorch's default 0.01).
    ///   - amsgrad: use AMSGrad's running maximum of v (see `Adam`).
    ///   - maximize: climb the objective.
    public init(_ parameters: [Tensor], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                epsilon: Double = 1e-8, weightDecay: Double = 1e-2, amsgrad: Bool = false, maximize: Bool = false) {
        super.init(parameters, learningRate: learningRate, betas: betas, epsilon: epsilon,
                   weightDecay: weightDecay, decoupled: true, amsgrad: amsgrad, maximize: maximize)
    }
}
