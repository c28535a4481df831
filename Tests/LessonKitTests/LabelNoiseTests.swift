// Label noise for the lessons' experiments: exactly the requested share of rows, chosen at random.
// (Moved from EngineTests/Data/CleaningTests with the function.)
import Testing
import Engine
@testable import LessonKit

@Suite struct LabelNoiseTests {
    @Test func labelNoiseCorruptsExactlyTheRequestedFraction() {
        var g = Generator(seed: 11)
        let y = Tensor([Float](repeating: 1, count: 50), shape: [50, 1])
        let (noisy, corrupted) = injectLabelNoise(y, fraction: 0.2, std: 0.5, generator: &g)
        #expect(corrupted.count == 10)
        for i in 0..<50 { #expect((noisy.scalars[i] != 1) == corrupted.contains(i)) }

        let labels = Tensor((0..<30).map { Float($0 % 3) }, shape: [30])
        let (flipped, changed) = injectLabelNoise(labels, fraction: 0.5, classes: 3, generator: &g)
        #expect(changed.count == 15)
        for i in changed {
            #expect(flipped.scalars[i] != labels.scalars[i] && (0..<3).contains(Int(flipped.scalars[i])))
        }
    }
}
