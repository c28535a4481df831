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
    /// Integer or bool tensors in the source (e.g. BatchNorm's `num_batches_tracked`, I64), which a
    /// model of Float parameters cannot load: (name, dtype). Only a strict load stops for them.
    public var notFloat: [(name: String, dtype: String)]

    public init(missing: [String] = [], unexpected: [String] = [],
                wrongShape: [(name: String, expected: [Int], got: [Int])] = [],
                notFloat: [(name: String, dtype: String)] = []) {
        self.missing = missing
        self.unexpected = unexpected
        self.wrongShape = wrongShape
        self.notFloat = notFloat
    }

    public static func == (a: StateDictError, b: StateDictError) -> Bool {
        a.missing == b.missing && a.unexpected == b.unexpected
            && a.wrongShape.map(\.name) == b.wrongShape.map(\.name) && a.notFloat.map(\.name) == b.notFloat.map(\.name)
    }

    public var description: String {
        var lines = ["Error(s) in loading state dict:"]
        if !missing.isEmpty { lines.append("  missing keys: \(missing.joined(separator: ", "))") }
        if !unexpected.isEmpty { lines.append("  unexpected keys: \(unexpected.joined(separator: ", "))") }
        for (name, expected, got) in wrongShape {
            lines.append("  size mismatch for \(name): the model has shape \(expected), the state dict has \(got)")
        }
        if !notFloat.isEmpty {
            let list = notFloat.map { "\($0.name) (\($0.dtype))" }.joined(separator: ", ")
            lines.append("  integer or bool tensors, which Float parameters cannot hold: \(list)"
                         + " (load with strict: false to skip them)")
        }
        return lines.joined(separator: "\n")
    }
}

/// What `loadStateDict(_:strict: false)` did not load (PyTorch's `_IncompatibleKeys`, plus the
/// integer tensors it skipped).
public struct LoadStateDictResult: Equatable, Sendable {
    public var missing: [String]
    public var unexpected: [String]
    /// Integer or bool tensors of the source that were skipped, by name.
    public var skipped: [String]
    /// One line per skipped tensor saying what it was and why it was skipped.
    public var notes: [String]

    public init(missing: [String], unexpected: [String], skipped: [String] = [], notes: [String] = []) {
        self.missing = missing
        self.unexpected = unexpected
        self.skipped = skipped
        self.notes = notes
    }
}

extension Module {
    /// Copies values into this module's parameters and buffers by name (`model.load_state_dict(sd)`).
    ///
    /// Nothing is changed unless everything checks out, so a failed load never leaves a model half
    /// loaded. A wrongly shaped entry is always an error. With `strict` (the default, as in PyTorch),
    /// missing and unexpected names are errors too; without it, they are returned for you to inspect.
    ///
    ///     let file = try SafeTensors.load(contentsOf: url)
    ///     try model.loadStateDict(file)          // also reports the file's integer tensors
    ///
    /// - Parameters:
    ///   - stateDict: (name, tensor) pairs, e.g. another model's `stateDict()` or a safetensors file.
    ///   - strict: whether missing or unexpected names throw.
    /// - Throws: `StateDictError` naming every problem.
    @discardableResult
    public func loadStateDict(_ stateDict: [NamedTensor], strict: Bool = true) throws -> LoadStateDictResult {
        try loadStateDict(stateDict, notFloat: [], strict: strict)
    }

    /// `loadStateDict`, told also of the source's tensors that are not Float (a safetensors file's
    /// integer tensors): a strict load names them in its error, a non-strict one skips them with a note.
    func loadStateDict(_ stateDict: [NamedTensor], notFloat: [(name: String, dtype: String, shape: [Int])],
                       strict: Bool) throws -> LoadStateDictResult {
        let notFloatNames = Set(notFloat.map(\.name))
        var given: [String: Tensor] = [:]
        for (name, tensor) in stateDict { given[name] = tensor }
        let own = self.stateDict()
        let ownNames = Set(own.map(\.name))

        var error = StateDictError(notFloat: notFloat.map { ($0.name, $0.dtype) })
        for (name, tensor) in own where !notFloatNames.contains(name) {
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
        let incomplete = !error.missing.isEmpty || !error.unexpected.isEmpty || !error.notFloat.isEmpty
        if !error.wrongShape.isEmpty || (strict && incomplete) { throw error }

        for (name, tensor) in own {
            if let source = given[name] { tensor.scalars = source.scalars }
        }
        let notes = notFloat.map { entry in
            let role = ownNames.contains(entry.name) ? "the model's Float tensor of that name keeps its values"
                                                     : "the model has no tensor of that name"
            return "skipped \(entry.name): \(entry.dtype) \(entry.shape), not Float (\(role))"
        }
        return LoadStateDictResult(missing: error.missing, unexpected: error.unexpected,
                                   skipped: notFloat.map(\.name), notes: notes)
    }

    /// `loadStateDict` from a dictionary.
    @discardableResult
    public func loadStateDict(_ stateDict: [String: Tensor],
                              strict: Bool = true) throws -> LoadStateDictResult {
        try loadStateDict(stateDict.sorted { $0.key < $1.key }.map { (name: $0.key, tensor: $0.value) },
                          strict: strict)
    }

    /// The named buffers (non-trained state such as a positional-encoding table), depth first.
    public func namedBuffers() -> [NamedTensor] {
        var result: [NamedTensor] = []
        visit(prefix: "") { prefix, module in
            for (name, tensor) in module.ownBuffers { result.append((prefix + name, tensor)) }
        }
        return result
    }

    /// Every descendant module with its dotted path (`model.named_modules()`); the root is `""`.
    public func namedModules() -> [NamedModule] {
        var result: [NamedModule] = []
        visit(prefix: "") { prefix, module in result.append((String(prefix.dropLast()), module)) }
        return result
    }
}
