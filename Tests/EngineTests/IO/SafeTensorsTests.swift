import Foundation
import Testing
import TestSupport
@testable import Engine

// safetensors: PyTorch's file loads and reproduces PyTorch's outputs; every kind of bad file throws
// an error naming the file, the tensor and the problem; random corruptions never trap.

fileprivate func resourceURL(_ name: String, _ ext: String) throws -> URL {
    guard let url = Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Resources") else {
        throw NNRefError.missingResource("\(name).\(ext)")
    }
    return url
}

/// A fresh, empty directory for one test.
fileprivate func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("nn-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The seed's model at reference key l's small size (the size of the committed PyTorch file).
fileprivate func smallRegressor(seed: UInt64 = 0) -> TransformerEncoderRegressor {
    var g = Generator(seed: seed)
    return TransformerEncoderRegressor(modelDimensions: 8, numHeads: 2, feedForwardDimensions: 16,
                                       hiddenDimensions: 16, generator: &g)
}

@Suite struct NNSafeTensorsTests {
    @Test func pyTorchFileLoadsAndReproducesPyTorchOutputs() throws {
        let weights = try SafeTensors.load(contentsOf: resourceURL("small_regressor", "safetensors"))
        let io = try SafeTensors.load(contentsOf: resourceURL("small_regressor_io", "safetensors"))
        let model = smallRegressor()
        #expect(Set(weights.tensors.map(\.name)) == Set(model.stateDict().map(\.name)))
        // Our own table must equal PyTorch's saved buffer before it is overwritten by the load.
        expectClose(model.posEncoder.pe.scalars, reference: weights["pos_encoder.pe"]!.scalars.map(Double.init),
                    "pe vs PyTorch's", abs: 2e-6)
        try model.loadStateDict(weights.tensors)
        for (name, tensor) in model.stateDict() { #expect(tensor.scalars == weights[name]!.scalars, "\(name)") }
        let input = io["input"]!
        #expect(input.shape == [3, 5, 10])
        #expect(input.scalars[1] == Float(Foundation.sin(0.37)))
        model.eval()
        let evalOutput = withNoGrad { model(input) }
        expectClose(evalOutput.scalars, reference: io["output_eval"]!.scalars.map(Double.init), "eval output")
        // Training mode with every dropout at 0 gives the same numbers.
        model.train()
        for (_, module) in model.namedModules() {
            (module as? Dropout)?.p = 0
            (module as? MultiheadAttention)?.dropout = 0
        }
        expectClose(model(input).scalars, reference: io["output_train_p0"]!.scalars.map(Double.init),
                    "train output, p = 0")
    }

    @Test func roundTripKeepsNamesShapesValuesAndMetadata() throws {
        var g = Generator(seed: 11)
        let tensors: [(name: String, tensor: Tensor)] = [
            ("a.weight", Tensor.randn([3, 4], generator: &g)), ("scalar", Tensor(scalar: -1.5)),
            ("empty", Tensor([], shape: [0, 2])), ("name with \"quotes\" \\ and ü", Tensor([1, 2, 3])),
        ]
        let bytes = try SafeTensors.encode(tensors, metadata: ["format": "pt", "note": "line\nbreak"])
        let header = Int(bytes[0]) | Int(bytes[1]) << 8
        #expect((8 + header) % 8 == 0)
        let file = try SafeTensors.decode(bytes)
        #expect(file.metadata == ["format": "pt", "note": "line\nbreak"])
        #expect(file.tensors.map(\.name) == tensors.map(\.name))
        for ((_, a), (_, b)) in zip(file.tensors, tensors) {
            #expect(a.shape == b.shape)
            #expect(a.scalars == b.scalars)
        }
        // Through a file, and into a model by name.
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = smallRegressor(seed: 5), target = smallRegressor(seed: 6)
        let url = directory.appendingPathComponent("model.safetensors")
        try source.saveSafeTensors(to: url)
        try target.loadSafeTensors(contentsOf: url)
        for ((name, a), (_, b)) in zip(source.stateDict(), target.stateDict()) {
            #expect(a.scalars == b.scalars, "\(name)")
        }
    }

    @Test func savedFileLoadsInPyTorch() throws {
        // Writes our model plus its eval output as metadata; with NN_EXPORT_SAFETENSORS=path the file
        // is also copied there for Tests/scripts/make_small_regressor_safetensors.py --check path.
        let model = smallRegressor(seed: 7)
        model.eval()
        let input = Tensor((0..<150).map { Float(Foundation.sin(0.37 * Double($0))) }, shape: [3, 5, 10])
        let output = withNoGrad { model(input) }
        let metadata = ["eval_output": output.scalars.map { "\($0)" }.joined(separator: ",")]
        let bytes = try SafeTensors.encode(model.stateDict(), metadata: metadata)
        let file = try SafeTensors.decode(bytes)
        #expect(file.metadata == metadata)
        if let path = ProcessInfo.processInfo.environment["NN_EXPORT_SAFETENSORS"] {
            try model.saveSafeTensors(to: URL(fileURLWithPath: path), metadata: metadata)
        }
    }

    // MARK: - Bad files

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

    @Test func otherFloatDtypesAreConvertedOnLoad() throws {
        let header = #"{"h":{"dtype":"F16","shape":[5],"data_offsets":[0,10]},"# +
            #""b":{"dtype":"BF16","shape":[2],"data_offsets":[10,14]},"# +
            #""d":{"dtype":"F64","shape":[2],"data_offsets":[14,30]}}"#
        var bytes = handMadeFile(header, dataCount: 0)
        // F16: 1, -2.5, 65504 (the largest half), 2^-24 (the smallest subnormal), -0.
        for h: UInt16 in [0x3C00, 0xC100, 0x7BFF, 0x0001, 0x8000] { bytes += [UInt8(h & 0xFF), UInt8(h >> 8)] }
        // BF16: 1, -3.
        for h: UInt16 in [0x3F80, 0xC040] { bytes += [UInt8(h & 0xFF), UInt8(h >> 8)] }
        for d in [0.1, -1e300] { bytes += (0..<8).map { UInt8(truncatingIfNeeded: d.bitPattern >> (8 * UInt64($0))) } }
        let file = try SafeTensors.decode(bytes)
        #expect(file["h"]!.scalars == [1, -2.5, 65504, 0x1p-24, -0.0])
        #expect(file["h"]!.scalars[4].sign == .minus)
        #expect(file["b"]!.scalars == [1, -3])
        #expect(file["d"]!.scalars == [Float(0.1), -.infinity])
    }

    // MARK: - Integer and bool tensors

    /// Little-endian bytes of `values`, each as `T`.
    func littleEndian<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        values.flatMap { v in (0..<MemoryLayout<T>.size).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    }

    @Test func integerAndBoolDtypesAreReadAsIntegerTensors() throws {
        let header = #"{"a":{"dtype":"I64","shape":[2],"data_offsets":[0,16]},"# +
            #""b":{"dtype":"I32","shape":[1,2],"data_offsets":[16,24]},"# +
            #""c":{"dtype":"I16","shape":[2],"data_offsets":[24,28]},"# +
            #""d":{"dtype":"U16","shape":[1],"data_offsets":[28,30]},"# +
            #""e":{"dtype":"I8","shape":[2],"data_offsets":[30,32]},"# +
            #""f":{"dtype":"U8","shape":[2],"data_offsets":[32,34]},"# +
            #""g":{"dtype":"BOOL","shape":[3],"data_offsets":[34,37]},"# +
            #""h":{"dtype":"U32","shape":[],"data_offsets":[37,41]},"# +
            #""w":{"dtype":"F32","shape":[1],"data_offsets":[41,45]}}"#
        var bytes = handMadeFile(header, dataCount: 0)
        bytes += littleEndian([Int64.min, 42]) + littleEndian([Int32(-7), .max]) + littleEndian([Int16.min, -1])
        bytes += littleEndian([UInt16.max]) + littleEndian([Int8.min, 5]) + [0, 255] + [1, 0, 1]
        bytes += littleEndian([UInt32.max]) + littleEndian([Float(2.5).bitPattern])
        let file = try SafeTensors.decode(bytes)
        #expect(file.tensors.map(\.name) == ["w"] && file["w"]!.scalars == [2.5])
        #expect(file.integerTensors.map(\.name) == ["a", "b", "c", "d", "e", "f", "g", "h"])
        #expect(file.integerTensor("a") == IntegerTensor(dtype: .i64, shape: [2], values: [Int64.min, 42]))
        #expect(file.integerTensor("b") == IntegerTensor(dtype: .i32, shape: [1, 2], values: [-7, Int64(Int32.max)]))
        #expect(file.integerTensor("c") == IntegerTensor(dtype: .i16, shape: [2], values: [-32768, -1]))
        #expect(file.integerTensor("d") == IntegerTensor(dtype: .u16, shape: [1], values: [65535]))
        #expect(file.integerTensor("e") == IntegerTensor(dtype: .i8, shape: [2], values: [-128, 5]))
        #expect(file.integerTensor("f") == IntegerTensor(dtype: .u8, shape: [2], values: [0, 255]))
        #expect(file.integerTensor("g")!.dtype == .bool && file.integerTensor("g")!.bools == [true, false, true])
        #expect(file.integerTensor("h") == IntegerTensor(dtype: .u32, shape: [], values: [4_294_967_295]))
        #expect(file.integerTensor("w") == nil && file["a"] == nil)
        // A BOOL byte other than 0 or 1 is a bad file, named.
        var badBool = handMadeFile(#"{"m":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}}"#, dataCount: 0)
        badBool += [1, 2]
        expectSafeTensorsError(.invalidBool, tensor: "m", badBool)
    }

    @Test func pyTorchStateDictWithIntegerBuffers() throws {
        // Made by Tests/scripts/make_integer_buffers_safetensors.py: Linear(3, 2) + BatchNorm1d(2)
        // after three training steps, plus one tensor of each integer dtype.
        let url = try resourceURL("integer_buffers", "safetensors")
        let file = try SafeTensors.load(contentsOf: url)
        #expect(file.metadata == ["format": "pt"])
        #expect(file.tensors.map(\.name).sorted()
                == ["bn.bias", "bn.running_mean", "bn.running_var", "bn.weight", "fc.bias", "fc.weight"])
        #expect(file.integerTensor("bn.num_batches_tracked") == IntegerTensor(dtype: .i64, shape: [], values: [3]))
        #expect(file.integerTensor("index")
                == IntegerTensor(dtype: .i32, shape: [2, 3], values: [0, -1, 2147483647, -2147483648, 5, 6]))
        #expect(file.integerTensor("big") == IntegerTensor(dtype: .i64, shape: [2], values: [.min, .max]))
        #expect(file.integerTensor("small") == IntegerTensor(dtype: .i16, shape: [2], values: [-32768, 32767]))
        #expect(file.integerTensor("tiny") == IntegerTensor(dtype: .i8, shape: [2], values: [-128, 127]))
        #expect(file.integerTensor("pixels") == IntegerTensor(dtype: .u8, shape: [3], values: [0, 255, 7]))
        #expect(file.integerTensor("mask")?.bools == [true, false, false, true])
        #expect(file["fc.weight"]!.shape == [2, 3] && file["fc.weight"]!.scalars[0] == Float(-0.004322517663240433))
        #expect(file["bn.running_var"]!.scalars == [Float(0.7936227917671204), Float(0.791665256023407)])
        let integerNames = ["bn.num_batches_tracked", "big", "index", "small", "pixels", "tiny", "mask"]
        #expect(Set(file.integerTensors.map(\.name)) == Set(integerNames))

        // A model holding only the linear layer: a non-strict load takes fc.*, skips the integer
        // tensors with a note each, and reports the Float tensors it has no place for.
        final class JustLinear: Module {
            var training = true
            let fc: Linear
            init() { var g = Generator(seed: 3); fc = Linear(3, 2, generator: &g) }
            var ownParameters: [NamedTensor] { [] }
            var ownBuffers: [NamedTensor] { [] }
            var children: [NamedModule] { [("fc", fc)] }
        }
        let model = JustLinear()
        let result = try model.loadSafeTensors(contentsOf: url, strict: false)
        #expect(model.fc.weight.scalars == file["fc.weight"]!.scalars)
        #expect(model.fc.bias!.scalars == file["fc.bias"]!.scalars)
        #expect(result.missing.isEmpty)
        #expect(Set(result.unexpected) == ["bn.bias", "bn.running_mean", "bn.running_var", "bn.weight"])
        #expect(Set(result.skipped) == Set(integerNames) && result.notes.count == integerNames.count)
        #expect(result.notes.contains("skipped bn.num_batches_tracked: I64 [], not Float "
                                      + "(the model has no tensor of that name)"), "\(result.notes)")

        // A strict load changes nothing and names every integer tensor in its error.
        let fresh = JustLinear()
        let before = fresh.fc.weight.scalars
        do {
            try fresh.loadSafeTensors(contentsOf: url)
            Issue.record("a strict load accepted integer tensors")
        } catch let error as StateDictError {
            #expect(Set(error.notFloat.map(\.name)) == Set(integerNames))
            #expect(error.notFloat.first { $0.name == "mask" }?.dtype == "BOOL")
            #expect(error.description.contains("bn.num_batches_tracked (I64)"), "\(error)")
            #expect(Set(error.unexpected) == ["bn.bias", "bn.running_mean", "bn.running_var", "bn.weight"])
        }
        #expect(fresh.fc.weight.scalars == before)
    }

    @Test func anIntegerTensorNamedLikeAParameterIsSkippedNotLoaded() throws {
        var bytes = handMadeFile(#"{"weight":{"dtype":"I32","shape":[2,3],"data_offsets":[0,24]},"# +
                                 #""bias":{"dtype":"F32","shape":[2],"data_offsets":[24,32]}}"#, dataCount: 0)
        bytes += littleEndian([Int32](1...6)) + littleEndian([Float(1).bitPattern, Float(-1).bitPattern])
        let file = try SafeTensors.decode(bytes)
        var g = Generator(seed: 4)
        let layer = Linear(3, 2, generator: &g)
        let weight = layer.weight.scalars
        let result = try layer.loadStateDict(file, strict: false)
        #expect(layer.weight.scalars == weight && layer.bias!.scalars == [1, -1])
        #expect(result == LoadStateDictResult(missing: [], unexpected: [], skipped: ["weight"], notes: [
            "skipped weight: I32 [2, 3], not Float (the model's Float tensor of that name keeps its values)"]))
        #expect(throws: StateDictError(notFloat: [("weight", "I32")])) { try layer.loadStateDict(file) }
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

    @Test func aFailedWriteLeavesTheOldFileIntact() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("weights.safetensors")
        try SafeTensors.save([("x", Tensor([1, 2, 3]))], to: url)
        let newBytes = try SafeTensors.encode([("x", Tensor([4, 5, 6, 7]))])
        #expect(throws: SafeTensorsError.self) {
            try SafeTensors.writeAtomically(newBytes, to: url, failBeforeRename: true)
        }
        #expect(try SafeTensors.load(contentsOf: url)["x"]!.scalars == [1, 2, 3])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["weights.safetensors"])
        // A write into a folder that does not exist fails with an error that names the file.
        let missing = directory.appendingPathComponent("no/such/dir/w.safetensors")
        #expect(throws: SafeTensorsError.self) { try SafeTensors.save([("x", Tensor([1]))], to: missing) }
        // A successful write replaces the file.
        try SafeTensors.writeAtomically(newBytes, to: url)
        #expect(try SafeTensors.load(contentsOf: url)["x"]!.scalars == [4, 5, 6, 7])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["weights.safetensors"])
    }
}
