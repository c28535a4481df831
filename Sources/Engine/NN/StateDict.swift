// Loading weights by name: the other half of `stateDict()`.
// A state dict is a list of (dotted name, tensor) pairs, exactly as PyTorch's `model.state_dict()`,
// so weights saved by either framework line up name for name.

/// What `loadStateDict` found wrong, listed by name so the message says exactly what to fix.
public struct StateDictError: Error, CustomStringConvertible, Equatable {
    /// Names the model has but the state dict lacks.
    public var missing: [String]
    /// Names in the state dict that the model does not have.
    public var unexpected: [String]
    /// Names present in both but with different shapes: (name, the model's shape, the given shape).
    public var wrongShape: [(name: String, expected: [Int], got: [Int])]

    public static func == (a: StateDictError, b: StateDictError) -> Bool {
        a.missing == b.missing && a.unexpected == b.unexpected
            && a.wrongShape.map(\.name) == b.wrongShape.map(\.name)
    }

    public var description: String {
        var lines = ["Error(s) in loading state dict:"]
        if !missing.isEmpty { lines.append("  missing keys: \(missing.joined(separator: ", "))") }
        if !unexpected.isEmpty { lines.append("  unexpected keys: \(unexpected.joined(separator: ", "))") }
        for (name, expected, got) in wrongShape {
            lines.append("  size mismatch for \(name): the model has shape \(expected), the state dict has \(got)")
        }
        return lines.joined(separator: "\n")
    }
}

/// The names `loadStateDict(_:strict: false)` skipped (PyTorch's `_IncompatibleKeys`).
public struct LoadStateDictResult: Equatable, Sendable {
    public var missing: [String]
    public var unexpected: [String]
}

extension Module {
    /// Copies values into this module's parameters and buffers by name (`model.load_state_dict(sd)`).
    ///
    /// Nothing is changed unless everything checks out, so a failed load never leaves a model half
    /// loaded. A wrongly shaped entry is always an error. With `strict` (the default, as in PyTorch),
    /// missing and unexpected names are errors too; without it, they are returned for you to inspect.
    ///
    ///     let file = try SafeTensors.load(contentsOf: url)
    ///     try model.loadStateDict(file.tensors)
    ///
    /// - Parameters:
    ///   - stateDict: (name, tensor) pairs, e.g. another model's `stateDict()` or a safetensors file.
    ///   - strict: whether missing or unexpected names throw.
    /// - Throws: `StateDictError` naming every problem.
    @discardableResult
    public func loadStateDict(_ stateDict: [(name: String, tensor: Tensor)],
                              strict: Bool = true) throws -> LoadStateDictResult {
        var given: [String: Tensor] = [:]
        for (name, tensor) in stateDict { given[name] = tensor }
        let own = self.stateDict()
        let ownNames = Set(own.map(\.name))

        var error = StateDictError(missing: [], unexpected: [], wrongShape: [])
        for (name, tensor) in own {
            guard let source = given[name] else { error.missing.append(name); continue }
            if source.shape != tensor.shape {
                error.wrongShape.append((name, tensor.shape, source.shape))
            }
        }
        // Unexpected names in the order they were given (a dictionary would scramble them).
        var seen = Set<String>()
        for (name, _) in stateDict where !ownNames.contains(name) && seen.insert(name).inserted {
            error.unexpected.append(name)
        }
        let fatal = !error.wrongShape.isEmpty || (strict && (!error.missing.isEmpty || !error.unexpected.isEmpty))
        if fatal { throw error }

        for (name, tensor) in own {
            if let source = given[name] { tensor.scalars = source.scalars }
        }
        return LoadStateDictResult(missing: error.missing, unexpected: error.unexpected)
    }

    /// `loadStateDict` from a dictionary.
    @discardableResult
    public func loadStateDict(_ stateDict: [String: Tensor], strict: Bool = true) throws -> LoadStateDictResult {
        try loadStateDict(stateDict.sorted { $0.key < $1.key }.map { (name: $0.key, tensor: $0.value) },
                          strict: strict)
    }

    /// The named buffers (non-trained state such as a positional-encoding table), depth first.
    public func namedBuffers() -> [(name: String, tensor: Tensor)] {
        var result: [(name: String, tensor: Tensor)] = []
        visit(prefix: "") { prefix, module in
            for (name, tensor) in module.ownBuffers { result.append((prefix + name, tensor)) }
        }
        return result
    }

    /// Every descendant module with its dotted path (`model.named_modules()`); the root is `""`.
    public func namedModules() -> [(name: String, module: Module)] {
        var result: [(name: String, module: Module)] = []
        visit(prefix: "") { prefix, module in result.append((String(prefix.dropLast()), module)) }
        return result
    }
}
