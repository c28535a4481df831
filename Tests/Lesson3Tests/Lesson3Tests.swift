import Testing
@testable import lesson3

@Test func title() { #expect(lessonTitle() == "lesson3") }
