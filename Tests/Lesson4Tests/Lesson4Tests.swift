import Testing
@testable import lesson4

@Test func title() { #expect(lessonTitle() == "lesson4") }
