import Engine
// LessonKit: how the lessons show their numbers. (Filled in by the LessonKit work.)
