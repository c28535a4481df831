import Engine
import Foundation
import LessonKit
import Testing
@testable import lesson4

// Answer keys for lesson 4. Every number the lesson prints comes from a function tested here.
// Runs are kept short (a few epochs; the seed's first epochs do not depend on how many follow),
// so the whole target stays within its time budget.

/// The lesson's flags with `arguments` on top of the defaults.
func lessonFlags(_ arguments: [String] = []) throws -> Flags {
    try FlagParser(program: "lesson4", options: lessonOptions).parse(arguments)
}

/// The seed's settings for `epochs` epochs.
func seedSettings(epochs: Int) -> RunSettings {
    var s = RunSettings()
    s.epochs = epochs
    return s
}

@Suite struct Lesson4DataTests {
    @Test func splitIs800_100_100AndSeeded() {
        let a = makeLessonData(seed: 42), b = makeLessonData(seed: 42), c = makeLessonData(seed: 43)
        #expect([a.train.count, a.validation.count, a.test.count] == [800, 100, 100])
        #expect(a.train.inputs.shape == [800, 5, 10] && a.test.targets.shape == [100, 1])
        #expect(a.validation.targets.scalars == b.validation.targets.scalars)
        #expect(a.validation.targets.scalars != c.validation.targets.scalars)
        // The three sets are disjoint pieces of the same 1000 targets.
        let all = (a.train.targets.scalars + a.validation.targets.scalars + a.test.targets.scalars).sorted()
        #expect(all == a.all.targets.scalars.sorted())
    }
}
