#if canImport(Glibc)
import Glibc
#endif

// Freed memory kept for reuse, not handed back to the operating system after every step.
//
// Each op allocates its result array, and a training step frees them all again. glibc's malloc
// serves blocks over 128 KB (a [160, 256] activation is 160 KB) with a fresh `mmap` and returns
// them with `munmap`, and it trims free memory at the top of its heap: so every step the kernel
// had to hand out the same pages again, zero-filled, one page fault per 4 KB. Measured (perf, the
// seed's workload, one thread): 24,500 page faults in 5 epochs, ~7 % of the time in the kernel's
// fault handler. With both thresholds raised, 3,400 faults (the first step's), and the arrays of
// one step reuse the memory of the step before.

/// Raises malloc's thresholds once per process: blocks up to 64 MB come from the heap, and up to
/// 64 MB of free memory stays with the process. (`trainingStep` touches it; nothing else changes.)
///
/// `mallopt` is glibc's (`<malloc.h>`, which Swift's Glibc module does not import), so it is looked
/// up by name; its option numbers are glibc's `M_TRIM_THRESHOLD` (-1) and `M_MMAP_THRESHOLD` (-3).
/// Elsewhere (macOS, musl) this does nothing.
let keepFreedMemoryForReuse: Void = {
    #if canImport(Glibc)
    typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
    let mallopt = unsafeBitCast(symbol, to: MallOpt.self)
    let (trimThreshold, mmapThreshold): (Int32, Int32) = (-1, -3)
    _ = mallopt(mmapThreshold, 64 << 20)
    _ = mallopt(trimThreshold, 64 << 20)
    #endif
}()
