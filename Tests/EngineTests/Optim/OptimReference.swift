// A small reader for the PyTorch answer keys used by the optimizer, clipping and scheduler tests
// (i, j, k, l). Types are prefixed `OptRef` so they never clash with other test files' loaders.
import Foundation
import Testing
@testable import Engine

/// One tensor from a key: its shape and its values (doubles, as stored).
struct OptRefTensor {
    let shape: [Int]
    let values: [Double]

    init(_ json: Any?) {
        let dict = json as? [String: Any] ?? [:]
        shape = (dict["shape"] as? [Any] ?? []).map { ($0 as! NSNumber).intValue }
        values = (dict["values"] as? [Any] ?? []).map { ($0 as! NSNumber).doubleValue }
    }

    /// The values rounded to Float, as PyTorch's float32 run rounds each double.
    var floats: [Float] { values.map { Float($0) } }
    /// A fresh engine tensor holding these values.
    func tensor(requiresGrad: Bool = false) -> Tensor {
        Tensor(floats, shape: shape, requiresGrad: requiresGrad)
    }
}

enum OptRef {
    /// Loads `name.json` from the test bundle's Resources folder as a JSON dictionary.
    static func load(_ name: String) throws -> [String: Any] {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Resources")
                ?? Bundle.module.url(forResource: name, withExtension: "json") else {
            throw OptRefError.missing(name)
        }
        let data = try Data(contentsOf: url)
        guard let dict = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw OptRefError.notAnObject(name)
        }
        return dict
    }

    /// `dict[a][b][c]…` for a path of keys.
    static func at(_ json: Any?, _ path: String...) -> Any? {
        var current = json
        for key in path { current = (current as? [String: Any])?[key] }
        return current
    }

    static func double(_ json: Any?) -> Double { (json as! NSNumber).doubleValue }
}

enum OptRefError: Error { case missing(String), notAnObject(String) }

/// Expects `|actual - expected| <= abs + rel·|expected|` for every element, naming the first bad one.
func optRefExpectClose(_ actual: [Float], _ expected: [Double], rel: Double = 1e-5, abs: Double = 2e-6,
                       _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "\(what): \(actual.count) values, expected \(expected.count)",
            sourceLocation: sourceLocation)
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        let error = Swift.abs(Double(a) - e)
        if !(error <= abs + rel * Swift.abs(e)) {
            Issue.record("\(what)[\(i)]: \(a) vs expected \(e) (error \(error))", sourceLocation: sourceLocation)
            return
        }
    }
}
