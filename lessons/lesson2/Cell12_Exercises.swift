import LessonKit

// Cell 12: exercises.

// Each answer is pinned by a test in Tests/Lesson2Tests/Lesson2Tests.swift
// (the test's name is given), so a student can check a guess with `swift test --filter <name>`.

// MARK: - Cell 12: exercises

func cell12Exercises(_ lesson: Lesson, _ settings: Settings) {
    lesson.step(en: "Exercises", zh: "练习")
    lesson.say(en: """
        1. Run with --d-model 32 --heads 2. How many parameters now? Work it out from the table of \
        cell 5 before you run it. (test: exerciseParametersOfANarrowerModel)
        2. How deep can the plain sigmoid MLP of cell 9 be before its first-layer gradient norm falls \
        below 1e-6? Try --layers 4, 6, 8 … (test: exerciseSigmoidDepthLimit)
        3. Does any --init rescue a 20-layer sigmoid stack? Compare its best first-layer gradient \
        with Kaiming + ReLU. (test: noInitialisationRescuesSigmoid)
        """, zh: """
        1. 用 --d-model 32 --heads 2 运行。现在有多少参数？先根据第 5 步的表自己算，再运行验证。\
        （测试：exerciseParametersOfANarrowerModel）
        2. 第 9 步中的普通 sigmoid MLP 最多能有多深，第一层的梯度范数才不会低于 1e-6？试试 --layers 4、6、8……\
        （测试：exerciseSigmoidDepthLimit）
        3. 有没有哪种 --init 能救活 20 层的 sigmoid 网络？把它最好的第一层梯度与 Kaiming + ReLU 比较。\
        （测试：noInitialisationRescuesSigmoid）
        """)
}
