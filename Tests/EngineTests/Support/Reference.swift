// Reading the PyTorch answer keys (`Resources/*.json`, copied from ../shared/reference/).
//
// Every key stores tensors as `{"shape": [...], "values": [...]}` with the values in double, and the
// answers as `results.float64` / `results.float32`, each with `outputs`, `loss` and `grads`. Files
// differ in everything else (one case or a `cases` list, parameters, intermediates, optimizer
// state), so the loader keeps the whole file as a `ReferenceJSON` tree and adds typed views on top:
//
//     let file = try ReferenceFile.load("a_linear")
//     let key = file.cases[0]
//     let x = key.tensor("x")                           // a Tensor, values rounded to Float, requiresGrad set
//     let expected = key.float32.outputs["out"]!        // ReferenceTensor: shape + values
//     expectClose(out.scalars, expected.floats)         // rel 1e-5 or abs 2e-6, the float32 tolerance
//
// Anything not covered by the typed views: `file.json["parameters"]?["input_proj.weight"]?.referenceTensor`.
import Foundation
import Testing
import TestSupport
@testable import Engine

// MARK: - A JSON tree

/// Any JSON value of a key file, decoded without knowing the file's layout in advance. (Not the
/// engine's `JSONValue`, which reads safetensors headers and keeps numbers as text.)
enum ReferenceJSON: Decodable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([ReferenceJSON])
    case object([String: ReferenceJSON])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let b = try? container.decode(Bool.self) { self = .bool(b) }
        else if let d = try? container.decode(Double.self) { self = .number(d) }
        else if let s = try? container.decode(String.self) { self = .string(s) }
        else if let a = try? container.decode([ReferenceJSON].self) { self = .array(a) }
        else { self = .object(try container.decode([String: ReferenceJSON].self)) }
    }

    subscript(key: String) -> ReferenceJSON? {
        if case .object(let o) = self { return o[key] }
        return nil
    }
    subscript(index: Int) -> ReferenceJSON? {
        if case .array(let a) = self, a.indices.contains(index) { return a[index] }
        return nil
    }
    var double: Double? { if case .number(let d) = self { return d }; return nil }
    var int: Int? { double.flatMap { Int(exactly: $0) } }
    var string: String? { if case .string(let s) = self { return s }; return nil }
    var bool: Bool? { if case .bool(let b) = self { return b }; return nil }
    var array: [ReferenceJSON]? { if case .array(let a) = self { return a }; return nil }
    var object: [String: ReferenceJSON]? { if case .object(let o) = self { return o }; return nil }
    var doubles: [Double]? { array?.compactMap(\.double) }

    /// This value read as a stored tensor, when it has `shape` and `values`.
    var referenceTensor: ReferenceTensor? { ReferenceTensor(self) }

    /// Every stored tensor among this object's members, by member name.
    var referenceTensors: [String: ReferenceTensor] {
        (object ?? [:]).compactMapValues { ReferenceTensor($0) }
    }
}

// MARK: - Typed views

/// A tensor stored in a key: its shape and its values as the file holds them (double).
struct ReferenceTensor: Sendable {
    let shape: [Int]
    let values: [Double]

    init?(_ json: ReferenceJSON) {
        guard let shape = json["shape"]?.array?.compactMap(\.int), let values = json["values"]?.doubles,
              shape.reduce(1, *) == values.count else { return nil }
        self.shape = shape
        self.values = values
    }

    /// The values rounded to the nearest Float, as the float32 run used them.
    var floats: [Float] { values.map { Float($0) } }

    /// A fresh leaf tensor with these values (rounded to Float) and this shape.
    func tensor(requiresGrad: Bool = false) -> Tensor {
        Tensor(floats, shape: shape, requiresGrad: requiresGrad)
    }
}

/// One precision's answers: outputs by name, the scalar loss, and dL/d(every input) by name.
struct ReferenceResults: Sendable {
    let outputs: [String: ReferenceTensor]
    let loss: Double?
    let grads: [String: ReferenceTensor]

    init(_ json: ReferenceJSON?) {
        outputs = json?["outputs"]?.referenceTensors ?? [:]
        loss = json?["loss"]?.double
        grads = json?["grads"]?.referenceTensors ?? [:]
    }
}

/// One case of a key: its input tensors, which outputs form the loss, and both precisions' answers.
struct ReferenceCase: Sendable {
    let name: String
    /// The case's whole JSON object, for fields the typed view does not cover.
    let json: ReferenceJSON
    let tensors: [String: ReferenceTensor]
    let lossOutputs: [String]
    let float64: ReferenceResults
    let float32: ReferenceResults

    init(_ json: ReferenceJSON, fallbackName: String) {
        self.json = json
        name = json["name"]?.string ?? fallbackName
        tensors = json["tensors"]?.referenceTensors ?? [:]
        lossOutputs = json["loss_outputs"]?.array?.compactMap(\.string) ?? []
        float64 = ReferenceResults(json["results"]?["float64"])
        float32 = ReferenceResults(json["results"]?["float32"])
    }

    /// Input `name` as a fresh leaf tensor; `requiresGrad` as the key says (`requires_grad`).
    func tensor(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) -> Tensor {
        guard let t = tensors[name] else {
            Issue.record("reference case \(self.name) has no tensor \(name)", sourceLocation: sourceLocation)
            return Tensor.zeros([0])
        }
        let requires = json["tensors"]?[name]?["requires_grad"]?.bool ?? false
        return t.tensor(requiresGrad: requires)
    }
}

enum ReferenceError: Error, CustomStringConvertible {
    case missing(String)
    var description: String {
        switch self { case .missing(let what): "reference key: \(what)" }
    }
}

/// A whole key file. `cases` holds the `cases` list, or the top level itself for a one-case key.
struct ReferenceFile: Sendable {
    let name: String
    let json: ReferenceJSON
    let cases: [ReferenceCase]

    /// Loads `Resources/<name>.json` from the test bundle.
    static func load(_ name: String) throws -> ReferenceFile {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Resources") else {
            throw ReferenceError.missing("Resources/\(name).json is not in the test bundle")
        }
        let json = try JSONDecoder().decode(ReferenceJSON.self, from: Data(contentsOf: url))
        let cases = json["cases"]?.array?.enumerated().map { ReferenceCase($1, fallbackName: "\(name)[\($0)]") }
            ?? [ReferenceCase(json, fallbackName: name)]
        return ReferenceFile(name: name, json: json, cases: cases)
    }

    /// The case called `name`.
    func `case`(_ name: String) throws -> ReferenceCase {
        guard let c = cases.first(where: { $0.name == name }) else {
            throw ReferenceError.missing("\(self.name) has no case \(name)")
        }
        return c
    }
}

// MARK: - The keys' loss

/// The weights of the keys' scalar loss, G[j] = cos(0.23·j + 0.07), computed in double and rounded to
/// Float (as the float32 run did).
func referenceLossWeights(count: Int) -> [Float] {
    (0..<count).map { Float(cos(0.23 * Double($0) + 0.07)) }
}

/// The keys' scalar loss over the named outputs: L = Σ over outputs Σⱼ out[j]·G[j], j restarting at 0
/// in each output. Backward from it gives the gradients stored under `grads`.
func referenceLoss(_ outputs: [Tensor]) -> Tensor {
    var total: Tensor? = nil
    for out in outputs {
        let term = (out * Tensor(referenceLossWeights(count: out.count), shape: out.shape)).sum()
        total = total.map { $0 + term } ?? term
    }
    return total ?? Tensor(scalar: 0)
}
