import Engine
import LessonKit

/// Placeholder until the lesson is written.
func lessonTitle() -> String { "lesson1" }

@main
struct Lesson1 {
    static func main() { print(lessonTitle()) }
}
