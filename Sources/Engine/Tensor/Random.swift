/// A seedable pseudo-random generator: xoshiro256** (Blackman & Vigna, 2018), its 256-bit state filled
/// from the seed by SplitMix64. Pure integer arithmetic, so the same seed gives the same bits on
/// every machine, every build mode and every platform. (Normals also go through the C library's
/// `log`/`sin`/`cos` in Double before rounding to Float; a different C library could, very rarely,
/// change a last bit.)
///
///     var g = Generator(seed: 42)
///     g.nextFloat()    // a uniform Float in [0, 1), the same on every run
public struct Generator: RandomNumberGenerator, Sendable, Equatable {
    /// The whole state; saving and restoring it resumes the stream exactly (used by checkpoints).
    public var state: (UInt64, UInt64, UInt64, UInt64)
    /// A second normal drawn by Box–Muller, kept for the next call.
    public var spareNormal: Float?

    public init(seed: UInt64) {
        var s = seed
        func splitMix64() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix64(), splitMix64(), splitMix64(), splitMix64())
        spareNormal = nil
    }

    public static func == (a: Generator, b: Generator) -> Bool {
        a.state == b.state && a.spareNormal == b.spareNormal
    }

    /// The next 64 random bits (xoshiro256**).
    public mutating func next() -> UInt64 {
        let result = rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotl(state.3, 45)
        return result
    }

    @inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform `Float` in `[0, 1)`: the top 24 bits scaled by 2⁻²⁴ (every value exactly representable).
    public mutating func nextFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// A standard normal `Float` (mean 0, std 1) by the Box–Muller transform, which turns two
    /// uniforms u1, u2 into two independent normals:
    /// `r = sqrt(-2 ln u1)`, `z0 = r cos(2π u2)`, `z1 = r sin(2π u2)`.
    /// Computed in Double so the result does not hinge on Float rounding of `log`/`cos`.
    public mutating func nextNormal() -> Float {
        if let z = spareNormal { spareNormal = nil; return z }
        let u1 = (Double(next() >> 11) + 1.0) * (1.0 / 9_007_199_254_740_992.0)   // (0, 1]: log is finite
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        let r = (-2.0 * _log(u1)).squareRoot()
        let angle = 2.0 * Double.pi * u2
        spareNormal = Float(r * _sin(angle))
        return Float(r * _cos(angle))
    }

    /// A uniform integer in `0..<upperBound`, without modulo bias, by Lemire's method (2019): the
    /// high 64 bits of `next() × upperBound` are the answer, unless the low bits fall in the small
    /// biased zone, in which case we draw again. Written out here, rather than relying on the standard
    /// library's `next(upperBound:)`, so the stream cannot change with the Swift version.
    public mutating func nextInt(below upperBound: Int) -> Int {
        precondition(upperBound > 0, "nextInt: upper bound \(upperBound) must be positive")
        let bound = UInt64(upperBound)
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound          // 2⁶⁴ mod bound
            while product.low < threshold { product = next().multipliedFullWidth(by: bound) }
        }
        return Int(product.high)
    }
}

/// The default generator, used when a function is not given one explicitly. Seed it with
/// `manualSeed(_:)`, like `torch.manual_seed`. Each thread has its own, starting from seed 0, so
/// tests running in parallel cannot disturb each other's streams.
public var defaultGenerator: Generator {
    get { defaultGenerators.value }
    set { defaultGenerators.value = newValue }
}

/// Each thread's default generator (see `ThreadLocal`).
private let defaultGenerators = ThreadLocal { Generator(seed: 0) }

/// Reseeds the default generator (`torch.manual_seed(seed)`).
public func manualSeed(_ seed: UInt64) {
    defaultGenerator = Generator(seed: seed)
}
