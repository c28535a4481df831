import LessonKit

// Cell 12: exercises.

// Each answer is pinned by a test in Tests/Lesson2Tests/Lesson2Tests.swift
// (the test's name is given), so a student can check a guess with `swift test --filter <name>`.

// MARK: - Cell 12: exercises

func cell12Exercises(_ lesson: Lesson, _ settings: Settings) {
    lesson.cell(12)
    lesson.say(en: """
        1. Run with --d-model 32 --heads 2. How many parameters now? Work it out from the table of \
        cell 5 before you run it. (test: exerciseParametersOfANarrowerModel)
        2. How deep can the plain sigmoid MLP of cell 9 be before its first-layer gradient norm falls \
        below 1e-6? Try --layers 4, 6, 8 … (test: exerciseSigmoidDepthLimit)
        3. Does any --init rescue a 20-layer sigmoid stack? Compare its best first-layer gradient \
        with Kaiming + ReLU: run with --activation sigmoid and read cell 6. \
        (test: noInitialisationRescuesSigmoid)
        4. Do residual connections cure vanishing gradients whatever the initialisation? Read cell \
        9's last table, then try --layers 8 and --layers 40. (test: residualsAcrossInitialisations)
        """, zh: """
        1. 用 --d-model 32 --heads 2 运行。现在有多少参数？先根据单元 5 的表自己算，再运行验证。\
        （测试：exerciseParametersOfANarrowerModel）
        2. 单元 9 中的普通 sigmoid MLP 最多能有多深，第一层的梯度范数才不会低于 1e-6？试试 --layers 4、6、8……\
        （测试：exerciseSigmoidDepthLimit）
        3. 有没有哪种 --init 能救活 20 层的 sigmoid 网络？把它最好的第一层梯度与 Kaiming + ReLU 比较：\
        用 --activation sigmoid 运行，看单元 6。（测试：noInitialisationRescuesSigmoid）
        4. 残差连接是不是不管怎么初始化都能治好梯度消失？看单元 9 的最后一张表，再试试 --layers 8 和 --layers 40。\
        （测试：residualsAcrossInitialisations）
        """)
}
