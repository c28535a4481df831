import Foundation

/// What Adam remembers about one parameter (PyTorch's `optimizer.state[p]`).
public struct AdamParameterState {
    /// How many updates this parameter has had (`state["step"]`), t in the formulas.
    public internal(set) var step: Int
    /// m, the running mean of gradients (`exp_avg`), the "first moment".
    public let expAvg: Tensor
    /// v, the running mean of squared gradients (`exp_avg_sq`), the "second moment".
    public let expAvgSq: Tensor
    /// AMSGrad's largest v so far (`max_exp_avg_sq`); `nil` without `amsgrad`.
    public let maxExpAvgSq: Tensor?
}

/// Adam (Kingma & Ba, 2015), `torch.optim.Adam`: each parameter gets its own step size, large where
/// gradients have been small and steady, small where they have been large or noisy.
/// For a parameter `p` with gradient `g`, at step t = 1, 2, …:
///
///     g = g + λ·p                         Adam: weight decay as L2, added to the gradient
///     p = p·(1 - lr·λ)                    AdamW instead: decay the weights directly (decoupled)
///     m = β₁·m + (1 - β₁)·g               running mean of gradients
///     v = β₂·v + (1 - β₂)·g²              running mean of squared gradients
///     m̂ = m / (1 - β₁ᵗ),  v̂ = v / (1 - β₂ᵗ)  bias correction: m and v start at 0
///     p = p - lr · m̂ / (√v̂ + ε)
///
/// Two options, as PyTorch's: `maximize` climbs instead (g = -g before anything else), and
/// `amsgrad` (Reddi et al., 2018) keeps vMax = max(vMax, v) and divides by √(vMax / (1 - β₂ᵗ)),
/// so a parameter's step size can only shrink, never jump back up when its gradients quieten.
///
/// The code below uses PyTorch's rearrangement of the last two lines, which rounds differently:
/// `p = p - (lr / (1 - β₁ᵗ)) · m / (√v / √(1 - β₂ᵗ) + ε)`, and updates `m` as the linear
/// interpolation `m + (1 - β₁)·(g - m)` (`exp_avg.lerp_(g, 1 - β₁)`, equal to the line above).
public class Adam: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Double
    /// β₁. A variable, so that `OneCycleLR` can cycle it, as PyTorch's schedulers do.
    public var beta1: Double
    public let beta2: Double
    public let epsilon: Double
    public let weightDecay: Double
    /// `false`: L2 added to the gradient (Adam). `true`: decoupled weight decay (AdamW).
    public let decoupledWeightDecay: Bool
    /// AMSGrad: divide by the largest second moment seen so far.
    public let amsgrad: Bool
    /// Maximize the objective: step along the gradient, not against it.
    public let maximize: Bool
    /// One entry per parameter, in the order of `parameters`.
    public private(set) var state: [AdamParameterState]

    /// The number of steps taken (the largest per-parameter step count).
    public var stepCount: Int { state.map(\.step).max() ?? 0 }
    /// The first moments `m`, one per parameter (`exp_avg`).
    public var expAvg: [Tensor] { state.map(\.expAvg) }
    /// The second moments `v`, one per parameter (`exp_avg_sq`).
    public var expAvgSq: [Tensor] { state.map(\.expAvgSq) }

    /// - Parameters:
    ///   - parameters: the tensors to train, e.g. `model.parameters()`.
    ///   - learningRate: lr, the largest step any parameter takes (roughly).
    ///   - betas: (β₁, β₂), how slowly the two running means forget.
    ///   - epsilon: ε, keeps the division finite where `v` is 0.
    ///   - weightDecay: λ, as L2 in the gradient (this class); see `AdamW` for decoupled decay.
    ///   - amsgrad: use AMSGrad's running maximum of v (PyTorch's `amsgrad`).
    ///   - maximize: climb the objective (PyTorch's `maximize`).
    public convenience init(_ parameters: [Tensor], learningRate: Double = 1e-3,
                            betas: (Double, Double) = (0.9, 0.999), epsilon: Double = 1e-8,
                            weightDecay: Double = 0, amsgrad: Bool = false, maximize: Bool = false) {
        self.init(parameters, learningRate: learningRate, betas: betas, epsilon: epsilon,
                  weightDecay: weightDecay, decoupled: false, amsgrad: amsgrad, maximize: maximize)
    }

    init(_ parameters: [Tensor], learningRate: Double, betas: (Double, Double), epsilon: Double,
         weightDecay: Double, decoupled: Bool, amsgrad: Bool, maximize: Bool) {
        precondition(learningRate >= 0, "Adam: invalid learning rate \(learningRate)")
        precondition((0..<1).contains(betas.0) && (0..<1).contains(betas.1),
                     "Adam: betas \(betas) must be in [0, 1)")
        precondition(epsilon >= 0, "Adam: invalid epsilon \(epsilon)")
        precondition(weightDecay >= 0, "Adam: invalid weightDecay \(weightDecay)")
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = betas.0
        self.beta2 = betas.1
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupled
        self.amsgrad = amsgrad
        self.maximize = maximize
        self.state = parameters.map {
            AdamParameterState(step: 0, expAvg: Tensor.zeros($0.shape), expAvgSq: Tensor.zeros($0.shape),
                               maxExpAvgSq: amsgrad ? Tensor.zeros($0.shape) : nil)
        }
    }

    public func step() { step(threads: nil) }

    /// One step of every parameter that has a gradient. The parameters may be shared between this
    /// thread and the kernels' helper thread, the first ones (about half the elements) here and the
    /// rest there, where the calibration measured that cheaper (`threads` forces 1 or 2, for the
    /// tests): one hand-off for the whole step, since most tensors are too small to split alone.
    /// Each parameter is updated by one thread with the same operations, so the bits do not change.
    func step(threads forced: Int?) {
        withNoGrad {
            let updated = parameters.indices.filter { parameters[$0].grad != nil }
            for index in updated { state[index].step += 1 }
            func updateEach(_ indices: ArraySlice<Int>) {
                for index in indices {
                    self.update(parameters[index], grad: parameters[index].grad!, state: state[index])
                }
            }
            let elements = updated.map { parameters[$0].scalars.count }
            let total = elements.reduce(0, +)
            func run(threads: Int) {
                guard threads > 1 && updated.count > 1 else { updateEach(updated[...]); return }
                // The cut: the first parameters holding at least half of the elements stay here.
                var cut = 0, counted = 0
                while cut < updated.count - 1 && 2 * counted < total {
                    counted += elements[cut]
                    cut += 1
                }
                HelperThread.shared.run({ updateEach(updated[..<cut]) }, { updateEach(updated[cut...]) })
            }
            if let forced {
                run(threads: forced)
            } else if total >= adamSplitFloor && matmulMaxThreads > 1 {
                withCalibratedThreads(WorkKind(operation: .adam, m: total, k: updated.count, n: 0), run)
            } else {
                run(threads: 1)
            }
        }
    }

    private func update(_ param: Tensor, grad: Tensor, state: AdamParameterState) {
        // Scalars in double precision, rounded to Float once (as PyTorch's Python floats).
        let t = Double(state.step)
        let biasCorrection1 = 1 - pow(beta1, t)
        let biasCorrection2 = 1 - pow(beta2, t)
        let coefficients = AdamCoefficients(
            stepSize: Float(learningRate / biasCorrection1),
            biasCorrection2Sqrt: Float(biasCorrection2.squareRoot()),
            decay: Float(1 - learningRate * weightDecay),
            l2: Float(weightDecay),
            oneMinusBeta1: Float(1 - beta1),
            beta2: Float(beta2),
            oneMinusBeta2: Float(1 - beta2),
            epsilon: Float(epsilon),
            hasDecay: weightDecay != 0,
            decoupled: decoupledWeightDecay,
            maximize: maximize,
            amsgrad: amsgrad)
        var unused: [Float] = []
        if let maxExpAvgSq = state.maxExpAvgSq {
            adamUpdate(&param.scalars, grad.scalars, &state.expAvg.scalars, &state.expAvgSq.scalars,
                       &maxExpAvgSq.scalars, coefficients)
        } else {
            adamUpdate(&param.scalars, grad.scalars, &state.expAvg.scalars, &state.expAvgSq.scalars,
                       &unused, coefficients)
        }
    }

    public var schedulableMomentum: Double {
        get { beta1 }
        set { beta1 = newValue }
    }

    public func stateDict() -> OptimizerState {
        // Settings are saved too, for a reader of the checkpoint; loading uses only lr and the state.
        var result = OptimizerState(numbers: ["lr": learningRate, "beta1": beta1, "beta2": beta2, "eps": epsilon,
                                              "weight_decay": weightDecay,
                                              "decoupled_weight_decay": decoupledWeightDecay ? 1 : 0])
        // The options are written only when set, so a default checkpoint keeps its old layout.
        if amsgrad { result.numbers["amsgrad"] = 1 }
        if maximize { result.numbers["maximize"] = 1 }
        for (i, s) in state.enumerated() {
            result.numbers["\(i).step"] = Double(s.step)
            result.tensors["\(i).exp_avg"] = s.expAvg
            result.tensors["\(i).exp_avg_sq"] = s.expAvgSq
            if let m = s.maxExpAvgSq { result.tensors["\(i).max_exp_avg_sq"] = m }
        }
        return result
    }

    public func loadStateDict(_ saved: OptimizerState) throws {
        var restored: [AdamParameterState] = []
        for (i, p) in parameters.enumerated() {
            restored.append(AdamParameterState(
                step: try validCount(try saved.number("\(i).step"), name: "optimizer.\(i).step",
                                  file: "the optimizer state"),
                expAvg: try saved.tensor("\(i).exp_avg", shape: p.shape).copy(),
                expAvgSq: try saved.tensor("\(i).exp_avg_sq", shape: p.shape).copy(),
                maxExpAvgSq: amsgrad ? try saved.tensor("\(i).max_exp_avg_sq", shape: p.shape).copy() : nil))
        }
        learningRate = try validRate(try saved.number("lr"), name: "optimizer.lr", file: "the optimizer state")
        state = restored
    }
}
