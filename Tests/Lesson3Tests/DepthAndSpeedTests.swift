import Engine
import Testing
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
    expectClose(sick.first, 6.04e-18, relative: 1e-2)
    expectClose(sick.last, 0.324, relative: 1e-2)
    // ReLU and LeakyReLU with PyTorch's default init vanish too, slower; tanh least.
    #expect(profile(.relu, .plain).first < 1e-7 && profile(.tanh, .plain).first < 1e-4)
    // Fix: LeakyReLU + residual reaches the first layer.
    let cured = profile(.leakyRelu, .residual)
    #expect(cured.first > 1e-3)
    expectClose(cured.first, 818, relative: 1e-2)
    // Pre-norm residual: a flat profile, first/last within a factor 2.
    for a in [Activation.sigmoid, .tanh, .relu, .leakyRelu] {
        let p = profile(a, .residualNorm)
        #expect(p.first / p.last > 0.5 && p.first / p.last < 2, "\(a)")
    }
}

@Test func cell7ExplodingGradientsAreClipped() {
    let p = profileGradients(activation: .relu, wiring: .plain, depth: 20, initScale: 4, seed: 42)
    #expect(p.totalNorm > 1e9)
    expectClose(p.totalNorm, 1.18e10, relative: 1e-2)
    expectClose(p.clippedNorm, 1, relative: 1e-4)
}

/// Exercise: "how many samples does each batch size process to reach loss 0.05?"
@Test func cell8BatchSize() {
    let rows = batchSizeSweep(seed: 42, sizes: [8, 32, 128, 640])
    #expect(rows.map(\.stepsToTarget) == [85, 70, 69, 69])
    #expect(rows.map(\.samples) == [680, 2240, 8832, 44160])
    #expect(rows.map(\.flopsPerStep) == [8, 32, 128, 640].map { 6 * $0 * (50 * 32 + 32 * 1) })
    #expect(rows.allSatisfy { $0.samplesPerSecond == nil })
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
