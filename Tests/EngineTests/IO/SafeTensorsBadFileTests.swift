import Foundation
import Testing
import TestSupport
@testable import Engine

// Bad safetensors files: every kind throws an error naming the file, the tensor and the problem; random
// corruptions of a good file either throw or load, and never trap.

@Suite struct SafeTensorsBadFileTests: SafeTensorsFixtures {
    @Test func eachKindOfBadFileThrowsANamedError() throws {
        let good = #"{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}"#
        #expect(try SafeTensors.decode(handMadeFile(good, dataCount: 16)).tensors.count == 1)

        expectSafeTensorsError(.truncated, tensor: nil, [1, 0, 0])
        expectSafeTensorsError(.headerLengthBeyondFile, tensor: nil,
                               handMadeFile(good, dataCount: 16, headerLength: 1_000))
        expectSafeTensorsError(.headerLengthBeyondFile, tensor: nil,
                               handMadeFile(good, dataCount: 16, headerLength: .max))
        expectSafeTensorsError(.headerNotJSON, tensor: nil, handMadeFile(#"{"w":{"dtype":"F32""#, dataCount: 16))
        expectSafeTensorsError(.headerNotJSON, tensor: nil, handMadeFile("not json at all!", dataCount: 0))
        expectSafeTensorsError(.headerNotJSON, tensor: nil,
                               handMadeFile(String(repeating: "[", count: 10_000), dataCount: 0))
        expectSafeTensorsError(.unknownDtype, tensor: "w",
                               handMadeFile(#"{"w":{"dtype":"F31","shape":[2,2],"data_offsets":[0,16]}}"#,
                                            dataCount: 16))
        // Integer dtypes are read (see below); U64 and the 8-bit floats are not.
        expectSafeTensorsError(.unsupportedDtype, tensor: "w",
                               handMadeFile(#"{"w":{"dtype":"U64","shape":[2],"data_offsets":[0,16]}}"#, dataCount: 16))
        expectSafeTensorsError(.unsupportedDtype, tensor: "w",
                               handMadeFile(#"{"w":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}}"#,
                                            dataCount: 2))
        expectSafeTensorsError(.sizeMismatch, tensor: "w",
                               handMadeFile(#"{"w":{"dtype":"I64","shape":[2],"data_offsets":[0,12]}}"#, dataCount: 12))
        expectSafeTensorsError(.offsetsOutOfRange, tensor: "w",
                               handMadeFile(#"{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}"#,
                                            dataCount: 12))
        expectSafeTensorsError(.offsetsOutOfRange, tensor: "w",
                               handMadeFile(#"{"w":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}}"#, dataCount: 8))
        expectSafeTensorsError(.overlapping, tensor: "b", handMadeFile(
            #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"# +
                #""b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#,
            dataCount: 12))
        expectSafeTensorsError(.sizeMismatch, tensor: "w",
                               handMadeFile(#"{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,16]}}"#,
                                            dataCount: 16))
        expectSafeTensorsError(.sizeMismatch, tensor: "w", handMadeFile(
            #"{"w":{"dtype":"F32","shape":[4294967296,4294967296,4],"data_offsets":[0,16]}}"#, dataCount: 16))
        expectSafeTensorsError(.duplicateName, tensor: "w", handMadeFile(
            #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"# +
                #""w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
            dataCount: 8))
        expectSafeTensorsError(.incompleteData, tensor: nil,
                               handMadeFile(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, dataCount: 12))
        expectSafeTensorsError(.invalidHeader, tensor: "w",
                               handMadeFile(#"{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, dataCount: 8))
        expectSafeTensorsError(.invalidHeader, tensor: "w",
                               handMadeFile(#"{"w":{"dtype":"F32","shape":[2]}}"#, dataCount: 8))
        expectSafeTensorsError(.invalidHeader, tensor: "__metadata__",
                               handMadeFile(#"{"__metadata__":{"a":1}}"#, dataCount: 0))

        // Writing refuses duplicate names too.
        #expect(throws: SafeTensorsError.self) { try SafeTensors.encode([("x", Tensor([1])), ("x", Tensor([2]))]) }
        // A missing file is an error that names it.
        do {
            _ = try SafeTensors.load(contentsOf: URL(fileURLWithPath: "/nonexistent/nn.safetensors"))
            Issue.record("loaded a missing file")
        } catch let error as SafeTensorsError {
            #expect(error.kind == .io && error.description.contains("/nonexistent/nn.safetensors"))
        }
    }

    @Test func corruptedIntegerFilesThrowOrLoadNeverTrap() throws {
        let good = [UInt8](try Data(contentsOf: resourceURL("integer_buffers", "safetensors")))
        let headerEnd = 8 + Int(good[0]) + Int(good[1]) << 8
        var g = Generator(seed: 2027)
        var loaded = 0, rejected = 0
        for trial in 0..<900 {
            var bytes = good
            switch trial % 3 {
            case 0:                                  // flip one to four bytes anywhere
                for _ in 0..<(1 + g.nextInt(below: 4)) {
                    bytes[g.nextInt(below: bytes.count)] ^= UInt8(1 + g.nextInt(below: 255))
                }
            case 1:                                  // flip one byte of the data: it loads (unless a BOOL)
                bytes[headerEnd + g.nextInt(below: bytes.count - headerEnd)] ^= UInt8(1 + g.nextInt(below: 255))
            default:                                 // cut the file short
                bytes.removeLast(1 + g.nextInt(below: bytes.count))
            }
            do {
                let file = try SafeTensors.decode(bytes)
                loaded += 1
                for (_, t) in file.integerTensors { #expect(t.count == t.shape.reduce(1, *)) }
            } catch let error as SafeTensorsError {
                rejected += 1
                #expect(trial % 3 != 1 || error.kind == .invalidBool, "\(error)")
            }
        }
        #expect(loaded > 250 && rejected > 300, "loaded \(loaded), rejected \(rejected)")
    }

    @Test func thousandsOfRandomCorruptionsThrowOrLoadNeverTrap() throws {
        var g = Generator(seed: 2026)
        let tensors: [(name: String, tensor: Tensor)] = [
            ("layer.weight", Tensor.randn([4, 3], generator: &g)), ("layer.bias", Tensor.randn([4], generator: &g)),
            ("half", Tensor.randn([2, 2], generator: &g)),
        ]
        let good = try SafeTensors.encode(tensors, metadata: ["format": "pt"])
        let headerEnd = 8 + Int(good[0]) + Int(good[1]) << 8
        var loaded = 0, rejected = 0
        for trial in 0..<2_000 {
            var bytes = good
            var touchedHeader = false
            switch trial % 5 {
            case 0:                                  // flip one to four random bytes anywhere
                for _ in 0..<(1 + g.nextInt(below: 4)) {
                    let i = g.nextInt(below: bytes.count)
                    bytes[i] ^= UInt8(1 + g.nextInt(below: 255))
                    touchedHeader = touchedHeader || i < headerEnd
                }
            case 1:                                  // cut the file short
                bytes.removeLast(1 + g.nextInt(below: bytes.count))
                touchedHeader = true
            case 2:                                  // a random header length
                let n = g.next() >> UInt64(g.nextInt(below: 64))
                for i in 0..<8 { bytes[i] = UInt8(truncatingIfNeeded: n >> (8 * UInt64(i))) }
                touchedHeader = true
            case 3:                                  // overwrite one header byte with a JSON-ish character
                let i = 8 + g.nextInt(below: headerEnd - 8)
                let symbols = Array(#"{}[],:"0123456789-eE.\ "#.utf8)
                bytes[i] = symbols[g.nextInt(below: symbols.count)]
                touchedHeader = true
            default:                                 // insert or delete a run of bytes inside the header
                let i = 8 + g.nextInt(below: headerEnd - 8)
                if g.nextInt(below: 2) == 0 {
                    let run = (0..<(1 + g.nextInt(below: 8))).map { _ in UInt8(g.nextInt(below: 256)) }
                    bytes.insert(contentsOf: run, at: i)
                } else {
                    bytes.removeSubrange(i..<min(i + 1 + g.nextInt(below: 8), headerEnd))
                }
                touchedHeader = true
            }
            do {
                let file = try SafeTensors.decode(bytes, fileName: "corrupt-\(trial).safetensors")
                loaded += 1
                for (_, t) in file.tensors { #expect(t.count == t.shape.reduce(1, *)) }
                if !touchedHeader {                  // only data changed: same names and shapes
                    #expect(file.tensors.map(\.name) == tensors.map(\.name))
                    #expect(file.tensors.map(\.tensor.shape) == tensors.map(\.tensor.shape))
                }
            } catch let error as SafeTensorsError {
                rejected += 1
                #expect(error.description.contains("corrupt-\(trial).safetensors"))
            }
        }
        #expect(loaded > 100 && rejected > 1_000, "loaded \(loaded), rejected \(rejected)")
    }
}
