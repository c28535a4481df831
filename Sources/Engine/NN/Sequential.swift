// A chain of layers, each feeding the next.

/// Applies its layers in order (`torch.nn.Sequential`). The children are named "0", "1", "2", …
/// as in PyTorch, so the seed's `output_layer = nn.Sequential(Linear, ReLU, Dropout, Linear)` has
/// parameters `output_layer.0.weight`, `output_layer.0.bias`, `output_layer.3.weight`, …
///
///     let head = Sequential(Linear(320, 128), ReLU(), Dropout(p: 0.1), Linear(128, 1))
///     let y = head(x)        // x: [B, 320] -> [B, 1]
public final class Sequential: Layer {
    public var training = true
    public let layers: [any Layer]

    public var ownParameters: [NamedTensor] { [] }
    public var ownBuffers: [NamedTensor] { [] }
    public var children: [NamedModule] {
        layers.enumerated().map { (String($0.offset), $0.element as Module) }
    }

    public init(_ layers: [any Layer]) { self.layers = layers }
    public convenience init(_ layers: any Layer...) { self.init(layers) }

    /// The layer at position `index` (`seq[i]` in PyTorch).
    public subscript(index: Int) -> any Layer { layers[index] }

    // x: [...] -> [...] (each layer decides its own shapes)
    public func callAsFunction(_ x: Tensor) -> Tensor {
        var y = x
        for layer in layers { y = layer(y) }
        return traceShape(self, x, y)
    }
}
