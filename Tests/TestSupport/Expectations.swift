// Test helpers shared by every test target (the `TestSupport` target). Each forwards
// `sourceLocation`, so a failure points at the test line, not here.
import Testing
import Engine

/// Expects `actual` and `expected` to agree element by element. This is the one meaning of "close"
/// in the tests: an element passes when
///
///     |actual - expected| <= max(abs, rel · |expected|)      (or when the two are equal, e.g. both +inf)
///
/// that is, when its absolute error is within `abs` OR its relative error within `rel`. NaN never
/// passes. The defaults (rel 1e-5, abs 2e-6) are the float32 tolerance of the PyTorch reference keys;
/// pass `rel: 0` for an absolute-only check, `abs: 0` for a relative-only one. On failure it reports
/// how many elements failed and the worst one (largest error beyond its tolerance).
///
///     expectClose(out.scalars, expected.floats)                 // float32 agreement with PyTorch
///     expectClose(loss, 0.6931, rel: 0, abs: 1e-4, "loss")      // within 1e-4, whatever the size
public func expectClose(_ actual: [Float], _ expected: [Float], _ what: String = "", rel: Float = 1e-5,
                        abs: Float = 2e-6, sourceLocation: SourceLocation = #_sourceLocation) {
    let label = what.isEmpty ? "" : "\(what): "
    guard actual.count == expected.count else {
        Issue.record("\(label)\(actual.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
        return
    }
    var failures = 0
    var worst: (index: Int, excess: Float)? = nil
    for i in actual.indices {
        let error = Swift.abs(actual[i] - expected[i])
        let allowed = Swift.max(abs, rel * Swift.abs(expected[i]))
        let ok = error <= allowed || actual[i] == expected[i]          // `==` lets equal infinities pass
        if !ok {
            failures += 1
            let excess = error.isNaN ? .infinity : error / allowed
            if worst == nil || excess > worst!.excess { worst = (i, excess) }
        }
    }
    if let worst {
        let i = worst.index
        let error = Swift.abs(actual[i] - expected[i])
        Issue.record("""
            \(label)\(failures) of \(actual.count) elements differ; worst at [\(i)]: \(actual[i]) vs expected \
            \(expected[i]) (abs error \(error), rel error \(error / Swift.abs(expected[i]))), \
            tolerance rel \(rel) or abs \(abs)
            """, sourceLocation: sourceLocation)
    }
}

/// `expectClose` for a scalar (same meaning).
public func expectClose(_ actual: Float, _ expected: Float, _ what: String = "", rel: Float = 1e-5,
                        abs: Float = 2e-6, sourceLocation: SourceLocation = #_sourceLocation) {
    expectClose([actual], [expected], what, rel: rel, abs: abs, sourceLocation: sourceLocation)
}

/// `expectClose` against reference answers held in Double (a PyTorch key's float64 values), with the
/// same meaning, |actual - expected| <= max(abs, rel · |expected|), worked out in Double: the answer
/// is not rounded to Float first. `skip` lists indices left out (e.g. values that are rounding noise).
public func expectClose(_ actual: [Float], reference expected: [Double], _ what: String = "",
                        rel: Double = 1e-5, abs: Double = 2e-6, skip: Set<Int> = [],
                        sourceLocation: SourceLocation = #_sourceLocation) {
    let label = what.isEmpty ? "" : "\(what): "
    guard actual.count == expected.count else {
        Issue.record("\(label)\(actual.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
        return
    }
    var failures = 0
    var worst: (index: Int, excess: Double)? = nil
    for i in actual.indices where !skip.contains(i) {
        let error = Swift.abs(Double(actual[i]) - expected[i])
        let allowed = Swift.max(abs, rel * Swift.abs(expected[i]))
        if !(error <= allowed || Double(actual[i]) == expected[i]) {
            failures += 1
            let excess = error.isNaN ? .infinity : error / allowed
            if worst == nil || excess > worst!.excess { worst = (i, excess) }
        }
    }
    if let worst {
        let i = worst.index
        Issue.record("""
            \(label)\(failures) of \(actual.count) elements differ; worst at [\(i)]: \(actual[i]) vs expected \
            \(expected[i]) (abs error \(Swift.abs(Double(actual[i]) - expected[i]))), tolerance rel \(rel) or abs \(abs)
            """, sourceLocation: sourceLocation)
    }
}

/// `expectClose(_:reference:)` for a scalar.
public func expectClose(_ actual: Float, reference expected: Double, _ what: String = "",
                        rel: Double = 1e-5, abs: Double = 2e-6, sourceLocation: SourceLocation = #_sourceLocation) {
    expectClose([actual], reference: [expected], what, rel: rel, abs: abs, sourceLocation: sourceLocation)
}

/// Runs `gradCheck` (central differences against autograd) and expects every input to pass, with
/// `tolerance` as both its absolute and its relative tolerance.
public func expectGradCheck(_ inputs: [Tensor], epsilon: Float = 1e-3, tolerance: Float = 1e-2,
                     sourceLocation: SourceLocation = #_sourceLocation, _ function: ([Tensor]) -> Tensor) {
    let results = gradCheck(inputs, epsilon: epsilon, absoluteTolerance: tolerance,
                            relativeTolerance: tolerance, function)
    for r in results { #expect(r.passed, "\(r)", sourceLocation: sourceLocation) }
}

/// Expects an exit test's captured standard error to contain `message`.
public func expectStandardError(_ result: ExitTest.Result?, contains message: String,
                         sourceLocation: SourceLocation = #_sourceLocation) {
    guard let result else {
        Issue.record("the process did not exit as expected", sourceLocation: sourceLocation)
        return
    }
    let text = String(decoding: result.standardErrorContent, as: UTF8.self)
    #expect(text.contains(message), "standard error was: \(text)", sourceLocation: sourceLocation)
}

/// A leaf tensor of standard normals from `Generator(seed:)`, times `scale`, plus `shift`.
public func randomTensor(_ shape: [Int], seed: UInt64, scale: Float = 1, shift: Float = 0) -> Tensor {
    var g = Generator(seed: seed)
    let t = Tensor.randn(shape, generator: &g)
    return Tensor(t.scalars.map { $0 * scale + shift }, shape: shape)
}
