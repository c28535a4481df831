import Engine
import LessonKit

// MARK: - Summary

func summary(_ lesson: Lesson) {
    lesson.heading(en: "What to remember", zh: "要记住的")
    lesson.say(en: """
        1. Look at the statistics first: the largest feature dominates the inputs and the gradients.
        2. Find the dirt before training: count missing cells, plot the values, check the labels.
        3. Fill with the median, clip with a robust rule, and fit every fill value, fence and scaler \
        on the training split only.
        4. If the loss does not go down, suspect the data before the model: raw units can push \
        tanh/sigmoid units onto their flat ends, and noisy labels put a floor under the loss.
        5. One run proves little: compare settings on several seeds, and call a difference an effect \
        only when it is larger than the seed-to-seed spread.
        """, zh: """
        1. 先看统计量：最大的特征会主导输入和梯度。
        2. 训练前先找脏数据：数缺失值、画数值分布、检查标签。
        3. 用中位数填补，用稳健规则裁剪；所有填补值、边界和缩放器都只在训练集上拟合。
        4. 损失降不下来时，先怀疑数据再怀疑模型：原始单位会把 tanh/sigmoid 单元推到平坦的两端，\
        噪声标签会给损失垫一个底。
        5. 一次训练说明不了什么：在多个随机种子上比较不同设置，只有差异大于随机种子间的波动才算效果。
        """)
}
