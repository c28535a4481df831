import Testing
@testable import Engine

/// `dropoutMask` (the fast mask that dropout and attention's dropout share) draws the stream of the
/// plain `nextFloat() < p` loop: the same mask bit for bit and the generator left in the same state,
/// including p = 1 (everything dropped) and an empty mask.
@Test(arguments: [Float(0.1), Float(0.3), Float(1.0 / 3.0), Float(1)])
func dropoutMaskMatchesPlainTwin(p: Float) {
    for count in [0, 1, 160, 3_200] {
        var fastGenerator = Generator(seed: 17), plainGenerator = fastGenerator
        let mask = dropoutMask(count: count, p: p, generator: &fastGenerator)
        let plain = dropoutMaskPlain(count: count, p: p, generator: &plainGenerator)
        #expect(mask == plain, "p \(p), \(count) elements")
        #expect(fastGenerator == plainGenerator, "p \(p), \(count) elements")
        #expect(count < 160 || mask.contains(0), "p \(p): nothing dropped in \(count) elements")
    }
}
