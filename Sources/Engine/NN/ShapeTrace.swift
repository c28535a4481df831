// Printing the shape at every module boundary: the quickest way to see how data flows through a
// model. Every layer's `callAsFunction` reports (module, input shape, output shape) to
// `traceShape`, which costs one thread-local lookup when no trace is running.

/// One module call seen by `withShapeTrace`.
public struct ShapeTraceEntry: Sendable, CustomStringConvertible {
    /// The module's dotted path in the traced model (`encoder.layers.0.self_attn`), or its type
    /// name when it is not part of that model.
    public let path: String
    /// The module's type, e.g. `Linear`.
    public let type: String
    public let inputShape: [Int]
    public let outputShape: [Int]

    public var description: String { "\(path) (\(type)): \(inputShape) -> \(outputShape)" }
}

/// Runs `body` and records the input and output shape of every module call made inside it, on this
/// thread, in the order the calls *finished* (inner modules before the module that contains them).
///
///     let (y, trace) = withShapeTrace(model) { model(x) }
///     for entry in trace { print(entry) }    // input_proj (Linear): [32, 5, 10] -> [32, 5, 64] …
///
/// - Parameters:
///   - model: used to name the modules by their paths (`model.namedModules()`).
///   - body: the computation to watch.
public func withShapeTrace<Result>(_ model: Module? = nil,
                                   _ body: () throws -> Result) rethrows -> (Result, [ShapeTraceEntry]) {
    let recorder = ShapeRecorder()
    if let model {
        for (name, module) in model.namedModules() {
            recorder.names[ObjectIdentifier(module)] = name.isEmpty ? "(root)" : name
        }
    }
    let previous = ShapeRecorder.current
    ShapeRecorder.current = recorder
    defer { ShapeRecorder.current = previous }
    let result = try body()
    return (result, recorder.entries)
}

/// Reports one module call to the running shape trace (if any) and returns `output` unchanged.
@inline(__always)
func traceShape(_ module: Module, _ input: Tensor, _ output: Tensor) -> Tensor {
    if let recorder = ShapeRecorder.current {
        let type = String(describing: Swift.type(of: module))
        recorder.entries.append(ShapeTraceEntry(path: recorder.names[ObjectIdentifier(module)] ?? type,
                                                type: type, inputShape: input.shape,
                                                outputShape: output.shape))
    }
    return output
}

/// The entries of the trace running on this thread (one recorder per thread, so parallel tests don't mix).
final class ShapeRecorder {
    var entries: [ShapeTraceEntry] = []
    var names: [ObjectIdentifier: String] = [:]

    /// The recorder of the trace running on this thread, if any.
    static var current: ShapeRecorder? {
        get { recorders.value }
        set { recorders.value = newValue }
    }

    /// Each thread's running recorder (see `ThreadLocal`).
    private static let recorders = ThreadLocal<ShapeRecorder?> { nil }
}
