import Engine
import LessonKit

// A run that blows up is stopped and called diverged, never narrated as learning. Two ways to blow
// up: the loss or a gradient stops being a finite number (the engine's NaN guard fires), or the loss
// is still a number but far above where the run started (`--lr 10` reaches 1.7e15 without ever
// overflowing). Either way the run ends there, its measurements read as NaN in every comparison
// (so a verdict can only be "diverged"), and the lesson prints the guard's diagnosis.

/// Why a run was stopped.
enum Divergence {
    /// The NaN guard fired: the loss, a gradient or a weight is NaN or infinite.
    case nonFinite(TrainingDiverged)
    /// The epoch's mean loss rose above LessonKit's `divergenceFactor` times `start`, the first batch's loss.
    case exploded(TrainingDiverged, start: Double)

    /// Where it happened, the numbers of that step and the likely causes.
    var diagnosis: TrainingDiverged {
        switch self {
        case .nonFinite(let d), .exploded(let d, _): return d
        }
    }
}

/// The guard's evidence for a loss that blew up while staying finite. The guard fires only on NaN
/// or infinity, so it is shown the loss as if it had overflowed; its suspects (learning rate,
/// clipping, the data) are then kept with the real, finite loss.
func explodedDiagnosis(_ nanGuard: NaNGuard, epoch: Int, step: Int, learningRate: Double, loss: Double,
                       gradientNorm: Float, inputs: Tensor?) -> TrainingDiverged {
    do {
        try nanGuard.check(loss: .infinity, gradientNorm: gradientNorm, epoch: epoch, step: step,
                           learningRate: learningRate, inputs: inputs)
    } catch let d as TrainingDiverged {
        return TrainingDiverged(epoch: d.epoch, step: d.step, learningRate: d.learningRate, loss: Float(loss),
                                gradientNorm: d.gradientNorm, firstBadParameter: d.firstBadParameter,
                                causes: d.causes)
    } catch {}
    preconditionFailure("explodedDiagnosis: the NaN guard did not fire on an infinite loss")
}

/// The diagnosis in the lesson's language, one line per item (LessonKit's `divergenceReport`; for a
/// finite blow-up its first line says what happened instead of "no longer a finite number").
func divergenceLines(_ divergence: Divergence) -> Localized {
    let report = divergenceReport(divergence.diagnosis)
    guard case .exploded(let d, let start) = divergence else { return report }
    func replacingFirstLine(_ text: String, with first: String) -> String {
        ([first] + text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().map(String.init))
            .joined(separator: "\n")
    }
    let factor = Int(divergenceFactor)
    return Localized(
        en: replacingFirstLine(report.en, with: "Training stopped: the loss rose to \(sci(Double(d.loss))), more than "
                               + "\(factor) times where it started (\(fixed(start))). The run diverged."),
        zh: replacingFirstLine(report.zh, with: "训练已停止：损失升到 "
                               + "\(sci(Double(d.loss)))，超过起点（\(fixed(start))）"
                               + "的 \(factor) 倍。这次训练发散了。"))
}

/// Prints the diagnosis, one line per item (a list in the report).
func sayDiverged(_ lesson: Lesson, _ divergence: Divergence) {
    let text = divergenceLines(divergence)(lesson.language)
    lesson.lines(text.split(separator: "\n").map(String.init), bullet: "")
}
