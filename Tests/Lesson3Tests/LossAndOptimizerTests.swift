import Engine
import Testing
import LessonKit
@testable import lesson3

// Answer keys for cells 1-4: the numbers the lesson prints with the default seed 42.

@Test func cell1FirstBatch() {
    let look = firstLook(seed: 42)
    #expect(look.parameterCount == 50 * 32 + 32 + 32 + 1)
    expectClose(look.loss, 0.1556)
    expectClose(look.gradientNorms[0].norm, 0.9810)          // fc1.weight
    #expect(look.gradientNorms.map(\.name) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])
}

/// Exercise: "which share of the gradient does the outlier get under MSE, L1 and Huber?"
@Test func cell2OutlierShareOfTheGradient() {
    let results = compareLosses()
    #expect(results.map(\.name) == ["MSE", "L1", "Huber δ=1"])
    // MSE: mean of squared errors, gradient 2(ŷ - y)/5.
    expectClose(results[0].value, 5.06, relative: 1e-5)
    #expect(results[0].gradients.map { ($0 * 1e4).rounded() / 1e4 } == [0.08, 0.16, -0.12, 0.04, -2.0])
    expectClose(results[0].outlierShare, 2.0 / 2.4, relative: 1e-5)   // 83.3 %
    // L1: every error pulls ±1/5.
    expectClose(results[1].value, 1.2, relative: 1e-5)
    expectClose(results[1].outlierShare, 0.2, relative: 1e-5)
    // Huber δ = 1: small errors as MSE/2, the outlier capped at δ/5.
    expectClose(results[2].value, 0.93, relative: 1e-5)
    expectClose(results[2].gradients[4], -0.2, relative: 1e-5)
    expectClose(results[2].outlierShare, 0.5, relative: 1e-5)
}

/// Exercise: "trained on labels with 5 % outliers, which loss validates best on clean data?"
@Test func cell2RobustLossesIgnoreOutlierLabels() {
    let (rows, corrupted) = trainWithOutliers(seed: 42)
    #expect(corrupted == 40)
    #expect(rows.map(\.loss) == [.mse, .l1, .huber])
    // Symptom: MSE fits the outliers and validates worse than predicting 0 (variance ≈ 1).
    expectClose(rows[0].validMSE, 1.4667)
    #expect(rows[0].validMSE > 1)
    // Fix: L1 and Huber refuse to fit them (higher train MSE) and validate far better.
    expectClose(rows[1].validMSE, 0.006975, relative: 2e-3)
    expectClose(rows[2].validMSE, 0.08875, relative: 2e-3)
    #expect(rows[1].trainMSE > rows[0].trainMSE && rows[2].trainMSE > rows[0].trainMSE)
}

@Test func cell3OptimizerRace() {
    let (runs, peek, sgd) = raceOptimizers(seed: 42)
    // SGD's first step: after = before - lr · grad, weight by weight.
    for i in 0..<4 {
        #expect(Swift.abs(sgd.after.scalars[i] - (sgd.before.scalars[i] - 0.05 * sgd.grad.scalars[i])) < 1e-7)
    }
    #expect(sgd.grad.scalars.allSatisfy { $0 != 0 })
    let final = Dictionary(uniqueKeysWithValues: runs.map { ($0.kind, $0.run.trainLoss) })
    expectClose(final[.sgd]!, 0.01656)
    expectClose(final[.momentum]!, 0.008399)
    expectClose(final[.adam]!, 0.0007847)
    expectClose(final[.adamw]!, 0.0007518)
    // The ranking the lesson's chart shows, at every checkpoint after 50 steps.
    for step in [50, 100, 200] {
        let loss = runs.map { $0.loss(after: step) }
        #expect(loss[2] < loss[1] && loss[1] < loss[0], "step \(step): \(loss)")
    }
    // Adam's step is about ±lr whatever the gradient's size.
    #expect(peek.step == 3)
    for u in peek.update.scalars { #expect(Swift.abs(u) > 0.005 && Swift.abs(u) <= 0.0101, "update \(u)") }
    #expect(peek.expAvgSq.scalars.allSatisfy { $0 > 0 && $0 < 1e-7 })
}

/// Exercise: "at which step does the NaN guard stop SGD with lr 1.0, and what does it blame first?"
@Test func cell4LearningRates() {
    let runs = sweepLearningRates(seed: 42, yourOptimizer: .adamw, yourRate: 1e-3)
    let (tooSmall, right, tooLarge, yours) = (runs[0].run, runs[1].run, runs[2].run, runs[3].run)
    // Too small: after 200 steps the loss has barely moved from 1.04.
    expectClose(tooSmall.trainLoss, 0.9522)
    #expect(tooSmall.diverged == nil)
    expectClose(right.trainLoss, 0.01656)
    // Too large: the gradient norm explodes (1.3, 1.8, 5.7, 79, 8e4, 2e14) and the loss overflows.
    let diagnosis = try! #require(tooLarge.diverged)
    #expect(diagnosis.step == 7 && tooLarge.stoppedAt == 7 && tooLarge.stepsDone == 6)
    #expect(!diagnosis.loss.isFinite)
    #expect(diagnosis.causes.first?.cause == .learningRate(1.0) && diagnosis.causes.first?.suspected == true)
    #expect(divergenceReport(diagnosis).en.contains("  1. Learning rate too large (1.0)"))
    #expect(tooLarge.normsBefore[5] > 1e14)
    // The seed's recipe (AdamW, lr 1e-3) as "your run".
    expectClose(yours.trainLoss, 0.01393)
    expectClose(yours.validLoss, 0.02114)
}
