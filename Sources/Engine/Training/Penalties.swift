// Regularization penalties: terms added to the loss that charge the model for large weights, the
// seed's "forced to understand the principle, not to recite answers". They are ordinary graph ops,
// so `backward()` sends their gradient to the parameters along with the data loss's:
//
//     let loss = criterion(model(x), y) + 1e-4 * l2Penalty(model.parameters())

/// The L1 penalty `Σ |w|` over every element of every tensor (a scalar tensor in the graph).
///
/// Its gradient is `sign(w)`: a constant pull towards zero whatever the weight's size, so small
/// weights reach exactly zero and the model becomes sparse (it "selects features").
public func l1Penalty(_ parameters: [Tensor]) -> Tensor {
    parameters.reduce(Tensor(scalar: 0)) { total, p in total + p.abs().sum() }
}

/// The L2 penalty `Σ w²` over every element of every tensor (a scalar tensor in the graph).
///
/// Its gradient is `2w`: a pull proportional to the weight, so large weights shrink fast and none
/// becomes exactly zero. Adding `λ·Σ w²` to the loss under plain SGD is the same as SGD's
/// `weightDecay: 2λ`; under Adam it is *not* the same as AdamW's decoupled decay (see `AdamW`).
public func l2Penalty(_ parameters: [Tensor]) -> Tensor {
    parameters.reduce(Tensor(scalar: 0)) { total, p in total + (p * p).sum() }
}
