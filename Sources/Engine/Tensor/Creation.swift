// Making tensors: constants, ranges and random draws. Every random function takes an explicit
// generator, or uses `defaultGenerator` (seeded by `manualSeed`), so every run can be reproduced.

extension Tensor {
    /// All zeros (`torch.zeros(shape)`).
    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        full(shape, value: 0, requiresGrad: requiresGrad)
    }

    /// All ones (`torch.ones(shape)`).
    public static func ones(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        full(shape, value: 1, requiresGrad: requiresGrad)
    }

    /// Every element equal to `value` (`torch.full(shape, value)`).
    public static func full(_ shape: [Int], value: Float, requiresGrad: Bool = false) -> Tensor {
        Tensor([Float](repeating: value, count: shape.reduce(1, *)), shape: shape, requiresGrad: requiresGrad)
    }

    /// `start, start + step, …` up to but excluding `end` (`torch.arange(start, end, step)`).
    /// The count is ⌈(end - start) / step⌉ and each value is start + i·step, both worked out in
    /// Double as PyTorch does, so `arange(0, 1, step: 0.1)` has exactly 10 elements.
    public static func arange(_ start: Float, _ end: Float, step: Float = 1) -> Tensor {
        precondition(step != 0, "arange: step must not be 0")
        let (s, e, d) = (Double(start), Double(end), Double(step))
        let n = Swift.max(0, Int(((e - s) / d).rounded(.up)))
        return Tensor((0..<n).map { Float(s + Double($0) * d) })
    }

    /// `0, 1, …, end - 1` (`torch.arange(end)`).
    public static func arange(_ end: Float) -> Tensor { arange(0, end) }

    /// Standard normal draws, mean 0 and std 1 (`torch.randn(shape)`), by Box–Muller.
    public static func randn(_ shape: [Int], generator: inout Generator, requiresGrad: Bool = false) -> Tensor {
        let n = shape.reduce(1, *)
        let values = [Float](unsafeUninitializedCapacity: n) { out, count in
            for i in 0..<n { out[i] = generator.nextNormal() }
            count = n
        }
        return Tensor(values, shape: shape, requiresGrad: requiresGrad)
    }

    /// Uniform draws in `[low, high)` (`torch.rand(shape)` for the defaults).
    public static func rand(_ shape: [Int], low: Float = 0, high: Float = 1,
                            generator: inout Generator, requiresGrad: Bool = false) -> Tensor {
        let n = shape.reduce(1, *)
        let values = [Float](unsafeUninitializedCapacity: n) { out, count in
            for i in 0..<n { out[i] = low + (high - low) * generator.nextFloat() }
            count = n
        }
        return Tensor(values, shape: shape, requiresGrad: requiresGrad)
    }

    /// Uniform integers in `low..<high`, stored as Float (`torch.randint(low, high, shape)`).
    public static func randint(_ low: Int, _ high: Int, _ shape: [Int], generator: inout Generator) -> Tensor {
        precondition(high > low, "randint: empty range \(low)..<\(high)")
        let n = shape.reduce(1, *)
        let values = [Float](unsafeUninitializedCapacity: n) { out, count in
            for i in 0..<n { out[i] = Float(low + generator.nextInt(below: high - low)) }
            count = n
        }
        return Tensor(values, shape: shape)
    }

    // The same draws from the default generator.
    public static func randn(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        randn(shape, generator: &defaultGenerator, requiresGrad: requiresGrad)
    }
    public static func rand(_ shape: [Int], low: Float = 0, high: Float = 1, requiresGrad: Bool = false) -> Tensor {
        rand(shape, low: low, high: high, generator: &defaultGenerator, requiresGrad: requiresGrad)
    }
    public static func randint(_ low: Int, _ high: Int, _ shape: [Int]) -> Tensor {
        randint(low, high, shape, generator: &defaultGenerator)
    }
}
