import Engine

// The one printer for `--trace-shapes`: every lesson hands it the entries `withShapeTrace`
// recorded, and it prints one `  ↳ name: [shape]` line per module call.

/// How much of each module call the trace names besides the output shape.
public enum ShapeTraceDetail: Sendable {
    /// `  ↳ fc1: [32, 32]`
    case path
    /// `  ↳ fc1 (Linear, from [32, 50]): [32, 32]`
    case typeAndInput
    /// `  ↳ fc1 (Linear), in [32, 50], out: [32, 32]`
    case typeInputAndOutput
}

extension Lesson {
    /// With `--trace-shapes`, prints each recorded module call with its output shape, in the order
    /// the calls finished (a layer's insides before the layer):
    ///
    ///     let (y, trace) = withShapeTrace(model) { model(x) }
    ///     lesson.traceShapes(trace, detail: .typeAndInput)
    public func traceShapes(_ trace: [ShapeTraceEntry], detail: ShapeTraceDetail = .path) {
        for entry in trace {
            let name: String
            switch detail {
            case .path: name = entry.path
            case .typeAndInput: name = "\(entry.path) (\(entry.type), from \(entry.inputShape))"
            case .typeInputAndOutput: name = "\(entry.path) (\(entry.type)), in \(entry.inputShape), out"
            }
            traceShape(name, shape: entry.outputShape)
        }
    }
}
