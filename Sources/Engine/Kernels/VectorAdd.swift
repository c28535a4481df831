// Adding one row of floats into another, eight lanes at a time.

/// `dst[i] += src[i]` for `i` in `0..<count`: the plain loop a student reads first (`addRow`'s twin).
func addRowNaive(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, count: Int) {
    for i in 0..<count { dst[i] += src[i] }
}

/// `dst[i] += src[i]`, the same sums as `addRowNaive`, computed with SIMD8 vectors.
///
/// The compiler cannot vectorise the plain loop by itself when it cannot prove that `dst` and `src`
/// do not overlap; here each lane is one independent addition, so the bits are the same either way.
@inline(__always)
func addRow(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, count: Int) {
    let d = UnsafeMutableRawPointer(dst), s = UnsafeRawPointer(src)
    var i = 0
    while i + 8 <= count {
        let sum = d.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            + s.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        d.storeBytes(of: sum, toByteOffset: i * 4, as: SIMD8<Float>.self)
        i += 8
    }
    while i < count {
        dst[i] += src[i]
        i += 1
    }
}
