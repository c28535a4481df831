// The optimizer interface: what every update rule (SGD, Adam, AdamW) offers a training loop.
//
// A training step in PyTorch and here reads the same way:
//
//     optimizer.zeroGrad()          // forget last step's gradients (they accumulate otherwise)
//     let loss = criterion(model(x), y)
//     loss.backward()               // fill every parameter's .grad
//     optimizer.step()              // move every parameter against its gradient

/// An update rule that moves a list of parameters against their gradients, like `torch.optim.Optimizer`.
///
/// Hyper-parameters are `Double`, as they are Python floats in PyTorch: scalar factors such as
/// `lr / (1 - β₁ᵗ)` are computed in double precision and rounded to `Float` once, then applied to
/// the `Float` tensors, as PyTorch does.
///
/// What that buys, measured against PyTorch 2.15 on CPU: the same formulas, not the same bits.
/// PyTorch's in-place updates round once per fused multiply-add: `add_(g, alpha=…)` (SGD's step and
/// momentum buffer), `lerp_` and `addcmul_` (Adam's moments). Our kernels (`Kernels/SGDUpdate.swift`,
/// `Kernels/AdamUpdate.swift`) round after every operation, as Swift's `Float` arithmetic does on
/// every build, so lesson answers are the same on every machine. On a million random elements
/// (Tests/scripts/measure_adam_rounding.py) the share of results that differ in the last bit is
/// 29 % for `lerp_`, 8 % for `addcmul_`, 9 % for SGD's `p.add_(g, alpha=-lr)` and 27 % for its
/// momentum update `b.mul_(μ).add_(g, alpha=1-τ)`. Parameters therefore agree with PyTorch to float32
/// rounding (the tests' tolerance, relative 1e-5), not bit for bit, and drift apart slowly over
/// many steps.
public protocol Optimizer: AnyObject {
    /// The tensors this optimizer updates (`optimizer.param_groups[0]["params"]`).
    var parameters: [Tensor] { get }
    /// The step size. Schedulers change it between steps (`param_groups[0]["lr"]`).
    var learningRate: Double { get set }
    /// The momentum a scheduler may cycle (`OneCycleLR`): SGD's μ (`param_groups[0]["momentum"]`),
    /// Adam's β₁ (`param_groups[0]["betas"][0]`).
    var schedulableMomentum: Double { get set }
    /// Applies one update to every parameter that has a gradient. Runs without recording a graph.
    func step()
    /// The optimizer's memory (moment estimates, momentum buffers, step counts), for checkpoints.
    func stateDict() -> OptimizerState
    /// Restores the memory saved by `stateDict()`; throws if it does not fit these parameters.
    func loadStateDict(_ state: OptimizerState) throws
}

extension Optimizer {
    /// Clears every parameter's gradient (`optimizer.zero_grad()`, which sets `.grad = None`).
    public func zeroGrad() {
        for p in parameters { p.grad = nil }
    }
}

/// An optimizer's saved memory: named tensors (e.g. `"3.exp_avg"` for parameter 3) and named numbers
/// (e.g. `"3.step"`, `"lr"`), the layout a checkpoint stores.
public struct OptimizerState {
    public var tensors: [String: Tensor]
    public var numbers: [String: Double]

    public init(tensors: [String: Tensor] = [:], numbers: [String: Double] = [:]) {
        self.tensors = tensors
        self.numbers = numbers
    }

    /// The tensor stored under `name`, checked against the expected shape.
    func tensor(_ name: String, shape: [Int]) throws -> Tensor {
        guard let t = tensors[name] else { throw OptimizerStateError.missing(name) }
        guard t.shape == shape else { throw OptimizerStateError.shapeMismatch(name, expected: shape, found: t.shape) }
        return t
    }

    /// The number stored under `name`.
    func number(_ name: String) throws -> Double {
        guard let x = numbers[name] else { throw OptimizerStateError.missing(name) }
        return x
    }
}

/// Why an optimizer state could not be loaded.
public enum OptimizerStateError: Error, CustomStringConvertible {
    case missing(String)
    case shapeMismatch(String, expected: [Int], found: [Int])

    public var description: String {
        switch self {
        case .missing(let name): return "optimizer state: entry '\(name)' is missing"
        case .shapeMismatch(let name, let expected, let found):
            return "optimizer state: '\(name)' has shape \(found), expected \(expected)"
        }
    }
}
