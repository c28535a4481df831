// Matrix products. Dimension letters: A [M, K] · B [K, J] = C [M, J]; a leading batch dimension B
// (`m`, `k`, `n` in the code are M, K, J). The loops are in Kernels/ (`batchedProduct`, `matmul`).
// Backward of C = A·B:  dA = dC · Bᵀ   and   dB = Aᵀ · dC.
// The transposes are never materialised: the kernel reads the operand transposed (transA/transB).

extension Tensor {
    /// Matrix product (`a @ b`), for
    /// - 2-D × 2-D: `[M, K] · [K, J] -> [M, J]`
    /// - 3-D × 2-D: `[B, M, K] · [K, J] -> [B, M, J]` (one big `[B·M, K]` product; dB sums over the
    ///   batch)
    /// - 3-D × 3-D: `[B, M, K] · [B, K, J] -> [B, M, J]` (one product per batch entry)
    public func matmul(_ other: Tensor) -> Tensor {
        let a = self, b = other
        precondition((a.rank == 2 || a.rank == 3) && (b.rank == 2 || (b.rank == 3 && a.rank == 3)),
                     "matmul: \(a.shape) x \(b.shape): supports 2-D x 2-D, 3-D x 2-D and 3-D x 3-D")
        let k = a.shape[a.rank - 1]
        let kb = b.shape[b.rank - 2]
        precondition(k == kb, "matmul: \(a.shape) x \(b.shape): inner dimensions \(k) and \(kb) differ")
        let n = b.shape[b.rank - 1]
        if b.rank == 3 {
            precondition(a.shape[0] == b.shape[0],
                         "matmul: \(a.shape) x \(b.shape): batch sizes \(a.shape[0]) and \(b.shape[0]) differ")
        }
        let batches = b.rank == 3 ? a.shape[0] : 1          // separate products
        // rows per product (the batch folded in for 3-D x 2-D)
        let m = b.rank == 3 ? a.shape[1] : a.shape.dropLast().reduce(1, *)
        let outShape = Array(a.shape.dropLast()) + [n]
        let aValues = a.scalars, bValues = b.scalars
        let aStride = m * k, bStride = b.rank == 3 ? k * n : 0, cStride = m * n

        let c = batchedProduct(aValues, aStride, bValues, bStride, batches: batches, m: m, k: k, n: n)
        let needA = a.requiresGrad, needB = b.requiresGrad
        return Tensor.result(c, shape: outShape, op: "MmBackward", inputs: [a, b]) { g in
            var gA: [Float]? = nil, gB: [Float]? = nil
            if needA {                                   // dA[M, K] = dC[M, J] · Bᵀ
                gA = batchedProduct(g, cStride, bValues, bStride, batches: batches, m: m, k: n, n: k,
                                    transB: true)
            }
            if needB {                                   // dB[K, J] = Aᵀ · dC
                gB = batchedProduct(aValues, aStride, g, cStride, batches: batches, m: k, k: m, n: n,
                                    transA: true)
            }
            return [gA, gB]
        }
    }

    /// `x · weightᵀ + bias`, the affine map of `nn.Linear`, fused so that `weight` stays in PyTorch's
    /// `[O, I]` layout (out_features, in_features) and is read transposed, never copied.
    ///
    ///     x: [..., I]   weight: [O, I]   bias: [O]   ->   [..., O]
    ///
    /// Backward: dx = dy · W,  dW = dyᵀ · x (summed over every row of the batch),  db = Σ_rows dy.
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        precondition(weight.rank == 2, "linear: weight must be 2-D [out, in], got \(weight.shape)")
        let outF = weight.shape[0], inF = weight.shape[1]
        precondition(x.rank >= 1 && x.shape[x.rank - 1] == inF,
                     "linear: input \(x.shape) x weight \(weight.shape): last dimension \(x.shape.last ?? 0) "
                        + "is not in_features \(inF)")
        if let bias {
            precondition(bias.shape == [outF],
                         "linear: bias \(bias.shape) x weight \(weight.shape): bias must be [\(outF)], "
                            + "one per out_feature")
        }
        let rows = x.shape.dropLast().reduce(1, *)
        let xValues = x.scalars, wValues = weight.scalars
        var y = batchedProduct(xValues, 0, wValues, 0, batches: 1, m: rows, k: inF, n: outF, transB: true)
        if let bias { addToEveryRow(&y, bias.scalars, rows: rows) }
        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        let needX = x.requiresGrad, needW = weight.requiresGrad, hasBias = bias != nil
        let outShape = Array(x.shape.dropLast()) + [outF]
        // The pullback reads W from the weight tensor when it runs rather than keeping W's array
        // from now: a graph still alive at `optimizer.step()` (a training loop that keeps `loss`
        // until after the step) would otherwise make every in-place update copy W first
        // (copy-on-write). PyTorch likewise saves the weight tensor itself, not a copy.
        return result(y, shape: outShape, op: "AddmmBackward", inputs: inputs) { [weight] g in
            // dx[R, I] = dy[R, O] · W[O, I]  and  dW[O, I] = dyᵀ · x, on two threads where that pays
            let (gX, gW) = linearBackwardProducts(g, weight: weight.scalars, input: xValues, rows: rows,
                                                  outF: outF, inF: inF, needX: needX, needW: needW)
            guard hasBias else { return [gX, gW] }
            let gB = sumOfRows(g, rows: rows, width: outF)   // db[O] = Σ over rows of dy
            return [gX, gW, gB]
        }
    }
}
