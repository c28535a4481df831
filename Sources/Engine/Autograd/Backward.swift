extension Tensor {
    /// Asks `backward()` to keep this intermediate tensor's gradient in `grad` (PyTorch's
    /// `retain_grad()`); lessons use it to print the gradient flowing through a hidden layer.
    public func retainGrad() { retainsGrad = true }

    /// Computes d(self)/d(leaf) for every leaf that requires gradients and **adds** it to `leaf.grad`.
    ///
    /// `self` must be a scalar (a loss), unless `gradient` — d(something)/d(self), shaped like `self` —
    /// is given. The graph is kept after the sweep (closures hold values, not tensors), so calling
    /// `backward()` a second time adds the same gradients again, as PyTorch does with
    /// `retain_graph=True` (PyTorch's default frees the graph and refuses a second call). Call
    /// `zeroGrad()` between steps.
    ///
    /// The sweep in one function: an iterative depth-first search lists every node after all the
    /// nodes it depends on (a topological order); walking that list backwards, each node's pullback
    /// turns its output gradient into its inputs' gradients, which add up where a tensor was used twice.
    public func backward(_ gradient: Tensor? = nil) {
        if let gradient {
            precondition(gradient.shape == shape,
                         "backward: gradient of shape \(gradient.shape) does not match tensor of shape \(shape)")
        } else {
            precondition(count == 1,
                         "backward: a tensor of shape \(shape) needs an explicit gradient (only a scalar's is implied)")
        }
        precondition(requiresGrad,
                     "backward: this tensor does not require grad (no input had requiresGrad = true)")
        let seed = gradient?.scalars ?? [Float](repeating: 1, count: count)
        guard gradFn != nil else {           // backward on a leaf: its gradient is the seed itself
            accumulateGrad(seed)
            return
        }

        // 1. Topological order, iteratively (a recursive walk overflows the stack on long chains).
        //    Each node is marked `visited` while the order is built, and unmarked afterwards, so the
        //    next backward() (on this graph or one sharing nodes with it) starts from a clean slate.
        var order: [Tensor] = []
        var stack: [(tensor: Tensor, inputsDone: Bool)] = [(self, false)]
        while let (tensor, inputsDone) = stack.popLast() {
            let node = tensor.gradFn!
            if inputsDone { order.append(tensor); continue }
            if node.visited { continue }
            node.visited = true
            stack.append((tensor, true))
            for input in node.inputs {
                if let inputNode = input.gradFn, !inputNode.visited { stack.append((input, false)) }
            }
        }
        for tensor in order { tensor.gradFn!.visited = false }

        // 2. Reverse sweep: from the output back to the leaves.
        pendingGrad = seed
        for tensor in order.reversed() {
            guard let gradOut = tensor.pendingGrad, let node = tensor.gradFn else { continue }
            tensor.pendingGrad = nil
            if tensor.retainsGrad { tensor.accumulateGrad(gradOut) }
            let gradIns = node.pullback(gradOut)
            for (input, gradIn) in zip(node.inputs, gradIns) {
                guard input.requiresGrad, let gradIn else { continue }
                if input.gradFn == nil {
                    input.accumulateGrad(gradIn)
                } else if input.pendingGrad == nil {
                    input.pendingGrad = gradIn
                } else {
                    addInPlace(&input.pendingGrad!, gradIn)
                }
            }
        }
    }

    /// `grad += g`, creating `grad` on first use.
    func accumulateGrad(_ g: [Float]) {
        if let grad {
            addInPlace(&grad.scalars, g)
        } else {
            grad = Tensor(g, shape: shape)
        }
    }
}
