import Testing
@testable import lesson2

@Test func title() { #expect(lessonTitle() == "lesson2") }
