import Engine
import LessonKit
import Testing
import TestSupport
@testable import lesson3

// Answer keys for cells 5 and 6.

/// Exercise: "SGD at lr 0.5: what happens without clipping, and with clipGradNorm(1.0)?"
@Test func cell5ClippingRescuesAHighLearningRate() {
    let r = compareClipping(seed: 42, maxNorm: 1)
    // Symptom: without clipping the NaN guard stops the run at step 10.
    #expect(r.unclipped.stoppedAt == 10)
    #expect(r.unclipped.normsBefore[8] > 1e13)
    // Fix: with clipping every step's norm is at most 1 and training finishes.
    #expect(r.clipped.diverged == nil && r.clipped.stepsDone == 200)
    #expect(r.clipped.normsAfter.allSatisfy { $0 <= 1.00001 })
    #expect(zip(r.clipped.normsBefore, r.clipped.normsAfter).filter { $0 > $1 }.count == 141)
    expectClose(r.clipped.trainLoss, 0.1522, rel: 1e-3, abs: 0)
    // One parameter's gradient: same direction, divided by the global norm 1.34.
    expectClose(r.firstNorm, 1.34, rel: 1e-3, abs: 0)
    for (before, after) in zip(r.gradBefore.scalars, r.gradAfter.scalars) {
        expectClose(after, before / (r.firstNorm + 1e-6), rel: 1e-5, abs: 0)
    }
}

@Test func cell5ClipThresholds() {
    let sweep = sweepClipThresholds(seed: 42)
    #expect(sweep.map(\.maxNorm) == [0.25, 0.5, 1, 2, 4])
    #expect(sweep.allSatisfy { $0.run.stoppedAt == nil })
    #expect(sweep.map { r in zip(r.run.normsBefore, r.run.normsAfter).filter { $0 > $1 }.count } == [198, 194, 141,
        56, 9])
    // The tightest cap is normalised gradient descent and trains best.
    expectClose(sweep[0].run.trainLoss, 0.01155, rel: 2e-3, abs: 0)
    expectClose(sweep[2].run.trainLoss, 0.1522, rel: 1e-3, abs: 0)
}

@Test func cell5ClipZeroTurnsClippingOff() {
    let r = compareClipping(seed: 42, maxNorm: 0)
    #expect(r.clipped.stoppedAt == 10)
    #expect(r.gradBefore.scalars == r.gradAfter.scalars)
}

/// Exercise: "which regularizer closes the train/valid gap most, and how many weights does L1 switch off?"
@Test func cell6Regularization() {
    let rows = compareRegularizers(seed: 42, weightDecay: 1, dropout: 0.5)
    let (none, l2, l1, adamw, dropout) = (rows[0], rows[1], rows[2], rows[3], rows[4])
    // Symptom: the plain model memorises the noisy labels (train loss ~0) and validates badly.
    #expect(none.trainLoss < 1e-10)
    expectClose(none.validLoss, 0.5771, rel: 1e-3, abs: 0)
    expectClose(none.weightNorm, 9.627, rel: 1e-3, abs: 0)
    // Fixes: L2, AdamW decay and dropout all validate better than no regularization.
    expectClose(l2.validLoss, 0.5050, rel: 1e-3, abs: 0)
    expectClose(adamw.validLoss, 0.4042, rel: 1e-3, abs: 0)
    expectClose(dropout.validLoss, 0.3740, rel: 1e-3, abs: 0)
    for r in [l2, adamw, dropout] { #expect(r.gap < none.gap, "\(r.name)") }
    // The penalties shrink the weights; dropout does not.
    #expect(l2.weightNorm < 3 && adamw.weightNorm < 5 && dropout.weightNorm > none.weightNorm)
    // L1 makes the model sparse (94 % of weights near 0) but here validates worst.
    #expect(l1.nearZero == 6954 && l1.weightCount == 7360)
    #expect(l1.validLoss > none.validLoss)
    #expect(none.nearZero == 488)
    // The plain run's validation curve bottoms out early: every later step memorises noise.
    #expect(none.validCurve.count == 31 && none.bestValidation.step == 10)
    expectClose(none.bestValidation.loss, 0.4783, rel: 1e-3, abs: 0)
    #expect(none.validCurve.last == none.validLoss)
}

/// A chart of a run the NaN guard stopped ends with NaN where it stopped, so LineChart notes the
/// divergence; a run that finished is drawn as measured.
@Test func chartSeriesOfAStoppedRunEndsWithNaN() {
    let r = compareClipping(seed: 42, maxNorm: 1)
    let stopped = r.unclipped.chartSeries("no clipping", r.unclipped.curve)
    #expect(stopped.x.last == 10 && stopped.y.last?.isNaN == true)             // stopped at step 10
    #expect(stopped.y.count == r.unclipped.curve.count + 1)
    #expect(stopped.y.dropLast().allSatisfy { $0.isFinite })
    let finished = r.clipped.chartSeries("clip 1", r.clipped.curve)
    #expect(finished.y == r.clipped.curve.map(Double.init) && finished.x == r.clipped.curveSteps.map(Double.init))
    // Per-epoch curves: the epoch it stopped in, when given.
    let epoch = r.unclipped.chartSeries("no clipping", r.unclipped.curve, stoppedAtX: 1)
    #expect(epoch.x.last == 1)
    let chart = LineChart(title: "t", series: [stopped, finished], xLabel: "step", logScale: true)
    #expect(chart.text(colour: false).contains("values not finite from x = 10 on (the run diverged)"))
}
