extension Tensor {
    /// The sum of all elements, as a scalar tensor. d/dx = 1 for every element.
    public func sum() -> Tensor {
        var total: Float = 0
        scalars.withUnsafeBufferPointer { x in for v in x { total += v } }
        let n = count, inShape = shape
        return Tensor.result([total], shape: [], op: "SumBackward", inputs: [self]) { g in
            _ = inShape
            return [[Float](repeating: g[0], count: n)]
        }
    }
}
