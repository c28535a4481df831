// Dropout as a module, so that `train()` / `eval()` switch it on and off with the rest of the model.

/// Randomly zeroes elements with probability `p` during training and scales the rest by 1/(1-p)
/// (`torch.nn.Dropout`); the identity in evaluation mode.
///
/// The random stream is the module's own `generator` when you give one (reproducible regardless of
/// what else draws numbers), otherwise this thread's `defaultGenerator` (seed it with `manualSeed`).
///
///     let drop = Dropout(p: 0.1)
///     let y = drop(x)        // x: [...] -> [...]; about 10 % of the elements are 0 in training
public final class Dropout: Layer {
    public var training = true
    /// The probability of zeroing an element.
    public var p: Float
    /// The module's own random stream, or `nil` to use `defaultGenerator`.
    public var generator: Generator?

    public var ownParameters: [NamedTensor] { [] }
    public var ownBuffers: [NamedTensor] { [] }
    public var children: [NamedModule] { [] }

    public init(p: Float = 0.5, generator: Generator? = nil) {
        precondition(p >= 0 && p <= 1, "Dropout: probability \(p) is not in [0, 1]")
        self.p = p
        self.generator = generator
    }

    // x: [...] -> [...]
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let y: Tensor
        if generator != nil {
            y = x.dropout(p: p, training: training, generator: &generator!)
        } else {
            y = x.dropout(p: p, training: training)
        }
        return traceShape(self, x, y)
    }
}
