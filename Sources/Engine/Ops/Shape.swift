// Ops that change a tensor's shape or layout, not its values: reshape, transpose, permute,
// concatenation, stacking, slicing. Their backward moves each gradient back to where its value came
// from. The copying loops are in Kernels/Copy.swift.

extension Tensor {
    /// The same values with a new shape of the same size (`view`/`reshape`); one dimension may be
    /// `-1` to be inferred. The gradient is reshaped back.
    public func reshape(_ newShape: [Int]) -> Tensor {
        precondition(newShape.allSatisfy { $0 >= -1 } && newShape.filter({ $0 == -1 }).count <= 1,
                     "reshape: invalid shape \(newShape) for \(shape) "
                        + "(sizes must be >= 0, with at most one -1)")
        var target = newShape
        if let hole = target.firstIndex(of: -1) {
            let known = target.enumerated().filter { $0.offset != hole }.map(\.element).reduce(1, *)
            precondition(known > 0 && count % known == 0, "reshape: cannot reshape \(shape) into \(newShape)")
            target[hole] = count / known
        }
        precondition(target.reduce(1, *) == count,
                     "reshape: cannot reshape \(shape) (\(count) elements) into \(newShape)")
        return Tensor.result(scalars, shape: target, op: "ViewBackward", inputs: [self]) { g in [g] }
    }

    /// Same as `reshape` (our tensors are always contiguous, so view and reshape coincide).
    public func view(_ newShape: [Int]) -> Tensor { reshape(newShape) }

    /// Merges dimensions `startDim...endDim` into one (`torch.flatten`).
    public func flatten(startDim: Int = 0, endDim: Int = -1) -> Tensor {
        if rank == 0 { return reshape([1]) }
        let s = normalizedDim(startDim, op: "flatten"), e = normalizedDim(endDim, op: "flatten")
        precondition(s <= e, "flatten: startDim \(startDim) comes after endDim \(endDim) for shape \(shape)")
        let merged = shape[s...e].reduce(1, *)
        return reshape(Array(shape[..<s]) + [merged] + Array(shape[(e + 1)...]))
    }

    /// Adds a size-1 dimension at `dim`.
    public func unsqueeze(_ dim: Int) -> Tensor {
        let d = dim < 0 ? dim + rank + 1 : dim
        precondition(d >= 0 && d <= rank, "unsqueeze: dimension \(dim) is out of range for shape \(shape)")
        var s = shape
        s.insert(1, at: d)
        return reshape(s)
    }

    /// Removes dimension `dim` if it has size 1.
    public func squeeze(_ dim: Int) -> Tensor {
        let d = normalizedDim(dim, op: "squeeze")
        guard shape[d] == 1 else { return self }
        var s = shape
        s.remove(at: d)
        return reshape(s)
    }

    /// Reorders the dimensions: result dimension i is input dimension `order[i]` (`x.permute(*order)`).
    /// The backward is the inverse permutation.
    public func permute(_ order: [Int]) -> Tensor {
        let dims = order.map { normalizedDim($0, op: "permute") }
        precondition(dims.count == rank && Set(dims).count == rank,
                     "permute: \(order) is not a permutation of the \(rank) dimensions of \(shape)")
        let outShape = dims.map { shape[$0] }
        var inverse = [Int](repeating: 0, count: rank)
        for (i, d) in dims.enumerated() { inverse[d] = i }
        let inShape = shape
        return Tensor.result(permuteValues(scalars, shape: inShape, order: dims), shape: outShape,
                             op: "PermuteBackward", inputs: [self]) { g in
            [permuteValues(g, shape: outShape, order: inverse)]
        }
    }

    /// Swaps two dimensions (`x.transpose(d0, d1)`).
    public func transpose(_ d0: Int, _ d1: Int) -> Tensor {
        var order = Array(0..<rank)
        order.swapAt(normalizedDim(d0, op: "transpose"), normalizedDim(d1, op: "transpose"))
        return permute(order)
    }

    /// The matrix transpose of a 2-D tensor (`x.T`).
    public var T: Tensor {
        precondition(rank == 2, "T: expects a 2-D tensor, got shape \(shape)")
        return transpose(0, 1)
    }

    /// `length` consecutive entries of dimension `dim`, starting at `start` (`x.narrow(dim, start,
    /// length)`, or `x[..., start:start+length, ...]`). The gradient lands back in that window;
    /// zeros elsewhere.
    public func narrow(dim: Int, start: Int, length: Int) -> Tensor {
        let d = normalizedDim(dim, op: "narrow")
        precondition(start >= 0 && length >= 0 && start + length <= shape[d],
                     "narrow: range \(start)..<\(start + length) is out of bounds for dimension \(dim) "
                        + "of shape \(shape)")
        // Viewed as [outer, n, inner]: the window is `length * inner` contiguous values in each
        // outer block.
        let outer = shape[..<d].reduce(1, *), n = shape[d], inner = shape[(d + 1)...].reduce(1, *)
        var outShape = shape
        outShape[d] = length
        let out = narrowValues(scalars, outer: outer, n: n, inner: inner, start: start, length: length)
        return Tensor.result(out, shape: outShape, op: "NarrowBackward", inputs: [self]) { g in
            [widenValues(g, outer: outer, n: n, inner: inner, start: start, length: length)]
        }
    }

    /// Joins tensors along an existing dimension (`torch.cat`). All other sizes must match.
    public static func cat(_ tensors: [Tensor], dim: Int = 0) -> Tensor {
        precondition(!tensors.isEmpty, "cat: needs at least one tensor")
        let first = tensors[0]
        let d = first.normalizedDim(dim, op: "cat")
        for t in tensors {
            var a = t.shape, b = first.shape
            precondition(a.count == b.count, "cat: shapes \(first.shape) and \(t.shape) have different ranks")
            a[d] = 0; b[d] = 0
            precondition(a == b, "cat: shapes \(first.shape) and \(t.shape) differ outside dimension \(dim)")
        }
        // Viewed as [outer, n_t, inner]: in each outer block, tensor t contributes n_t * inner
        // contiguous values, starting `offsets[t] * inner` into the output block of `total * inner`.
        let outer = first.shape[..<d].reduce(1, *), inner = first.shape[(d + 1)...].reduce(1, *)
        let sizes = tensors.map { $0.shape[d] }
        var offsets = [Int](repeating: 0, count: sizes.count)
        for t in 1..<Swift.max(sizes.count, 1) { offsets[t] = offsets[t - 1] + sizes[t - 1] }
        let total = sizes.reduce(0, +)
        var outShape = first.shape
        outShape[d] = total
        let out = catValues(tensors.map(\.scalars), sizes: sizes, outer: outer, inner: inner)
        let needs = tensors.map(\.requiresGrad)
        return result(out, shape: outShape, op: "CatBackward", inputs: tensors) { g in
            (0..<sizes.count).map { t -> [Float]? in
                guard needs[t] else { return nil }
                return narrowValues(g, outer: outer, n: total, inner: inner, start: offsets[t], length: sizes[t])
            }
        }
    }

    /// Stacks equally shaped tensors along a new dimension (`torch.stack`).
    public static func stack(_ tensors: [Tensor], dim: Int = 0) -> Tensor {
        precondition(!tensors.isEmpty, "stack: needs at least one tensor")
        for t in tensors {
            precondition(t.shape == tensors[0].shape, "stack: shapes \(tensors[0].shape) and \(t.shape) differ")
        }
        return cat(tensors.map { $0.unsqueeze(dim) }, dim: dim)
    }
}
