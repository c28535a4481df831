// The standard deviation, beside `variance` (Ops/Reduce.swift), with PyTorch's `correction`.

extension Tensor {
    /// The standard deviation over `dims` (`x.std(dims, correction=…, keepdim=…)`; all dims when
    /// `dims` is nil):
    ///
    ///     std = √( Σ (x - x̄)² / max(0, n - correction) )
    ///
    /// with x̄ the mean over `dims` and n the number of elements reduced. `correction` 1 (the default,
    /// Bessel's) gives the unbiased variance's root, 0 the population's. Backward, fused:
    ///
    ///     d std / d xᵢ = (xᵢ - x̄) / (max(0, n - correction) · std)      0 where std = 0, as PyTorch
    ///
    /// (the root's derivative is infinite at 0; PyTorch masks it, and so do we.)
    // x: [...] -> [...] with `dims` removed (or kept as 1 with `keepdim`)
    public func std(dims: [Int]? = nil, correction: Double = 1, keepdim: Bool = false) -> Tensor {
        let (kept, ds) = reducedShape(dims ?? Array(0..<rank), op: "std")
        let inShape = shape
        let n = count / Swift.max(kept.reduce(1, *), 1)
        let divisor = Float(Swift.max(0, Double(n) - correction))
        let means = mapValues(sumToShape(scalars, from: inShape, to: kept)) { $0 / Float(n) }
        let deviation = zipValues(scalars, expandValues(means, from: kept, to: inShape)) { $0 - $1 }
        let squares = sumToShape(mapValues(deviation) { $0 * $0 }, from: inShape, to: kept)
        let std = mapValues(squares) { ($0 / divisor).squareRoot() }
        return Tensor.result(std, shape: keepdim ? kept : droppingDims(kept, ds), op: "StdBackward",
                             inputs: [self]) { g in
            let perGroup = zipValues(g, std) { g, s in s == 0 ? 0 : g / (divisor * s) }
            return [zipValues(deviation, expandValues(perGroup, from: kept, to: inShape)) { $0 * $1 }]
        }
    }

    /// The standard deviation over one dimension.
    public func std(dim: Int, correction: Double = 1, keepdim: Bool = false) -> Tensor {
        std(dims: [dim], correction: correction, keepdim: keepdim)
    }
}
