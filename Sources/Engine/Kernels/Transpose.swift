/// A `[rows, cols]` buffer copied out as `[cols, rows]`: `out[c, r] = x[r, c]`.
///
/// Works in 8 x 8 tiles so that both the reads and the writes of a tile touch only 8 cache lines
/// (a plain double loop writes with a stride of `rows` floats and misses the cache on every store
/// once the matrix outgrows it).
func transposed(_ x: UnsafePointer<Float>, rows: Int, cols: Int) -> [Float] {
    [Float](unsafeUninitializedCapacity: rows * cols) { out, count in
        let tile = 8
        for r0 in stride(from: 0, to: rows, by: tile) {
            let rEnd = min(r0 + tile, rows)
            for c0 in stride(from: 0, to: cols, by: tile) {
                let cEnd = min(c0 + tile, cols)
                for r in r0..<rEnd {
                    for c in c0..<cEnd { out[c * rows + r] = x[r * cols + c] }
                }
            }
        }
        count = rows * cols
    }
}
