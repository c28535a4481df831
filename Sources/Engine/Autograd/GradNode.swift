/// One step of the recorded computation: which tensors went in, and how to send a gradient back
/// to them (the "pullback", also called the vector–Jacobian product).
///
/// Every op builds its result and, in the same function, a `GradNode` whose `pullback` maps the
/// gradient of the result to the gradients of the inputs. The pullback captures the *values* it
/// needs (plain `[Float]` arrays), never a `Tensor`: capturing the output would form a reference
/// cycle, and capturing inputs would make freeing a long graph recursive.
public final class GradNode {
    /// The op's name as PyTorch prints it in `grad_fn`, e.g. `"MulBackward"`.
    public let name: String
    /// The op's inputs, in order. `pullback` returns one gradient (or `nil`) per input.
    public internal(set) var inputs: [Tensor]
    /// Maps d(loss)/d(output) to d(loss)/d(input) for each input, each in that input's layout.
    let pullback: ([Float]) -> [[Float]?]
    /// Set while `backward()` lists the graph in topological order, so each node is listed once.
    var visited = false

    init(name: String, inputs: [Tensor], pullback: @escaping ([Float]) -> [[Float]?]) {
        self.name = name
        self.inputs = inputs
        self.pullback = pullback
    }

    /// Frees the graph behind this node iteratively. Swift's default would release input after
    /// input recursively, and a chain of ~50,000 ops overflows the stack that way.
    deinit {
        var pending = inputs
        inputs.removeAll()
        while var tensor = pending.popLast() {
            // Only a tensor nobody else holds dies here; steal its node's inputs before it goes.
            guard isKnownUniquelyReferenced(&tensor) else { continue }
            var node = tensor.gradFn
            tensor.gradFn = nil
            if isKnownUniquelyReferenced(&node), let node {
                pending.append(contentsOf: node.inputs)
                node.inputs.removeAll()
            }
        }
    }
}

// MARK: - No-grad mode

/// Whether ops record the graph on this thread. Off inside `withNoGrad { … }` (evaluation,
/// optimizer updates).
public var isGradEnabled: Bool { gradEnabled.value }

/// The grad-mode switch, one per thread (as PyTorch's): `withNoGrad` on one thread never turns
/// recording off on another.
private let gradEnabled = ThreadLocal { true }

/// Runs `body` without recording any graph, like `with torch.no_grad():` in PyTorch.
/// Results made inside do not require gradients, which saves memory and time at evaluation.
public func withNoGrad<Result>(_ body: () throws -> Result) rethrows -> Result {
    let previous = gradEnabled.value
    gradEnabled.value = false
    defer { gradEnabled.value = previous }
    return try body()
}

extension Tensor {
    /// Wraps an op's freshly computed values as a tensor, and records the op in the graph when
    /// gradients are on and some input requires them.
    ///
    /// - Parameters:
    ///   - scalars: the result's values, row-major.
    ///   - shape: the result's shape.
    ///   - op: the name shown as `gradFn.name`.
    ///   - inputs: the tensors the result was computed from.
    ///   - pullback: gradient of the result -> gradient of each input (same order as `inputs`).
    static func result(_ scalars: [Float], shape: [Int], op: String, inputs: [Tensor],
                       pullback: @escaping ([Float]) -> [[Float]?]) -> Tensor {
        let out = Tensor(scalars, shape: shape)
        if isGradEnabled && inputs.contains(where: { $0.requiresGrad }) {
            out.requiresGrad = true
            out.gradFn = GradNode(name: op, inputs: inputs, pullback: pullback)
        }
        return out
    }
}
