// Golden-text comparison for every test target: printed output against the text it should be.
import Testing

/// Compares printed output with the expected text line by line, so a failure names the first
/// line that differs instead of dumping two long strings. Forwards the caller's location.
///
///     expectGolden(table.text(), """
///         a  b
///         1  2
///         """)
public func expectGolden(_ actual: String, _ expected: String,
                  sourceLocation: SourceLocation = #_sourceLocation) {
    let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
    let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
    for (i, (x, y)) in zip(a, e).enumerated() where x != y {
        Issue.record("line \(i + 1) differs:\n  got      \(x.debugDescription)\n  expected \(y.debugDescription)",
                     sourceLocation: sourceLocation)
        return
    }
    #expect(a.count == e.count, "got \(a.count) lines, expected \(e.count)", sourceLocation: sourceLocation)
}
