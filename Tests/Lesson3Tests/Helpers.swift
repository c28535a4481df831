import Testing
@testable import lesson3

/// `actual` within `relative` (a fraction of `expected`) of `expected`; failures point at the caller.
func expectClose(_ actual: Float, _ expected: Float, relative: Float = 1e-3,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(Swift.abs(actual - expected) <= relative * Swift.abs(expected),
            "\(actual) is not within \(relative * 100) % of \(expected)", sourceLocation: sourceLocation)
}
