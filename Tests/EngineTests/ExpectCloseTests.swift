// TestSupport's helpers themselves: each passes what it should and records an issue otherwise.
import Testing
import TestSupport

@Suite struct ExpectCloseTests {
    @Test func absoluteOrRelativeToleranceEitherSuffices() {
        expectClose([1, 1000, 0], [1 + 1.5e-6, 1000.009, -1.9e-6])        // abs 2e-6, rel 1e-5, abs
        expectClose(Float.infinity, .infinity)
        expectClose([1.0005], [1], rel: 1e-3, abs: 0)
        expectClose([1.0005], [1], rel: 0, abs: 1e-3)
        expectClose([Float(0.1)], reference: [0.1])
        expectClose([1, 2, 99], reference: [1, 2, 3], skip: [2])
    }

    @Test func failuresAreRecorded() {
        withKnownIssue { expectClose([1, 1000], [1, 1000.02]) }
        withKnownIssue { expectClose(Float.nan, .nan) }
        withKnownIssue { expectClose([1, 2], [1]) }
        withKnownIssue { expectClose([1.0005], [1], rel: 1e-4, abs: 1e-4) }
        withKnownIssue { expectClose(Float(1e-5), reference: 0) }
        withKnownIssue { expectClose([1, 2, 99], reference: [1, 2, 3]) }
        withKnownIssue { expectGolden("a\nb", "a\nc") }
        withKnownIssue { expectGolden("a", "a\n") }
        expectGolden("a\nb", "a\nb")
    }
}
