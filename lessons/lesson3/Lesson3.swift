import Engine
import LessonKit

/// Placeholder until the lesson is written.
func lessonTitle() -> String { "lesson3" }

@main
struct Lesson3 {
    static func main() { print(lessonTitle()) }
}
