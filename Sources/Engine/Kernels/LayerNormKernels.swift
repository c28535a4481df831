// The loops of the fused layer norm (Ops/LayerNormOp.swift, where the formulas are explained).
// Dimension letters: R rows (every leading dimension together), L the normalised length.

/// Layer norm's forward on `x` viewed as `[R, L]`, with `w` and `b` of `[L]`:
/// `y = x̂ · w + b`, `x̂ = (x - μ) · rstd`, `rstd = 1 / √(σ² + eps)`, μ and σ² per row.
///
/// Returns y and x̂ (`[R, L]`) and rstd (`[R]`), the two the backward needs.
func layerNormForward(_ x: [Float], _ w: [Float], _ b: [Float], rows: Int, length l: Int,
                      eps: Float) -> (y: [Float], xHat: [Float], rstd: [Float]) {
    var xHat = [Float](repeating: 0, count: x.count)
    var rstd = [Float](repeating: 0, count: rows)
    var y = [Float](repeating: 0, count: x.count)
    // One closure per array, closed together below.
    x.withUnsafeBufferPointer { x in
    w.withUnsafeBufferPointer { w in
    b.withUnsafeBufferPointer { b in
    xHat.withUnsafeMutableBufferPointer { xHat in
    y.withUnsafeMutableBufferPointer { y in
        for r in 0..<rows {
            let row = r * l
            var sum: Float = 0
            for j in 0..<l { sum += x[row + j] }
            let mean = sum / Float(l)
            var squares: Float = 0                        // two passes: no cancellation
            for j in 0..<l { let d = x[row + j] - mean; squares += d * d }
            let variance = squares / Float(l)
            let s = 1 / (variance + eps).squareRoot()
            rstd[r] = s
            for j in 0..<l {
                let h = (x[row + j] - mean) * s           // x̂ = (x - μ) / √(σ² + ε)
                xHat[row + j] = h
                y[row + j] = h * w[j] + b[j]              // y = x̂·w + b
            }
        }
    }}}}}
    return (y, xHat, rstd)
}

/// Layer norm's backward from the upstream gradient g (`[R, L]`), x̂, w and rstd:
///
///     dx = rstd · (dx̂ - mean(dx̂) - x̂ · mean(dx̂ · x̂)),  dx̂ = g · w     (only when `needX`)
///     dw = Σ_rows g · x̂,   db = Σ_rows g
func layerNormBackward(_ g: [Float], xHat: [Float], w: [Float], rstd: [Float], rows: Int, length l: Int,
                       needX: Bool) -> (dx: [Float]?, dw: [Float], db: [Float]) {
    var dx: [Float]? = nil
    var dw = [Float](repeating: 0, count: l), db = [Float](repeating: 0, count: l)
    // One closure per array, closed together at the end.
    g.withUnsafeBufferPointer { g in
    xHat.withUnsafeBufferPointer { xHat in
    w.withUnsafeBufferPointer { w in
        if needX {
            var d = [Float](repeating: 0, count: g.count)
            d.withUnsafeMutableBufferPointer { d in
                for r in 0..<rows {
                    let row = r * l
                    var meanDxHat: Float = 0, meanDxHatXHat: Float = 0
                    for j in 0..<l {
                        let dxHat = g[row + j] * w[j]
                        meanDxHat += dxHat
                        meanDxHatXHat += dxHat * xHat[row + j]
                    }
                    meanDxHat /= Float(l)
                    meanDxHatXHat /= Float(l)
                    for j in 0..<l {
                        let dxHat = g[row + j] * w[j]
                        d[row + j] = rstd[r] * (dxHat - meanDxHat - xHat[row + j] * meanDxHatXHat)
                    }
                }
            }
            dx = d
        }
        dw.withUnsafeMutableBufferPointer { dw in
        db.withUnsafeMutableBufferPointer { db in
            for r in 0..<rows {
                for j in 0..<l {
                    dw[j] += g[r * l + j] * xHat[r * l + j]
                    db[j] += g[r * l + j]
                }
            }
        }}
    }}}
    return (dx, dw, db)
}
