import Engine
import LessonKit
import Testing
@testable import lesson3

/// A run of `train` with `keepsFrames` keeps a frame every `evalEvery` steps for the report's step-through: the
/// same losses as its curves, the learning rate, and each weight matrix's gradient norm and weights.
@Test func aRunKeepsAFrameEveryTenStepsForTheReport() {
    let problem = makeProblem(seed: 42)
    let model = MLP(sizes: [problem.features, 32, 1], seed: 42)
    var gradientNormsAtStep10: [Double] = []
    let run = train(model, on: problem, TrainingConfig(optimizer: .sgd, learningRate: 0.05, steps: 200, seed: 42,
                                                   keepsFrames: true),
                    onStep: { step, _ in
        if step == 10 { gradientNormsAtStep10 = model.weights.map { Double(gradNorm([$0])) } }
    })
    let record = run.record
    #expect(record.layers == ["fc1.weight", "fc2.weight"] && record.xLabel == "step")
    #expect(record.frames.map(\.x) == (1...20).map { Double($0 * 10) })
    // The frames' losses are the curves' (whose first point is step 0, before any frame).
    #expect(record.frames.map(\.loss) == run.curve.dropFirst().map(Double.init))
    #expect(record.frames.map { $0.validationLoss! } == run.validCurve.dropFirst().map(Double.init))
    #expect(record.frames.allSatisfy { $0.learningRate == 0.05 })
    #expect(record.frames[0].gradientNorms == gradientNormsAtStep10)
    #expect(record.frames[0].weights.map { $0.counts.reduce(0, +) } == [32 * 50, 32])
}

/// A run the NaN guard stops before step 10 leaves no frame (cell 4 then shows no replay for it).
@Test func aRunStoppedBeforeItsFirstFrameHasNone() {
    let problem = makeProblem(seed: 42)
    let model = MLP(sizes: [problem.features, 32, 1], seed: 42)
    let run = train(model, on: problem, TrainingConfig(optimizer: .sgd, learningRate: 1.0, steps: 200, seed: 42,
                                                                          keepsFrames: true))
    #expect(run.diverged != nil && (run.stoppedAt ?? 99) < 10)
    #expect(run.record.frames.isEmpty)
}

/// Without `keepsFrames` (every run no cell replays, cell 8's step-by-step runs among them) no frame
/// is kept, and the curves are the same.
@Test func aRunWithoutFramesKeepsNoneAndTheSameCurves() {
    let problem = makeProblem(seed: 42)
    func run(_ frames: Bool) -> TrainingRun {
        train(MLP(sizes: [problem.features, 32, 1], seed: 42), on: problem,
              TrainingConfig(optimizer: .sgd, learningRate: 0.05, steps: 50, seed: 42, keepsFrames: frames))
    }
    let (plain, framed) = (run(false), run(true))
    #expect(plain.record.frames.isEmpty && framed.record.frames.count == 5)
    #expect(plain.curve == framed.curve && plain.validCurve == framed.validCurve)
}
