// Terminals draw Chinese characters two columns wide. To line up a table that mixes "loss" and
// "损失", we count columns, not characters: `"损失".count == 2` but it takes 4 columns.

/// The number of terminal columns `text` occupies: 2 for East Asian wide characters, 0 for
/// combining marks, 1 for everything else. Text must not contain ANSI colour codes.
///
///     displayWidth("loss")   // 4
///     displayWidth("损失")    // 4
public func displayWidth(_ text: String) -> Int {
    var columns = 0
    for scalar in text.unicodeScalars {
        columns += columnWidth(of: scalar.value)
    }
    return columns
}

/// Columns for one Unicode scalar (a small version of `wcwidth`).
func columnWidth(of value: UInt32) -> Int {
    switch value {
    case 0x0300...0x036F, 0x200B...0x200F, 0xFE00...0xFE0F:
        return 0                                  // combining marks, zero-width spaces, selectors
    case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
         0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
         0xFFE0...0xFFE6, 0x20000...0x3FFFD:
        return 2                                  // CJK ideographs, kana, Hangul, full-width forms
    default:
        return 1
    }
}

extension String {
    /// Pads with spaces on the right to `width` columns (left-aligned).
    func padded(to width: Int) -> String {
        self + String(repeating: " ", count: max(0, width - displayWidth(self)))
    }

    /// Pads with spaces on the left to `width` columns (right-aligned).
    func padded(left width: Int) -> String {
        String(repeating: " ", count: max(0, width - displayWidth(self))) + self
    }
}
