import Foundation
import Testing
import TestSupport
@testable import Engine

// What the safetensors suites share: the committed PyTorch files, a scratch directory, a small model,
// hand-made files and the check that a bad file throws the error it should. A protocol with default
// methods, so each suite (NNSafeTensorsTests, SafeTensorsDtypeTests, SafeTensorsBadFileTests) calls them
// as its own.
protocol SafeTensorsFixtures {}

extension SafeTensorsFixtures {
    func resourceURL(_ name: String, _ ext: String) throws -> URL {
        guard let url = Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Resources") else {
            throw NNRefError.missingResource("\(name).\(ext)")
        }
        return url
    }

    /// A fresh, empty directory for one test.
    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nn-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The seed's model at reference key l's small size (the size of the committed PyTorch file).
    func smallRegressor(seed: UInt64 = 0) -> TransformerEncoderRegressor {
        var g = Generator(seed: seed)
        return TransformerEncoderRegressor(modelDimensions: 8, numHeads: 2, feedForwardDimensions: 16,
                                           hiddenDimensions: 16, generator: &g)
    }

    /// A file made from a header written by hand and `dataCount` data bytes.
    func handMadeFile(_ header: String, dataCount: Int, headerLength: UInt64? = nil) -> [UInt8] {
        let h = Array(header.utf8)
        let n = headerLength ?? UInt64(h.count)
        let length = (0..<8).map { UInt8(truncatingIfNeeded: n >> (8 * UInt64($0))) }
        return length + h + [UInt8](repeating: 0, count: dataCount)
    }

    func expectSafeTensorsError(_ kind: SafeTensorsError.Kind, tensor: String?, _ bytes: [UInt8],
                                sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try SafeTensors.decode(bytes, fileName: "bad.safetensors")
            Issue.record("expected a \(kind) error, but the file loaded", sourceLocation: sourceLocation)
        } catch let error as SafeTensorsError {
            #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
            #expect(error.tensor == tensor, "\(error)", sourceLocation: sourceLocation)
            #expect(error.description.contains("bad.safetensors"), sourceLocation: sourceLocation)
            if let tensor { #expect(error.description.contains(tensor), sourceLocation: sourceLocation) }
        } catch {
            Issue.record("unexpected error type: \(error)", sourceLocation: sourceLocation)
        }
    }

    /// Little-endian bytes of `values`, each as `T`.
    func littleEndian<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        values.flatMap { v in (0..<MemoryLayout<T>.size).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    }
}
