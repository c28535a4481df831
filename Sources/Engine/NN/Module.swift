/// A piece of a network that owns parameters and may contain other modules, like `torch.nn.Module`.
///
/// Each module lists its own parameters and children explicitly, with the names PyTorch's
/// `state_dict` uses, so the names line up one for one (`encoder.layers.0.self_attn.in_proj_weight`):
///
///     final class TwoLayer: Module {
///         var training = true
///         let fc1 = Linear(10, 32), fc2 = Linear(32, 1)
///         var ownParameters: [NamedTensor] { [] }
///         var ownBuffers: [NamedTensor] { [] }
///         var children: [NamedModule] { [("fc1", fc1), ("fc2", fc2)] }
///         func callAsFunction(_ x: Tensor) -> Tensor { fc2(fc1(x).relu()) }
///     }
///     TwoLayer().parameterCount()     // 385 = 10·32 + 32 + 32·1 + 1
///
/// No reflection: a student can read exactly where every parameter name comes from. Every module
/// states all three lists, even when they are empty (`[]`): there are no defaults, so a list written
/// with the wrong type (say `[(String, Module)]`, without the labels) is a compile error instead of
/// a model that silently has no parameters.
public protocol Module: AnyObject {
    /// The parameters this module holds itself (not its children's), in registration order.
    var ownParameters: [NamedTensor] { get }
    /// Tensors saved in the state dict that are not trained (e.g. a positional-encoding table).
    var ownBuffers: [NamedTensor] { get }
    /// The sub-modules, in registration order.
    var children: [NamedModule] { get }
    /// `true` in training mode (dropout active), `false` in evaluation mode. Set it with `train()`/`eval()`.
    var training: Bool { get set }
}

/// A module that maps one tensor to one tensor (`y = layer(x)`), so it can sit in a `Sequential`.
/// Layers with more inputs or outputs (attention, masks) add their own `callAsFunction` overloads.
public protocol Layer: Module {
    func callAsFunction(_ x: Tensor) -> Tensor
}

/// A tensor with its name in the state dict, e.g. `("weight", weight)`.
public typealias NamedTensor = (name: String, tensor: Tensor)
/// A sub-module with its name, e.g. `("fc1", fc1)`; the name becomes a prefix of its parameters' names.
public typealias NamedModule = (name: String, module: Module)

extension Module {
    /// Every parameter with its dotted path, depth first (`model.named_parameters()`).
    public func namedParameters() -> [NamedTensor] {
        var result: [NamedTensor] = []
        visit(prefix: "") { prefix, module in
            for (name, tensor) in module.ownParameters { result.append((prefix + name, tensor)) }
        }
        return result
    }

    /// Every parameter (`model.parameters()`), in the order of `namedParameters()`.
    public func parameters() -> [Tensor] { namedParameters().map(\.tensor) }

    /// The total number of trainable values.
    public func parameterCount() -> Int { parameters().reduce(0) { $0 + $1.count } }

    /// Parameters and buffers by dotted name (`model.state_dict()`), in PyTorch's order: each
    /// module's own parameters, then its own buffers, then its children.
    public func stateDict() -> [NamedTensor] {
        var result: [NamedTensor] = []
        visit(prefix: "") { prefix, module in
            for (name, tensor) in module.ownParameters { result.append((prefix + name, tensor)) }
            for (name, tensor) in module.ownBuffers { result.append((prefix + name, tensor)) }
        }
        return result
    }

    /// Training mode for this module and every child (`model.train()`).
    public func train() { setTraining(true) }
    /// Evaluation mode for this module and every child (`model.eval()`): dropout becomes the identity.
    public func eval() { setTraining(false) }

    public func setTraining(_ on: Bool) {
        visit(prefix: "") { _, module in module.training = on }
    }

    /// Clears every parameter's gradient.
    public func zeroGrad() { for p in parameters() { p.grad = nil } }

    /// Calls `body(prefix, module)` for this module and every descendant, depth first, iteratively.
    public func visit(prefix: String, _ body: (String, Module) -> Void) {
        var stack: [(String, Module)] = [(prefix, self)]
        while let (path, module) = stack.popLast() {
            body(path, module)
            for (name, child) in module.children.reversed() { stack.append((path + name + ".", child)) }
        }
    }
}
