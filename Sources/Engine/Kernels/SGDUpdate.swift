// SGD's update of one parameter tensor, element by element (see `SGD` for the formulas).
// Dimension letter: R, the elements. One plain loop: the compiler vectorises nothing here that
// matters at these sizes, so there is no fast twin.

/// The scalars of one SGD step, rounded to Float once per tensor.
struct SGDCoefficients {
    var learningRate: Float
    /// λ, L2 weight decay (0: none).
    var weightDecay: Float
    /// μ (0: no momentum buffer).
    var momentum: Float
    /// 1 - τ, the new gradient's share in the buffer.
    var keep: Float
    var nesterov: Bool
    /// `maximize=True`: g = -g first.
    var maximize: Bool
}

/// Plain SGD: `p = p - lr·(g + λ·p)` (g negated first with `maximize`).
// p, g: [R]
func sgdUpdate(_ p: inout [Float], _ g: [Float], _ c: SGDCoefficients) {
    p.withUnsafeMutableBufferPointer { p in
        g.withUnsafeBufferPointer { g in
            for i in 0..<p.count {
                var d = c.maximize ? -g[i] : g[i]
                if c.weightDecay != 0 { d = d + c.weightDecay * p[i] }
                p[i] = p[i] + -c.learningRate * d
            }
        }
    }
}

/// SGD with a momentum buffer `b`: on the first step `b = g`, later `b = μ·b + (1 - τ)·g`; then
/// `p = p - lr·(g + μ·b)` (Nesterov) or `p = p - lr·b`.
// p, g, b: [R]
func sgdMomentumUpdate(_ p: inout [Float], _ g: [Float], _ b: inout [Float], isFirstStep: Bool,
                       _ c: SGDCoefficients) {
    p.withUnsafeMutableBufferPointer { p in
        g.withUnsafeBufferPointer { g in
            b.withUnsafeMutableBufferPointer { b in
                for i in 0..<p.count {
                    var d = c.maximize ? -g[i] : g[i]
                    if c.weightDecay != 0 { d = d + c.weightDecay * p[i] }
                    if isFirstStep {
                        b[i] = d
                    } else {
                        b[i] = b[i] * c.momentum
                        b[i] = b[i] + c.keep * d
                    }
                    d = c.nesterov ? d + c.momentum * b[i] : b[i]
                    p[i] = p[i] + -c.learningRate * d
                }
            }
        }
    }
}
