import LessonKit

// Cell 8: Exercises (answers in Tests/Lesson4Tests/Lesson4Tests.swift).

/// The exercises, each with the test that holds its answer.
let lesson4Exercises: [(question: Localized, answerKey: String)] = [
    (Localized(en: "ReduceLROnPlateau with patience 5: the training loss improves until epoch 10, then stays flat. "
                   + "At which epochs does the learning rate drop?",
               zh: "ReduceLROnPlateau 的耐心为 5：训练损失在第 10 轮之前一直进步，之后完全持平。学习率在哪几轮下降？"),
     "exercise1PatienceFive"),
    (Localized(en: "Run `--train-size 16`. Is the overfitting worse or milder than with 32 samples (validation loss " +
                   "at the end)?",
               zh: "运行 `--train-size 16`。与 32 个样本相比，过拟合更严重还是更轻（看最后的验证损失）？"),
     "exercise2SixteenSamples"),
    (Localized(en: "In cell 6, at ten times the learning rate: over the seeds, does clipping give a lower, a higher, "
                   + "or no measurably different validation loss?",
               zh: "第 6 格里，学习率放大 10 倍时：综合各随机种子，裁剪让验证损失更低、更高，还是没有可测的差异？"),
     "clippingWeightDecayAndDropoutComparedSideBySide"),
    (Localized(en: "Run `--stop-patience 3`. At which epoch does early stopping give up on the drawn overfitting run "
                   + "of cell 5, and which epoch's weights does it keep?",
               zh: "运行 `--stop-patience 3`。第 5 "
                   + "格画出来的那次过拟合训练中，早停在第几轮放弃？保留的是第几轮的权重？"),
     "overfittingShownThenFixed"),
]

// MARK: - Cell 8: Exercises (answers in Tests/Lesson4Tests/Lesson4Tests.swift)

func cell8Exercises(_ lesson: Lesson) {
    lesson.cell(8)
    for (number, exercise) in lesson4Exercises.enumerated() {
        lesson.say(en: "\(number + 1). \(exercise.question.en) (answer: test `\(exercise.answerKey)`)",
                   zh: "\(number + 1). \(exercise.question.zh)（答案：测试 `\(exercise.answerKey)`）")
    }
}
