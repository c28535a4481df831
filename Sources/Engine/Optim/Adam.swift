import Foundation

/// What Adam remembers about one parameter (PyTorch's `optimizer.state[p]`).
public struct AdamParameterState {
    /// How many updates this parameter has had (`state["step"]`), t in the formulas.
    public internal(set) var step: Int
    /// m, the running mean of gradients (`exp_avg`), the "first moment".
    public let expAvg: Tensor
    /// v, the running mean of squared gradients (`exp_avg_sq`), the "second moment".
    public let expAvgSq: Tensor
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
/// The code below uses PyTorch's rearrangement of the last two lines, which rounds differently:
/// `p = p - (lr / (1 - β₁ᵗ)) · m / (√v / √(1 - β₂ᵗ) + ε)`, and updates `m` as the linear
/// interpolation `m + (1 - β₁)·(g - m)` (`exp_avg.lerp_(g, 1 - β₁)`, equal to the line above).
public class Adam: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Double
    public let beta1: Double
    public let beta2: Double
    public let epsilon: Double
    public let weightDecay: Double
    /// `false`: L2 added to the gradient (Adam). `true`: decoupled weight decay (AdamW).
    public let decoupledWeightDecay: Bool
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
    public convenience init(_ parameters: [Tensor], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                            epsilon: Double = 1e-8, weightDecay: Double = 0) {
        self.init(parameters, learningRate: learningRate, betas: betas, epsilon: epsilon,
                  weightDecay: weightDecay, decoupled: false)
    }

    init(_ parameters: [Tensor], learningRate: Double, betas: (Double, Double), epsilon: Double,
         weightDecay: Double, decoupled: Bool) {
        precondition(learningRate >= 0, "Adam: invalid learning rate \(learningRate)")
        precondition((0..<1).contains(betas.0) && (0..<1).contains(betas.1), "Adam: betas \(betas) must be in [0, 1)")
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = betas.0
        self.beta2 = betas.1
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupled
        self.state = parameters.map {
            AdamParameterState(step: 0, expAvg: Tensor.zeros($0.shape), expAvgSq: Tensor.zeros($0.shape))
        }
    }

    public func step() {
        withNoGrad {
            for (index, p) in parameters.enumerated() {
                guard let grad = p.grad else { continue }
                state[index].step += 1
                update(p, grad: grad, state: state[index])
            }
        }
    }

    private func update(_ param: Tensor, grad: Tensor, state: AdamParameterState) {
        // Scalars in double precision, rounded to Float once (as PyTorch's Python floats).
        let t = Double(state.step)
        let biasCorrection1 = 1 - pow(beta1, t)
        let biasCorrection2 = 1 - pow(beta2, t)
        let stepSize = Float(learningRate / biasCorrection1)
        let biasCorrection2Sqrt = Float(biasCorrection2.squareRoot())
        let decay = Float(1 - learningRate * weightDecay)
        let l2 = Float(weightDecay)
        let oneMinusBeta1 = Float(1 - beta1)
        let beta2 = Float(self.beta2)
        let oneMinusBeta2 = Float(1 - self.beta2)
        let eps = Float(epsilon)
        let decoupled = decoupledWeightDecay
        let hasDecay = weightDecay != 0

        param.scalars.withUnsafeMutableBufferPointer { p in
            grad.scalars.withUnsafeBufferPointer { g in
                state.expAvg.scalars.withUnsafeMutableBufferPointer { m in
                    state.expAvgSq.scalars.withUnsafeMutableBufferPointer { v in
                        // Eight parameters at a time: each lane is the same arithmetic as one
                        // parameter alone (so the bits match a scalar loop), but the compiler cannot
                        // vectorise the scalar loop itself, since it cannot prove p, m, v apart.
                        var i = 0
                        while i < p.count {
                            let lanes = min(8, p.count - i)
                            var pv = loadLanes(p.baseAddress! + i, lanes)
                            var gv = loadLanes(g.baseAddress! + i, lanes)
                            var mv = loadLanes(m.baseAddress! + i, lanes)
                            var vv = loadLanes(v.baseAddress! + i, lanes)
                            if hasDecay && decoupled { pv = pv * decay }          // AdamW: p·(1 - lr·λ)
                            if hasDecay && !decoupled { gv = gv + l2 * pv }       // Adam:  g + λ·p
                            mv = mv + oneMinusBeta1 * (gv - mv)                   // m = β₁m + (1-β₁)g
                            vv = vv * beta2
                            vv = vv + oneMinusBeta2 * gv * gv                     // v = β₂v + (1-β₂)g²
                            let denom = vv.squareRoot() / biasCorrection2Sqrt + eps   // √v̂ + ε
                            pv = pv + -stepSize * mv / denom                      // p -= lr·m̂ / (√v̂ + ε)
                            storeLanes(pv, p.baseAddress! + i, lanes)
                            storeLanes(mv, m.baseAddress! + i, lanes)
                            storeLanes(vv, v.baseAddress! + i, lanes)
                            i += 8
                        }
                    }
                }
            }
        }
    }

    public func stateDict() -> OptimizerState {
        // Settings are saved too, for a reader of the checkpoint; loading uses only lr and the state.
        var result = OptimizerState(numbers: ["lr": learningRate, "beta1": beta1, "beta2": beta2, "eps": epsilon,
                                              "weight_decay": weightDecay,
                                              "decoupled_weight_decay": decoupledWeightDecay ? 1 : 0])
        for (i, s) in state.enumerated() {
            result.numbers["\(i).step"] = Double(s.step)
            result.tensors["\(i).exp_avg"] = s.expAvg
            result.tensors["\(i).exp_avg_sq"] = s.expAvgSq
        }
        return result
    }

    public func loadStateDict(_ saved: OptimizerState) throws {
        var restored: [AdamParameterState] = []
        for (i, p) in parameters.enumerated() {
            restored.append(AdamParameterState(
                step: Int(try saved.number("\(i).step")),
                expAvg: try saved.tensor("\(i).exp_avg", shape: p.shape).copy(),
                expAvgSq: try saved.tensor("\(i).exp_avg_sq", shape: p.shape).copy()))
        }
        learningRate = try saved.number("lr")
        state = restored
    }
}

/// Up to 8 floats from `x` as one SIMD8 (missing lanes are 0).
@inline(__always)
func loadLanes(_ x: UnsafePointer<Float>, _ lanes: Int) -> SIMD8<Float> {
    if lanes == 8 { return UnsafeRawPointer(x).loadUnaligned(as: SIMD8<Float>.self) }
    var vector = SIMD8<Float>()
    for lane in 0..<lanes { vector[lane] = x[lane] }
    return vector
}

/// Writes the first `lanes` lanes of `vector` to `x`.
@inline(__always)
func storeLanes(_ vector: SIMD8<Float>, _ x: UnsafeMutablePointer<Float>, _ lanes: Int) {
    if lanes == 8 { UnsafeMutableRawPointer(x).storeBytes(of: vector, as: SIMD8<Float>.self); return }
    for lane in 0..<lanes { x[lane] = vector[lane] }
}
