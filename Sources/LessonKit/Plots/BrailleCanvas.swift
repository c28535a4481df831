/// A grid of braille characters used as a bitmap: each character cell holds 2 × 4 dots, so a
/// 60 × 15 cell chart has 120 × 60 dots, four times the resolution of plain characters.
///
///     dot columns →  0 1
///     dot row 0      ⠁ ⠈      bit values 0x01 0x08
///     dot row 1      ⠂ ⠐                 0x02 0x10
///     dot row 2      ⠄ ⠠                 0x04 0x20
///     dot row 3      ⡀ ⢀                 0x40 0x80
///
/// The character for a cell is U+2800 plus the sum of its dots' bits.
struct BrailleCanvas {
    let columns: Int
    let rows: Int
    private(set) var bits: [UInt8]
    /// Which series last drew into each cell, for colouring (-1: empty).
    private(set) var owner: [Int]

    init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
        bits = Array(repeating: 0, count: columns * rows)
        owner = Array(repeating: -1, count: columns * rows)
    }

    var dotWidth: Int { columns * 2 }
    var dotHeight: Int { rows * 4 }

    private static let dotBit: [[UInt8]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]

    /// Sets the dot at (`x`, `y`), with `y = 0` at the top; dots outside the canvas are ignored.
    mutating func set(x: Int, y: Int, series: Int) {
        guard x >= 0, y >= 0, x < dotWidth, y < dotHeight else { return }
        let cell = (y / 4) * columns + x / 2
        bits[cell] |= Self.dotBit[x % 2][y % 4]
        owner[cell] = series
    }

    /// Draws a straight line of dots between two points (Bresenham's algorithm: integer steps only).
    mutating func line(from a: (x: Int, y: Int), to b: (x: Int, y: Int), series: Int) {
        var (x, y) = a
        let dx = abs(b.x - a.x), dy = -abs(b.y - a.y)
        let sx = a.x < b.x ? 1 : -1, sy = a.y < b.y ? 1 : -1
        var error = dx + dy
        while true {
            set(x: x, y: y, series: series)
            if x == b.x && y == b.y { break }
            let doubled = 2 * error
            if doubled >= dy { error += dy; x += sx }
            if doubled <= dx { error += dx; y += sy }
        }
    }

    /// The character of cell (`column`, `row`), or `nil` when no dot is set there.
    func character(column: Int, row: Int) -> Character? {
        let b = bits[row * columns + column]
        guard b != 0 else { return nil }
        return Character(Unicode.Scalar(0x2800 + UInt32(b))!)
    }

    func seriesAt(column: Int, row: Int) -> Int { owner[row * columns + column] }
}
