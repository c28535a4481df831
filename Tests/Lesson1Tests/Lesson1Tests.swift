import Testing
@testable import lesson1

@Test func placeholder() { #expect(lesson1Title.en.hasPrefix("Lesson 1")) }
