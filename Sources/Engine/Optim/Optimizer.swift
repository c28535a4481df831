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
/// What that buys, measured against PyTorch 2.15 on CPU: SGD's update (multiply, then add) gives
/// PyTorch's bits. Adam's does not, quite: PyTorch's `exp_avg.lerp_(g, 1 - β₁)` and
/// `exp_avg_sq.addcmul_(g, g, value=1 - β₂)` round once (a fused multiply-add), while
/// `Kernels/AdamUpdate.swift` rounds after every operation (as Swift's `Float` arithmetic does on
/// every build, so lesson answers are the same on every machine). On a million random elements
/// (Tests/scripts/measure_adam_rounding.py) 29 % of `lerp_`'s results and 8 % of `addcmul_`'s
/// differ in the last bit. The parameters then agree with PyTorch to float32 rounding (the tests'
/// tolerance, relative 1e-5), not bit for bit, and the difference grows slowly over many steps.
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
