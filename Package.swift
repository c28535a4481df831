// swift-tools-version:6.0
// TrainingLab: a step-through model-training lab in pure Swift.
// No package dependencies: the toolchain's own libraries only (Foundation, Dispatch, Testing).
import PackageDescription
import Foundation

// MARK: - Compiler flags for the engine
// Plain `swift run` builds in debug mode, and debug Swift is 100-500x slower on numeric loops.
// SwiftPM lets a root package pass `unsafeFlags`, and the later `-O` wins over its `-Onone`,
// so the engine alone is always optimised while lessons and tests stay debuggable.
var engineFlags = ["-O", "-wmo", "-disable-batch-mode", "-num-threads", "2"]

/// The widest vector unit of the build machine, read from its `/proc/cpuinfo` flags: the kernels are
/// compiled for it (a binary built here dies with "illegal instruction" on an older CPU, so build
/// where you run, or set `TRAINLAB_BASELINE=1` for a binary that runs on any x86-64).
///
/// - `avx512`: 512-bit vectors (`avx512f` with the `bw`/`dq`/`vl`/`cd` subsets every AVX-512 CPU
///   since Skylake-X has). The matmul uses its SIMD16 micro-kernel (`-D TRAINLAB_AVX512`).
/// - `avx2`: 256-bit vectors with FMA (Haswell and later, AMD Zen 1 and later).
/// - `baseline`: plain x86-64 (SSE2), arm64 or any other machine, and every `TRAINLAB_BASELINE=1` build.
/// The arithmetic is the same on all three (see Kernels/MatmulMicroKernel.swift), so are the bits.
enum VectorUnit { case avx512, avx2, baseline }

func buildMachineVectorUnit() -> VectorUnit {
    #if os(Linux) && arch(x86_64)
    guard ProcessInfo.processInfo.environment["TRAINLAB_BASELINE"] != "1",
          let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let flags = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
    else { return .baseline }
    let words = Set(flags.split(separator: " ").map(String.init))
    if ["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd", "avx2", "fma"].allSatisfy(words.contains) {
        return .avx512
    }
    return words.contains("avx2") && words.contains("fma") ? .avx2 : .baseline
    #else
    return .baseline
    #endif
}
switch buildMachineVectorUnit() {
case .avx512:
    // znver4 for AMD (Zen 4/5), skylake-avx512 (its AVX-512 subsets only) for any other vendor:
    // both measured ~270 GFLOP/s with SIMD16 here; `x86-64-v4` is not accepted by this compiler.
    let amd = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.contains("AuthenticAMD") ?? false
    engineFlags += ["-target-cpu", amd ? "znver4" : "skylake-avx512", "-D", "TRAINLAB_AVX512"]
case .avx2:
    engineFlags += ["-target-cpu", "haswell"]
case .baseline:
    break
}

/// `TRAINLAB_FMA=1` makes both matmul kernels (fast and naive alike) use fused multiply-add: one
/// rounding per term instead of two. Measured here: matmul +45 %, the seed's workload +5-15 %.
/// It is off by default because it changes the last bits of every product, and a trained model's
/// numbers drift from there: the default (plain `*` then `+`) gives the same bits on every build —
/// AVX2 or baseline x86-64, arm64 — so the lessons' answer keys hold everywhere. Only set it where the
/// CPU has FMA (otherwise every lane becomes a library call, ~0.7 GFLOP/s).
if ProcessInfo.processInfo.environment["TRAINLAB_FMA"] == "1" {
    engineFlags += ["-D", "TRAINLAB_FMA"]
}

// MARK: - Lessons
// Lessons and LessonKit are optimised too (`-O`, without whole-module mode, which debug builds
// refuse): their own loops (statistics, sorting, charts) ran 1.8x slower unoptimised, and a plain
// `swift run lesson1` should be as quick as a release build. Tests still `@testable import` them.
// `swift run lesson1` … `lesson4`: notebook-style programs in lessons/lessonN/. Each has a test
// target (Tests/LessonNTests) that `@testable import`s it, so the numbers a lesson prints and the
// answer keys come from the same functions.
let lessonTargets: [Target] = (1...4).flatMap { n -> [Target] in [
    .executableTarget(name: "lesson\(n)", dependencies: ["Engine", "LessonKit"], path: "lessons/lesson\(n)",
                      swiftSettings: [.unsafeFlags(["-O"])]),
    .testTarget(name: "Lesson\(n)Tests",
                dependencies: [.target(name: "lesson\(n)"), "Engine", "LessonKit", "TestSupport"],
                path: "Tests/Lesson\(n)Tests"),
] }

// MARK: - Targets
let package = Package(
    name: "TrainingLab",
    products: [
        .library(name: "Engine", targets: ["Engine"]),
        .library(name: "LessonKit", targets: ["LessonKit"]),
    ],
    targets: [
        // The library students read: tensors, autograd, ops, nn, losses, optimizers, data.
        .target(
            name: "Engine",
            swiftSettings: [.unsafeFlags(engineFlags)],
            linkerSettings: [.linkedLibrary("m")]
        ),
        // Printing, tables, terminal plots, step-through, flags and HTML reports for the lessons.
        .target(name: "LessonKit", dependencies: ["Engine"], swiftSettings: [.unsafeFlags(["-O"])]),

        // MARK: Programs
        .executableTarget(name: "bench", dependencies: ["Engine"], path: "Sources/bench",
                          swiftSettings: [.unsafeFlags(["-O"])]),
    ] + lessonTargets + [

        // MARK: Tests
        // Helpers every test target shares: `expectClose`, `expectGolden`, `expectGradCheck`.
        .target(name: "TestSupport", dependencies: ["Engine"], path: "Tests/TestSupport"),
        .testTarget(
            name: "EngineTests",
            dependencies: ["Engine", "TestSupport"],
            resources: [.copy("Resources")]
        ),
        .testTarget(name: "LessonKitTests", dependencies: ["LessonKit", "Engine", "TestSupport"]),
    ]
)
