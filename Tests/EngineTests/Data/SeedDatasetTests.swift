// The seed's synthetic data: shapes, standardisation with the unbiased std, and the target being
// each sample's mean.
import Testing
@testable import Engine

@Test func seedDatasetIsStandardisedAndTargetsAreSampleMeans() {
    var g = Generator(seed: 0)
    let data = makeSeedDataset(samples: 200, generator: &g)
    #expect(data.inputs.shape == [200, 5, 10] && data.targets.shape == [200, 1])
    for values in [data.inputs.scalars, data.targets.scalars] {
        let n = Double(values.count)
        let mean = values.reduce(0.0) { $0 + Double($1) } / n
        let variance = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / (n - 1)
        #expect(Swift.abs(mean) < 1e-5 && Swift.abs(variance - 1) < 1e-4)
    }
    // Standardising is affine, so each target is still an affine function of its sample's mean:
    // the correlation between the two is 1.
    let sampleMeans = (0..<200).map { n in
        data.inputs.scalars[n * 50..<(n + 1) * 50].reduce(0.0) { $0 + Double($1) } / 50
    }
    let targets = data.targets.scalars.map(Double.init)
    let mx = sampleMeans.reduce(0, +) / 200, my = targets.reduce(0, +) / 200
    let cov = zip(sampleMeans, targets).reduce(0.0) { $0 + ($1.0 - mx) * ($1.1 - my) }
    let vx = sampleMeans.reduce(0.0) { $0 + ($1 - mx) * ($1 - mx) }
    let vy = targets.reduce(0.0) { $0 + ($1 - my) * ($1 - my) }
    #expect(cov / (vx * vy).squareRoot() > 0.99999)
    // The same seed gives the same data.
    var g2 = Generator(seed: 0)
    #expect(makeSeedDataset(samples: 200, generator: &g2).inputs.scalars == data.inputs.scalars)
}
