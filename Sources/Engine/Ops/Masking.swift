// Dropout and masks: ops that zero, keep or replace chosen elements.

extension Tensor {
    /// Randomly zeroes each element with probability `p` and scales the survivors by 1/(1-p), so the
    /// expected value is unchanged ("inverted dropout", as PyTorch). Identity when `training` is false
    /// or `p` is 0. The gradient flows only through the kept elements, scaled the same way.
    ///
    /// Regularization: the network cannot rely on any single unit, so it cannot memorise through one.
    public func dropout(p: Float, training: Bool = true, generator: inout Generator) -> Tensor {
        precondition(p >= 0 && p <= 1, "dropout: probability \(p) is not in [0, 1]")
        guard training && p > 0 else { return self }
        if p == 1 { return self * 0 }
        // mask: 0 or 1/(1-p) per element, one draw each (Kernels/DropoutKernels.swift); y = x · mask
        let (y, mask) = dropoutForward(scalars, p: p, generator: &generator)
        return Tensor.result(y, shape: shape, op: "DropoutBackward", inputs: [self]) { g in
            [zipValues(g, mask) { $0 * $1 }]
        }
    }

    /// Dropout drawing from the default generator.
    public func dropout(p: Float, training: Bool = true) -> Tensor {
        dropout(p: p, training: training, generator: &defaultGenerator)
    }

    /// Replaces the elements where `mask` is true with `value` (`x.masked_fill(mask, value)`), e.g.
    /// `-inf` on future positions before an attention softmax. `mask` broadcasts to `self`'s shape.
    /// The gradient of replaced elements is 0.
    public func maskedFill(_ mask: [Bool], maskShape: [Int], value: Float) -> Tensor {
        precondition(maskShape.reduce(1, *) == mask.count,
                     "maskedFill: \(mask.count) mask values for shape \(maskShape)")
        guard let outShape = broadcastShape(shape, maskShape), outShape == shape else {
            preconditionFailure("maskedFill: mask of shape \(maskShape) does not broadcast to \(shape)")
        }
        let keep = expandValues(mask.map { $0 ? 0 : 1 }, from: maskShape, to: shape)
        let y = zipValues(scalars, keep) { x, k in k == 0 ? value : x }
        return Tensor.result(y, shape: shape, op: "MaskedFillBackward", inputs: [self]) { g in
            [zipValues(g, keep) { $1 == 1 ? $0 : 0 }]
        }
    }

    /// `maskedFill` with the mask as a tensor: true where the mask is non-zero (a 0/1 float mask).
    public func maskedFill(_ mask: Tensor, value: Float) -> Tensor {
        maskedFill(mask.scalars.map { $0 != 0 }, maskShape: mask.shape, value: value)
    }

    /// Chooses elementwise: `a` where `condition` is true, else `b` (`torch.where`). All three
    /// broadcast together; each gradient flows to the branch that was chosen (0 to the other).
    ///
    ///     y = where(c, a, b):   dy/da = c ? 1 : 0,   dy/db = c ? 0 : 1
    public static func `where`(_ condition: [Bool], conditionShape: [Int], _ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(conditionShape.reduce(1, *) == condition.count,
                     "where: \(condition.count) condition values for shape \(conditionShape)")
        guard let ab = broadcastShape(a.shape, b.shape), let shape = broadcastShape(ab, conditionShape) else {
            preconditionFailure("where: shapes \(conditionShape), \(a.shape) and \(b.shape) "
                                + "cannot be broadcast together")
        }
        let pick = expandValues(condition.map { $0 ? 1 : 0 }, from: conditionShape, to: shape)
        let aFull = expandValues(a.scalars, from: a.shape, to: shape)
        let bFull = expandValues(b.scalars, from: b.shape, to: shape)
        let y = [Float](unsafeUninitializedCapacity: pick.count) { y, count in
            pick.withUnsafeBufferPointer { pick in
                aFull.withUnsafeBufferPointer { a in
                    bFull.withUnsafeBufferPointer { b in
                        for i in 0..<pick.count { y[i] = pick[i] == 1 ? a[i] : b[i] }
                    }
                }
            }
            count = pick.count
        }
        let aShape = a.shape, bShape = b.shape
        let needA = a.requiresGrad, needB = b.requiresGrad
        return result(y, shape: shape, op: "WhereBackward", inputs: [a, b]) { g in
            // A select, not g·pick: an infinite g must give 0, not NaN, on the branch not taken.
            [needA ? sumToShape(zipValues(g, pick) { $1 == 1 ? $0 : 0 }, from: shape, to: aShape) : nil,
             needB ? sumToShape(zipValues(g, pick) { $1 == 1 ? 0 : $0 }, from: shape, to: bShape) : nil]
        }
    }

    /// `where` with the condition as a tensor: true where it is non-zero.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        Tensor.where(condition.scalars.map { $0 != 0 }, conditionShape: condition.shape, a, b)
    }
}
