import Testing
@testable import lesson1

@Test func title() { #expect(lessonTitle() == "lesson1") }
