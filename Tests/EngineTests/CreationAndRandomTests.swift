// Making tensors, reading elements, and the seeded random numbers: same seed, same bits; the first
// values of Generator(seed: 0) pinned; sane statistics on 100,000 draws.
import Foundation
import Testing
import TestSupport
@testable import Engine

@Suite struct CreationTests {
    @Test func constants() {
        #expect(Tensor.zeros([2, 3]).scalars == [0, 0, 0, 0, 0, 0])
        #expect(Tensor.zeros([2, 3]).shape == [2, 3])
        #expect(Tensor.ones([2]).scalars == [1, 1])
        #expect(Tensor.full([2, 2], value: 7).scalars == [7, 7, 7, 7])
        #expect(Tensor.zeros([0, 3]).count == 0)
        #expect(Tensor.ones([2], requiresGrad: true).requiresGrad)
    }

    @Test func arange() {
        #expect(Tensor.arange(5).scalars == [0, 1, 2, 3, 4])
        #expect(Tensor.arange(2, 5).scalars == [2, 3, 4])
        #expect(Tensor.arange(0, 1, step: 0.25).scalars == [0, 0.25, 0.5, 0.75])
        #expect(Tensor.arange(0, 1, step: 0.1).count == 10)             // as torch.arange(0, 1, 0.1)
        #expect(Tensor.arange(5, 0, step: -2).scalars == [5, 3, 1])
        #expect(Tensor.arange(3, 3).count == 0)
    }

    @Test func initialisersAndElements() {
        let m = Tensor(rows: [[1, 2, 3], [4, 5, 6]])
        #expect(m.shape == [2, 3])
        #expect(m[1, 2] == 6)
        #expect(m[0, 1] == 2)
        m[0, 1] = 20
        #expect(m.scalars == [1, 20, 3, 4, 5, 6])
        #expect(Tensor(scalar: 4).shape == [])
        #expect(Tensor(scalar: 4).item == 4)
        #expect(Tensor([1, 2, 3]).shape == [3])
        let c = m.copy()
        c[0, 0] = 100
        #expect(m[0, 0] == 1)                                         // copy has its own storage
        m.assign(Tensor.zeros([2, 3]))
        #expect(m.scalars == [0, 0, 0, 0, 0, 0])
    }

    @Test func wrongValueCountMessage() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor([1, 2, 3], shape: [2, 2])
        }
        expectStandardError(result, contains: "Tensor: 3 values do not fill shape [2, 2] (4 elements)")
    }
}

@Suite struct RandomTests {
    /// xoshiro256** seeded by SplitMix64 from 0: the published reference stream's first values.
    @Test func pinnedFirstValuesOfSeedZero() {
        var g = Generator(seed: 0)
        #expect(g.next() == 0x99EC_5F36_CB75_F2B4)
        #expect(g.next() == 0xBF6E_1F78_4956_452A)
        #expect(g.next() == 0x1A5F_849D_4933_E6E0)
        #expect(g.next() == 0x6AA5_94F1_262D_2D2C)
        var f = Generator(seed: 0)
        #expect(f.nextFloat() == 0.6012629866600037)                 // top 24 bits of 0x99EC5F… / 2²⁴
        #expect(f.nextFloat() == 0.747774064540863)
        var n = Generator(seed: 0)
        // Box–Muller from the first two uniforms; a last-bit difference between C libraries is allowed.
        expectClose(n.nextNormal(), -0.014106797)
        expectClose(n.nextNormal(), -1.0085865)
        var r = Generator(seed: 0)
        #expect((0..<8).map { _ in r.nextInt(below: 10) } == [6, 7, 1, 4, 7, 9, 4, 5])
    }

    @Test func sameSeedSameBits() {
        var a = Generator(seed: 1234), b = Generator(seed: 1234), c = Generator(seed: 1235)
        let x = Tensor.randn([1000], generator: &a), y = Tensor.randn([1000], generator: &b)
        let z = Tensor.randn([1000], generator: &c)
        #expect(x.scalars.map(\.bitPattern) == y.scalars.map(\.bitPattern))
        #expect(x.scalars != z.scalars)
        #expect(a == b)
        // saving the state and restoring it resumes the stream exactly
        let saved = a
        let next = Tensor.rand([5], generator: &a)
        a = saved
        #expect(Tensor.rand([5], generator: &a).scalars == next.scalars)
    }

    @Test func manualSeedResetsTheDefaultGenerator() {
        manualSeed(99)
        let a = Tensor.randn([10]), u = Tensor.rand([3]), i = Tensor.randint(0, 5, [4])
        manualSeed(99)
        #expect(Tensor.randn([10]).scalars == a.scalars)
        #expect(Tensor.rand([3]).scalars == u.scalars)
        #expect(Tensor.randint(0, 5, [4]).scalars == i.scalars)
        var explicit = Generator(seed: 99)
        #expect(Tensor.randn([10], generator: &explicit).scalars == a.scalars)
    }

    /// Each thread has its own default generator, starting from seed 0, so parallel tests cannot
    /// draw from each other's stream.
    @Test func eachThreadStartsItsOwnDefaultGeneratorAtSeedZero() {
        nonisolated(unsafe) var drawn: [Float] = []
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            drawn = Tensor.rand([4]).scalars
            done.signal()
        }
        thread.start()
        done.wait()
        var zero = Generator(seed: 0)
        #expect(drawn == Tensor.rand([4], generator: &zero).scalars)
    }

    @Test func randnStatisticsOn100kDraws() {
        var g = Generator(seed: 5)
        let x = Tensor.randn([100_000], generator: &g).scalars.map(Double.init)
        let mean = x.reduce(0, +) / Double(x.count)
        let std = (x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(x.count - 1)).squareRoot()
        #expect(Swift.abs(mean) < 0.01)                              // standard error 0.003
        #expect(Swift.abs(std - 1) < 0.01)
        let beyond2 = Double(x.filter { Swift.abs($0) > 2 }.count) / Double(x.count)
        #expect(Swift.abs(beyond2 - 0.0455) < 0.003)                 // the normal's tails, not just its moments
    }

    @Test func randAndRandintRanges() {
        var g = Generator(seed: 6)
        let u = Tensor.rand([10_000], low: -2, high: 3, generator: &g).scalars
        #expect(u.allSatisfy { $0 >= -2 && $0 < 3 })
        #expect(Swift.abs(u.reduce(0, +) / 10_000 - 0.5) < 0.05)
        let k = Tensor.randint(3, 8, [10_000], generator: &g).scalars
        #expect(Set(k) == [3, 4, 5, 6, 7])
        for v in 3...7 {
            let share = Double(k.filter { $0 == Float(v) }.count) / 10_000
            #expect(Swift.abs(share - 0.2) < 0.02)
        }
    }
}
