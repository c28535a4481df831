/// A multi-dimensional array of `Float` that can remember how it was made, so that gradients can
/// flow back through it (reverse-mode automatic differentiation).
///
/// Storage is contiguous and row-major ("C order", the last dimension varies fastest), exactly as a
/// contiguous PyTorch tensor is laid out, so `t.scalars` lines up with `t.flatten().tolist()` in Python.
///
///     let x = Tensor([1, 2, 3, 4], shape: [2, 2], requiresGrad: true)
///     let y = (x * x).sum()       // y = 1 + 4 + 9 + 16 = 30
///     y.backward()
///     x.grad!.scalars              // [2, 4, 6, 8] = dy/dx = 2x
///
/// `Tensor` is a class (reference semantics), like a PyTorch tensor: a model's parameter is one
/// object that the forward pass reads and the optimizer updates in place.
public final class Tensor {
    /// The size of each dimension, outermost first. `[]` is a scalar (one element).
    public internal(set) var shape: [Int]

    /// The elements in row-major order. Writing to it changes the tensor in place (no gradient).
    public var scalars: [Float]

    /// When `true`, `backward()` accumulates `d(output)/d(self)` into `grad`.
    /// Set it on leaves (parameters, or inputs you want to inspect); results of ops inherit it.
    public var requiresGrad: Bool

    /// The accumulated gradient, the same shape as `self`. Gradients add up (`+=`) across
    /// `backward()` calls until `zeroGrad()` clears them, as in PyTorch.
    public var grad: Tensor?

    /// How this tensor was computed: `nil` for a leaf (created by you, not by an op).
    public internal(set) var gradFn: GradNode?

    /// Gradient gathered for this tensor during one backward sweep (internal scratch space).
    var pendingGrad: [Float]?
    /// Set by `retainGrad()`: keep this non-leaf tensor's gradient after `backward()`.
    var retainsGrad = false

    /// Creates a tensor from row-major `scalars` and a `shape` whose product is `scalars.count`.
    public init(_ scalars: [Float], shape: [Int], requiresGrad: Bool = false) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        precondition(shape.reduce(1, *) == scalars.count,
                     "Tensor: \(scalars.count) values do not fill shape \(shape) (\(shape.reduce(1, *)) elements)")
        self.shape = shape
        self.scalars = scalars
        self.requiresGrad = requiresGrad
    }

    /// A 1-D tensor holding `scalars`.
    public convenience init(_ scalars: [Float], requiresGrad: Bool = false) {
        self.init(scalars, shape: [scalars.count], requiresGrad: requiresGrad)
    }

    /// A scalar (0-dimensional) tensor.
    public convenience init(scalar: Float, requiresGrad: Bool = false) {
        self.init([scalar], shape: [], requiresGrad: requiresGrad)
    }

    /// A 2-D tensor from nested rows, e.g. `Tensor(rows: [[1, 2], [3, 4]])`.
    public convenience init(rows: [[Float]], requiresGrad: Bool = false) {
        let columns = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == columns }, "Tensor(rows:): rows have different lengths")
        self.init(rows.flatMap { $0 }, shape: [rows.count, columns], requiresGrad: requiresGrad)
    }

    // MARK: - Size

    /// The number of dimensions (`t.dim()` in PyTorch).
    public var rank: Int { shape.count }
    /// The total number of elements (`t.numel()` in PyTorch).
    public var count: Int { scalars.count }
    /// The size of dimension `d`; negative `d` counts from the end, as in `t.size(-1)`.
    public func size(_ d: Int) -> Int { shape[normalizedDim(d, op: "size")] }

    /// Turns a possibly negative dimension index into `0..<rank`, trapping with a clear message.
    func normalizedDim(_ d: Int, op: String = "dim") -> Int {
        let r = d < 0 ? d + rank : d
        precondition(r >= 0 && r < rank, "\(op): dimension \(d) is out of range for shape \(shape)")
        return r
    }

    // MARK: - Elements

    /// The value of a one-element tensor (`t.item()` in PyTorch).
    public var item: Float {
        precondition(count == 1, "item: tensor of shape \(shape) has \(count) elements, not 1")
        return scalars[0]
    }

    /// Reads or writes one element by its full index, e.g. `t[1, 2]`. Writing bypasses autograd.
    public subscript(_ index: Int...) -> Float {
        get { scalars[flatIndex(index)] }
        set { scalars[flatIndex(index)] = newValue }
    }

    func flatIndex(_ index: [Int]) -> Int {
        precondition(index.count == rank, "subscript: \(index.count) indices for shape \(shape)")
        var flat = 0
        for (i, n) in zip(index, shape) {
            precondition(i >= 0 && i < n, "subscript: index \(index) is out of range for shape \(shape)")
            flat = flat * n + i
        }
        return flat
    }

    // MARK: - Autograd helpers

    /// Whether this tensor is a leaf of the graph (made by you, not computed by an op).
    public var isLeaf: Bool { gradFn == nil }

    /// A new tensor with the same values that is cut out of the graph (`t.detach()`).
    public func detach() -> Tensor { Tensor(scalars, shape: shape) }

    /// Clears the accumulated gradient (`t.grad = None`).
    public func zeroGrad() { grad = nil }

    /// A copy with its own storage, not connected to the graph, that keeps `requiresGrad`
    /// (`t.detach().clone().requires_grad_(t.requires_grad)`).
    public func copy() -> Tensor { Tensor(scalars, shape: shape, requiresGrad: requiresGrad) }

    /// Replaces this tensor's values in place (no gradient), e.g. when loading weights.
    public func assign(_ other: Tensor) {
        precondition(other.shape == shape, "assign: shape \(other.shape) does not match \(shape)")
        scalars = other.scalars
    }
}
