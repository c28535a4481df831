import Foundation
import Testing
@testable import Engine

// Reads the PyTorch answer keys copied into Tests/EngineTests/Resources (made by the reference
// generator; see each file's `value_formula`). Named `NNRef…` so that it cannot clash with the
// engine tests' own loader.

/// A node of a reference JSON file, read with subscripts: `ref["results"]["float32"]["loss"].double`.
struct NNRef {
    let value: Any?

    /// Loads `name.json` from the test bundle's Resources folder.
    static func load(_ name: String) throws -> NNRef {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Resources") else {
            throw NNRefError.missingResource(name)
        }
        return NNRef(value: try JSONSerialization.jsonObject(with: Data(contentsOf: url)))
    }

    subscript(key: String) -> NNRef { NNRef(value: (value as? [String: Any])?[key]) }
    subscript(index: Int) -> NNRef {
        guard let array = value as? [Any], index < array.count else { return NNRef(value: nil) }
        return NNRef(value: array[index])
    }

    var exists: Bool { value != nil && !(value is NSNull) }
    var double: Double { (value as? NSNumber)?.doubleValue ?? .nan }
    var string: String? { value as? String }
    var doubles: [Double] { ((value as? [Any]) ?? []).map { ($0 as? NSNumber)?.doubleValue ?? .nan } }
    var ints: [Int] { ((value as? [Any]) ?? []).map { ($0 as? NSNumber)?.intValue ?? -1 } }
    var strings: [String] { ((value as? [Any]) ?? []).compactMap { $0 as? String } }
    var keys: [String] { ((value as? [String: Any]) ?? [:]).keys.sorted() }
    var count: Int { (value as? [Any])?.count ?? 0 }

    /// A tensor entry (`shape` + `values`, or `shape` + `formula` when the values are omitted),
    /// rounded to Float as the reference's float32 run did.
    var tensor: Tensor {
        let shape = self["shape"].ints
        var values = self["values"].doubles
        if !self["values"].exists {
            let f = self["formula"]
            values = NNRef.formulaValues(count: shape.reduce(1, *), k: f["k"].double, a: f["A"].double,
                                         c: f["C"].double)
        }
        return Tensor(values.map { Float($0) }, shape: shape)
    }

    /// `C + A·sin(0.37·i + 0.11·k)` in Double with the C library's sin (bit-exact with the generator).
    static func formulaValues(count: Int, k: Double, a: Double, c: Double) -> [Double] {
        (0..<count).map { i in c + (a * Foundation.sin((0.37 * Double(i)) + (0.11 * k))) }
    }

    /// The weights of the single-op keys' loss, `G[j] = cos(0.23·j + 0.07)`, in Double then rounded.
    static func lossWeights(_ shape: [Int]) -> Tensor {
        let n = shape.reduce(1, *)
        return Tensor((0..<n).map { Float(Foundation.cos(0.23 * Double($0) + 0.07)) }, shape: shape)
    }
}

enum NNRefError: Error { case missingResource(String) }

