import Engine
import LessonKit

/// Placeholder until the lesson is written.
func lessonTitle() -> String { "lesson2" }

@main
struct Lesson2 {
    static func main() { print(lessonTitle()) }
}
