import Engine
import Testing
import TestSupport
@testable import lesson3

// Answer keys for cells 7, 8 and 9.

/// Exercise: "how small is the first layer's gradient of a 20-layer sigmoid network, and what brings it back?"
@Test func cell7VanishingGradientsAndTheirFix() {
    let profiles = compareDepth(seed: 42, depth: 20)
    func profile(_ a: Activation, _ w: Wiring) -> DepthProfile {
        profiles.first { $0.activation == a && $0.wiring == w }!
    }
    #expect(profiles.count == 12)
    // Symptom: sigmoid, 20 layers, plain: the first layer gets essentially nothing.
    let sick = profile(.sigmoid, .plain)
    #expect(sick.first < 1e-6)
    expectClose(sick.first, 6.04e-18, rel: 1e-2, abs: 0)
    expectClose(sick.last, 0.324, rel: 1e-2, abs: 0)
    // ReLU and LeakyReLU with PyTorch's default init vanish too, slower; tanh least.
    #expect(profile(.relu, .plain).first < 1e-7 && profile(.tanh, .plain).first < 1e-4)
    // Fix: LeakyReLU + residual reaches the first layer.
    let cured = profile(.leakyRelu, .residual)
    #expect(cured.first > 1e-3)
    expectClose(cured.first, 818, rel: 1e-2, abs: 0)
    // Pre-norm residual: a flat profile, first/last within a factor 2.
    for a in [Activation.sigmoid, .tanh, .relu, .leakyRelu] {
        let p = profile(a, .residualNorm)
        #expect(p.first / p.last > 0.5 && p.first / p.last < 2, "\(a)")
    }
}

@Test func cell7ExplodingGradientsAreClipped() {
    let p = profileGradients(activation: .relu, wiring: .plain, depth: 20, initScale: 4, seed: 42)
    #expect(p.totalNorm > 1e9)
    expectClose(p.totalNorm, 1.18e10, rel: 1e-2, abs: 0)
    expectClose(p.clippedNorm, 1, rel: 1e-4, abs: 0)
}

@Test func cell7ExplodingNetworkTrainedThroughWithClipping() {
    let plain = trainDeep(depth: 20, initScale: 4, clip: nil, seed: 42)
    // Without clipping the first step throws the weights to infinity: the NaN guard stops step 2.
    #expect(plain.stoppedAt == 2 && plain.diverged != nil)
    expectClose(plain.normsBefore[0], 9.99e9, rel: 1e-2, abs: 0)
    // With clipping all 8 epochs run and the validation loss falls by two orders of magnitude ...
    let clipped = trainDeep(depth: 20, initScale: 4, clip: 1, seed: 42)
    #expect(clipped.diverged == nil && clipped.stepsDone == 64 && clipped.validCurve.count == 9)
    expectClose(clipped.validCurve[0], 4.049e8, rel: 1e-3, abs: 0)
    expectClose(clipped.validLoss, 3.124e6, rel: 1e-3, abs: 0)
    #expect(clipped.normsAfter.allSatisfy { $0 <= 1.0001 })
    // ... but stays far above 1, the score of always answering 0: clipping is not the cure.
    #expect(clipped.validLoss > 1)
}

/// Exercise: "how many samples does each batch size process to reach validation loss 0.05?"
@Test func cell8BatchSize() {
    let rows = batchSizeSweep(seed: 42, sizes: [8, 32, 128, 640])
    #expect(rows.map(\.stepsToTarget) == [112, 113, 107, 111])
    // 800 training rows: B=128 has 7 batches an epoch (the last of 32), B=640 two (640 and 160).
    #expect(rows.map(\.samples) == [896, 3616, 15 * 800 + 2 * 128, 55 * 800 + 640])
    #expect(rows.map(\.flopsPerStep) == [8, 32, 128, 640].map { 6 * $0 * (50 * 32 + 32 * 1) })
    #expect(rows.allSatisfy { $0.samplesPerSecond == nil && $0.secondsToTarget == nil })
}

@Test func samplesSeenCountsTheSmallerLastBatchOfAnEpoch() {
    #expect(samplesSeen(steps: 5, batchSize: 32, rows: 800) == 160)
    #expect(samplesSeen(steps: 2, batchSize: 640, rows: 800) == 800)
    #expect(samplesSeen(steps: 3, batchSize: 640, rows: 800) == 640 + 160 + 640)
    #expect(samplesSeen(steps: 7, batchSize: 128, rows: 800) == 800)
    #expect(samplesSeen(steps: 8, batchSize: 128, rows: 800) == 928)
    #expect(samplesSeen(steps: 0, batchSize: 8, rows: 800) == 0)
}

@Test func cell9DataParallelMatchesTheBigBatch() {
    let r = simulateDataParallel(seed: 42, workers: 4, perWorkerBatch: 32)
    #expect(r.perWorkerBatch == 32)
    #expect(r.maxGradDifference < 1e-6)
    #expect(r.maxParameterDifference < 1e-7)
    // The average really is the mean of four different worker gradients.
    #expect(r.workerSlices[0].scalars != r.workerSlices[1].scalars)
    let mean = (0..<4).map { i in r.workerSlices.reduce(Float(0)) { $0 + $1.scalars[i] } / 4 }
    for (m, a) in zip(mean, r.averagedSlice.scalars) { #expect(Swift.abs(m - a) < 1e-8) }
    // A per-worker batch too large for the 800 training rows is capped at 800 / 4.
    #expect(simulateDataParallel(seed: 42, workers: 4, perWorkerBatch: 640).perWorkerBatch == 200)
}

/// Exercise: "do 2 workers on 2 threads reach the target in the same number of steps as 1?"
@Test func cell9TwoThreadsGiveTheSameRunBitForBit() {
    let one = trainDataParallel(seed: 42, workers: 1)
    let two = trainDataParallel(seed: 42, workers: 2)
    #expect(wideSizes == [50, 512, 512, 1])
    #expect(one.stepsToTarget == 51 && two.stepsToTarget == 51)
    #expect(one.samples == 51 * 400)
    #expect(one.diverged == nil && two.diverged == nil)
    #expect(one.parameters == two.parameters)
    #expect(one.parameters.count == 6 && one.parameters[0].count == 512 * 50 && one.parameters[2].count == 512 * 512)
    // The cell-1 MLP, raced beside it.
    let narrow = raceWorkers(seed: 42, repetitions: 1, sizes: [50, 32, 1])
    #expect(narrow.one[0].stepsToTarget == 109 && narrow.two[0].stepsToTarget == 109)
    #expect(narrow.one[0].parameters == narrow.two[0].parameters)
}
