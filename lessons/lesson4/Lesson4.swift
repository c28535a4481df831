import Engine
import LessonKit

/// Placeholder until the lesson is written.
func lessonTitle() -> String { "lesson4" }

@main
struct Lesson4 {
    static func main() { print(lessonTitle()) }
}
