// TensorDataset, DataLoader (batching, seeded shuffle, drop last, samplers) and seeded splits.
import Testing
import TestSupport
@testable import Engine

@Suite struct DataLoaderTests {
    /// Ten samples whose input row i is [i, 10 + i] and target is [i].
    func numbered(_ n: Int = 10) -> TensorDataset {
        TensorDataset(inputs: Tensor((0..<n).flatMap { [Float($0), Float(10 + $0)] }, shape: [n, 2]),
                      targets: Tensor((0..<n).map(Float.init), shape: [n, 1]))
    }

    @Test func datasetIndexingAndSubset() {
        let data = numbered()
        #expect(data.count == 10)
        let (x, y) = data[3]
        #expect(x.shape == [2] && x.scalars == [3, 13] && y.scalars == [3])
        let sub = data.subset([4, 1])
        #expect(sub.inputs.scalars == [4, 14, 1, 11] && sub.targets.shape == [2, 1])
    }

    @Test func batchesInOrderWithAndWithoutDropLast() {
        let loader = DataLoader(numbered(), batchSize: 4)
        #expect(loader.count == 3)
        let batches = Array(loader)
        #expect(batches.map { $0.x.shape } == [[4, 2], [4, 2], [2, 2]])
        #expect(batches[2].y.scalars == [8, 9])
        let dropping = DataLoader(numbered(), batchSize: 4, dropLast: true)
        #expect(dropping.count == 2 && Array(dropping).count == 2)
    }

    @Test func seededShuffleIsReproducibleAndCoversEverySampleOncePerEpoch() {
        let a = DataLoader(numbered(), batchSize: 3, shuffle: true, generator: Generator(seed: 7))
        let b = DataLoader(numbered(), batchSize: 3, shuffle: true, generator: Generator(seed: 7))
        let epoch1 = Array(a).flatMap { $0.y.scalars }, epoch2 = Array(a).flatMap { $0.y.scalars }
        #expect(epoch1 == Array(b).flatMap { $0.y.scalars })
        #expect(epoch1 != epoch2)                                // a new order each epoch
        #expect(epoch1.sorted() == (0..<10).map(Float.init))     // every sample exactly once
        // inputs stay with their targets
        for (x, y) in a { for r in 0..<y.count { #expect(x.scalars[2 * r] == y.scalars[r]) } }
    }

    @Test func shuffleIsTheRandomSamplerWithTheSameStream() {
        let byFlag = DataLoader(numbered(), batchSize: 3, shuffle: true, generator: Generator(seed: 7))
        let bySampler = DataLoader(numbered(), batchSize: 3, sampler: .random, generator: Generator(seed: 7))
        #expect(byFlag.shuffle && bySampler.shuffle && byFlag.sampler == .random)
        for _ in 0..<3 { #expect(Array(byFlag).flatMap { $0.y.scalars } == Array(bySampler).flatMap { $0.y.scalars }) }
        // the order is the generator's permutation, drawn once per epoch
        var g = Generator(seed: 7)
        let expected = randomPermutation(10, generator: &g)
        let loader = DataLoader(numbered(), batchSize: 4, shuffle: true, generator: Generator(seed: 7))
        #expect(Array(loader).flatMap { $0.y.scalars } == expected.map(Float.init))
        #expect(loader.generator! == g)                          // exactly one permutation drawn
        let plain = DataLoader(numbered(), batchSize: 4)
        #expect(plain.sampler == .sequential && !plain.shuffle)
    }

    @Test func replayingAGivenOrderGivesExactlyThoseRows() {
        // An order recorded from another run (say, PyTorch's): batches [7, 2, 9], [0, 4, 4], [1].
        let order = [7, 2, 9, 0, 4, 4, 1]
        let loader = DataLoader(numbered(), batchSize: 3, sampler: .order(order))
        #expect(loader.count == 3)
        for _ in 0..<2 {                                         // the same order every epoch
            let batches = Array(loader)
            #expect(batches.map { $0.y.scalars } == [[7, 2, 9], [0, 4, 4], [1]])
            #expect(batches[0].x.scalars == [7, 17, 2, 12, 9, 19])
            #expect(batches[2].x.shape == [1, 2] && batches[2].x.scalars == [1, 11])
        }
        let dropping = DataLoader(numbered(), batchSize: 3, sampler: .order(order), dropLast: true)
        #expect(dropping.count == 2 && Array(dropping).map { $0.y.scalars } == [[7, 2, 9], [0, 4, 4]])
    }

    @Test func oneOrderPerEpochReplaysARunThenStops() {
        let loader = DataLoader(numbered(4), batchSize: 2, sampler: .epochs([[3, 1, 0, 2], [2, 0]]))
        #expect(loader.count == 2)
        #expect(Array(loader).map { $0.y.scalars } == [[3, 1], [0, 2]])
        #expect(loader.count == 1 && loader.epochsStarted == 1)
        #expect(Array(loader).map { $0.y.scalars } == [[2, 0]])
        #expect(loader.count == 0 && Array(loader).isEmpty)       // no lists left: an empty epoch
    }

    @Test func anOrderOutsideTheDatasetStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = DataLoader(TensorDataset(inputs: Tensor.zeros([3, 1]), targets: Tensor.zeros([3, 1])),
                           batchSize: 2, sampler: .order([0, 3]))
        }
        expectStandardError(result, contains: "index 3 of order 0 is out of range 0..<3")
    }

    @Test func fisherYatesIsAPermutationAndRoughlyUniform() {
        var g = Generator(seed: 3)
        var firstPositionCounts = [Int](repeating: 0, count: 4)
        for _ in 0..<4000 {
            let p = randomPermutation(4, generator: &g)
            #expect(p.sorted() == [0, 1, 2, 3])
            firstPositionCounts[p[0]] += 1
        }
        // each element comes first ~1000 times; 5 standard deviations is about ±140
        #expect(firstPositionCounts.allSatisfy { Swift.abs($0 - 1000) < 140 }, "\(firstPositionCounts)")
    }

    @Test func seededSplitIsDisjointCompleteAndReproducible() {
        let data = numbered(23)
        var g1 = Generator(seed: 1), g2 = Generator(seed: 1)
        let s1 = trainValidationTestSplit(data, validation: 0.2, test: 0.1, generator: &g1)
        let s2 = trainValidationTestSplit(data, validation: 0.2, test: 0.1, generator: &g2)
        // ⌊0.7·23⌋ = 16, ⌊0.2·23⌋ = 4, ⌊0.1·23⌋ = 2, one left over goes to the first piece
        #expect([s1.train.count, s1.validation.count, s1.test.count] == [17, 4, 2])
        let all = (s1.train.targets.scalars + s1.validation.targets.scalars + s1.test.targets.scalars).sorted()
        #expect(all == (0..<23).map(Float.init))
        #expect(s1.test.targets.scalars == s2.test.targets.scalars)
    }
}
