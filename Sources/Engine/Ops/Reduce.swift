// Reductions: sum, mean, max, var over all elements or over chosen dimensions.
// Summing over dimensions is broadcasting run backwards, so the same helpers serve both ways:
// forward = `sumToShape` (many elements into one), backward = `expandValues` (one gradient to many).

extension Tensor {
    /// The shape after reducing `dims` (kept as size 1), and the normalised, sorted dims.
    func reducedShape(_ dims: [Int], op: String) -> (kept: [Int], dims: [Int]) {
        let ds = Set(dims.map { normalizedDim($0, op: op) }).sorted()
        var kept = shape
        for d in ds { kept[d] = 1 }
        return (kept, ds)
    }

    /// The shape with reduced dims dropped (when `keepdim` is false).
    func droppingDims(_ kept: [Int], _ dims: [Int]) -> [Int] {
        kept.enumerated().filter { !dims.contains($0.offset) }.map(\.element)
    }

    /// The sum of all elements, as a scalar tensor. d/dx = 1 for every element.
    public func sum() -> Tensor {
        let total = sumOfAll(scalars)
        let n = count
        return Tensor.result([total], shape: [], op: "SumBackward", inputs: [self]) { g in
            [[Float](repeating: g[0], count: n)]
        }
    }

    /// Sums over `dims` (`x.sum(dim=dims, keepdim=keepdim)`). d/dx = 1: the gradient of each sum
    /// is copied back to every element that went into it.
    public func sum(dims: [Int], keepdim: Bool = false) -> Tensor {
        let (kept, ds) = reducedShape(dims, op: "sum")
        let inShape = shape
        let values = sumToShape(scalars, from: inShape, to: kept)
        return Tensor.result(values, shape: keepdim ? kept : droppingDims(kept, ds),
                             op: "SumBackward", inputs: [self]) { g in
            [expandValues(g, from: kept, to: inShape)]
        }
    }

    /// Sums over one dimension.
    public func sum(dim: Int, keepdim: Bool = false) -> Tensor { sum(dims: [dim], keepdim: keepdim) }

    /// The mean of all elements, Σx / n. d/dx = 1/n. (NaN for an empty tensor, as in PyTorch.)
    public func mean() -> Tensor { sum() / Float(count) }

    /// The mean over `dims`. d/dx = 1/n, n the number of elements averaged.
    public func mean(dims: [Int], keepdim: Bool = false) -> Tensor {
        let (kept, _) = reducedShape(dims, op: "mean")
        let n = count / Swift.max(kept.reduce(1, *), 1)
        return sum(dims: dims, keepdim: keepdim) / Float(n)
    }

    public func mean(dim: Int, keepdim: Bool = false) -> Tensor { mean(dims: [dim], keepdim: keepdim) }

    /// The variance over `dims` (`x.var(dims, unbiased=…, keepdim=…)`):
    ///
    ///     var = Σ (x - x̄)² / (n - 1)    unbiased: true, PyTorch's default for `var`
    ///     var = Σ (x - x̄)² / n          unbiased: false, "biased", what LayerNorm uses
    ///
    /// with x̄ the mean and n the number of elements over `dims`. Built from primitives, so its
    /// gradient comes from theirs: d var/dxᵢ = 2 (xᵢ - x̄) / (n - 1 or n).
    public func variance(dims: [Int], unbiased: Bool = true, keepdim: Bool = false) -> Tensor {
        let (kept, _) = reducedShape(dims, op: "var")
        let n = count / Swift.max(kept.reduce(1, *), 1)
        let deviation = self - mean(dims: dims, keepdim: true)
        let squares = (deviation * deviation).sum(dims: dims, keepdim: keepdim)
        return squares / Float(unbiased ? n - 1 : n)
    }

    /// The variance of all elements (see `variance(dims:unbiased:keepdim:)`).
    public func variance(unbiased: Bool = true) -> Tensor {
        variance(dims: Array(0..<rank), unbiased: unbiased).reshape([])
    }

    /// The largest element (`x.max()`). NaN wins, as in PyTorch. The gradient is shared equally
    /// by every element equal to the maximum (PyTorch's rule for a full reduction): with k ties,
    /// each gets g/k.
    public func max() -> Tensor {
        precondition(count > 0, "max: empty tensor of shape \(shape)")
        let (best, ties) = maxAndTies(scalars)
        let x = scalars
        return Tensor.result([best], shape: [], op: "MaxBackward", inputs: [self]) { g in
            let share = g[0] / Float(ties)
            return [mapValues(x) { $0 == best || ($0.isNaN && best.isNaN) ? share : 0 }]
        }
    }

    /// The largest element along `dim`, and where it was (`torch.max(x, dim)`, first index on ties;
    /// NaN wins). The gradient of each maximum goes to the one position it came from.
    ///
    /// Viewed as `[outer, n, inner]`: the n candidates of one maximum lie `inner` apart.
    public func max(dim: Int, keepdim: Bool = false) -> (values: Tensor, indices: [Int]) {
        let d = normalizedDim(dim, op: "max")
        let outer = shape[..<d].reduce(1, *), n = shape[d], inner = shape[(d + 1)...].reduce(1, *)
        precondition(n > 0, "max: dimension \(dim) of shape \(shape) is empty")
        let (values, indices) = maxAlong(scalars, outer: outer, n: n, inner: inner)
        var kept = shape
        kept[d] = 1
        let out = Tensor.result(values, shape: keepdim ? kept : droppingDims(kept, [d]),
                                op: "MaxBackward", inputs: [self]) { g in
            [scatterAlong(g, indices: indices, outer: outer, n: n, inner: inner)]
        }
        return (out, indices)
    }
}
