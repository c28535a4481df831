// Standard and min-max scaling, and the reason they are fitted on the training split only.
import Testing
@testable import Engine

@Suite struct ScalerTests {
    @Test func standardScalerPerFeature() {
        let x = Tensor(rows: [[1, 10], [3, 10], [5, 10]])
        var scaler = StandardScaler()
        let z = scaler.fitTransform(x)
        #expect(scaler.mean == [3, 10])
        // population std of [1, 3, 5] = √(8/3); the constant column keeps σ = 1
        #expect(Swift.abs(scaler.std[0] - Float((8.0 / 3).squareRoot())) < 1e-6 && scaler.std[1] == 1)
        #expect(z.scalars[1] == 0 && z.scalars[3] == 0)
        let back = scaler.inverseTransform(z)
        for (a, b) in zip(back.scalars, x.scalars) { #expect(Swift.abs(a - b) < 1e-5) }
    }

    @Test func minMaxScalerPerFeature() {
        var scaler = MinMaxScaler()
        let z = scaler.fitTransform(Tensor(rows: [[0, -1], [5, 1], [10, 0]]))
        #expect(z.scalars == [0, 0, 0.5, 1, 1, 0.5])
        #expect(scaler.transform(Tensor(rows: [[20, 3]])).scalars == [2, 2])     // outside the training range
        #expect(scaler.inverseTransform(z).scalars == [0, -1, 5, 1, 10, 0])
    }

    /// Leakage in numbers. The training split is [1, 2, 3, 4, 5]; the test split holds one unusual
    /// value, 100. Fitted on everything, the scaler "knows" about the 100: the training inputs the
    /// model learns from are squashed into a narrow band and shifted, and they change whenever the
    /// test set changes — the test set is no longer unseen. Fitted on the training split alone, the
    /// training inputs are the same whatever the test set holds.
    @Test func fittingOnTheTrainingSplitOnlyPreventsLeakage() {
        let train = Tensor([1, 2, 3, 4, 5], shape: [5, 1])
        let testA = Tensor([100], shape: [1, 1]), testB = Tensor([6], shape: [1, 1])

        var leaky = StandardScaler()
        leaky.fit(Tensor.cat([train, testA], dim: 0))
        let leakyTrain = leaky.transform(train).scalars
        var leakyB = StandardScaler()
        leakyB.fit(Tensor.cat([train, testB], dim: 0))
        // Mean 19.17 and std 36.2 come mostly from the test value: training inputs all ≈ -0.5.
        #expect(Swift.abs(leaky.mean[0] - 19.1667) < 1e-3)
        #expect(leakyTrain.allSatisfy { $0 > -0.51 && $0 < -0.39 })
        // The training inputs depend on the test set: information has flowed from test to train.
        #expect(leakyTrain != leakyB.transform(train).scalars)

        var clean = StandardScaler()
        clean.fit(train)
        let cleanTrain = clean.transform(train).scalars
        #expect(Swift.abs(cleanTrain.reduce(0, +)) < 1e-5)            // mean 0 on the training data
        #expect(Swift.abs(cleanTrain[4] - 1.41421) < 1e-4)             // (5 - 3) / √2
        // The test value is scaled with training numbers and shows up as what it is: far out (68.6σ).
        #expect(Swift.abs(clean.transform(testA).item - 68.5894) < 1e-3)
    }
}
