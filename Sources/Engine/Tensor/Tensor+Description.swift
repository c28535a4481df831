import Foundation

// Printing a tensor the way PyTorch does, so a student can put this output beside Python's and
// compare digit by digit. The only additions are the shape, printed at the end, and that integral
// values keep their decimals (`1.0000`, where PyTorch writes `1.`), so columns always line up.
//
//     print(Tensor(rows: [[0.1, -0.2], [3, 4]]))
//     // tensor([[ 0.1000, -0.2000],
//     //         [ 3.0000,  4.0000]], shape: [2, 2])
//
// The rules, from `torch/_tensor_str.py`:
// - Every number is padded on the left to the width of the widest one, so columns align.
// - Fixed notation (`%.4f`) unless the non-zero magnitudes span more than a factor of 1000, or the
//   largest exceeds 1e8, or the smallest is below 1e-4: then scientific (`1.0000e-05`), so tiny
//   gradients never print as a misleading `0.0000`.
// - More than 1000 elements: each dimension longer than 6 shows its first 3 and last 3 entries
//   around `...`.
// - A row longer than 80 columns wraps, continuing under its opening bracket.
// - Rows of a matrix are separated by one newline, matrices of a 3-D tensor by a blank line.

extension Tensor: CustomStringConvertible {
    /// The tensor in PyTorch's style with 4 decimals, e.g. `tensor([0.1000, 0.2000], shape: [2])`.
    public var description: String { description(precision: 4) }

    /// The tensor in PyTorch's style with `precision` digits after the decimal point.
    ///
    ///     Tensor(scalar: 1.5).description(precision: 2)   // "tensor(1.50, shape: [])"
    ///
    /// - Parameter precision: digits after the point (as `torch.set_printoptions(precision:)`).
    public func description(precision: Int) -> String {
        let prefix = "tensor("
        let suffix = ", shape: \(shape))"
        if count == 0 { return prefix + "[]" + suffix }
        let summarize = count > TensorPrintOptions.threshold
        let formatter = TensorScalarFormatter(values: displayedScalars(summarize: summarize),
                                              precision: Swift.max(0, precision))
        if shape.isEmpty { return prefix + formatter.format(scalars[0]).trimmingLeadingSpaces + suffix }
        let body = render(dim: 0, offset: 0, indent: prefix.count, summarize: summarize, formatter: formatter)
        return prefix + body + suffix
    }

    /// The indices along a dimension of size `n` that get printed: all of them, or, when the
    /// tensor is summarised and `n > 2 * edgeItems`, the first and last `edgeItems` with `nil`
    /// standing for the `...` between them.
    private func shownIndices(_ n: Int, summarize: Bool) -> [Int?] {
        let edge = TensorPrintOptions.edgeItems
        guard summarize && n > 2 * edge else { return Array(0..<n) }
        return Array(0..<edge) + [nil] + Array((n - edge)..<n)
    }

    /// The elements that will actually appear, so that the column width ignores hidden ones.
    private func displayedScalars(summarize: Bool) -> [Float] {
        guard summarize else { return scalars }
        var offsets = [0]
        var blockSize = count
        for n in shape {
            blockSize /= n
            let kept = shownIndices(n, summarize: true).compactMap { $0 }
            let size = blockSize
            offsets = offsets.flatMap { base in kept.map { base + $0 * size } }
        }
        return offsets.map { scalars[$0] }
    }

    /// Renders the block of dimension `dim` that starts at flat index `offset`.
    /// `indent` is the column of this block's opening bracket, as in PyTorch.
    private func render(dim: Int, offset: Int, indent: Int, summarize: Bool,
                        formatter: TensorScalarFormatter) -> String {
        let n = shape[dim]
        let blockSize = shape[(dim + 1)...].reduce(1, *)
        let indices = shownIndices(n, summarize: summarize)

        if dim == rank - 1 {
            // A row of numbers, wrapped so that no line passes the 80-column limit.
            let items = indices.map { i in i.map { formatter.format(scalars[offset + $0]) } ?? " ..." }
            let elementLength = formatter.width + 2   // the number plus ", "
            let perLine = Swift.max(1, (TensorPrintOptions.lineWidth - indent) / elementLength)
            let lines = stride(from: 0, to: items.count, by: perLine).map {
                items[$0..<min($0 + perLine, items.count)].joined(separator: ", ")
            }
            return "[" + lines.joined(separator: ",\n" + String(repeating: " ", count: indent + 1)) + "]"
        }

        let blocks = indices.map { i -> String in
            guard let i else { return "..." }
            return render(dim: dim + 1, offset: offset + i * blockSize, indent: indent + 1,
                          summarize: summarize, formatter: formatter)
        }
        // One newline between rows, two between matrices, three between 3-D blocks...
        let newlines = String(repeating: "\n", count: rank - dim - 1)
        let separator = "," + newlines + String(repeating: " ", count: indent + 1)
        return "[" + blocks.joined(separator: separator) + "]"
    }
}

/// PyTorch's default print options (`torch.set_printoptions`), fixed here.
enum TensorPrintOptions {
    /// More elements than this and the tensor is summarised with `...`.
    static let threshold = 1000
    /// How many entries to keep at each end of a summarised dimension.
    static let edgeItems = 3
    /// The width at which a long row wraps.
    static let lineWidth = 80
}

/// Decides once, from all the shown values, between fixed and scientific notation and how wide
/// a column is; then formats every value to exactly that width.
struct TensorScalarFormatter {
    let precision: Int
    let scientific: Bool
    let width: Int

    init(values: [Float], precision: Int) {
        self.precision = precision
        let magnitudes = values.filter { $0.isFinite && $0 != 0 }.map { abs(Double($0)) }
        if let smallest = magnitudes.min(), let largest = magnitudes.max() {
            scientific = largest / smallest > 1000 || largest > 1e8 || smallest < 1e-4
        } else {
            scientific = false
        }
        var widest = 0
        for value in values {
            widest = max(widest, Self.plain(value, precision: precision, scientific: scientific).count)
        }
        width = widest
    }

    /// `value` padded on the left with spaces to the common width.
    func format(_ value: Float) -> String {
        let text = Self.plain(value, precision: precision, scientific: scientific)
        return String(repeating: " ", count: max(0, width - text.count)) + text
    }

    private static func plain(_ value: Float, precision: Int, scientific: Bool) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        return String(format: scientific ? "%.\(precision)e" : "%.\(precision)f", Double(value))
    }
}

private extension String {
    /// A scalar tensor prints its one number without the column padding.
    var trimmingLeadingSpaces: String { String(drop(while: { $0 == " " })) }
}
