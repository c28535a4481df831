import Foundation
import Testing
import TestSupport
@testable import Engine

// Dtypes other than float32: F16, BF16 and F64 converted on load; integer and bool tensors read as
// integer tensors (PyTorch's integer buffers), never loaded into a float parameter.

@Suite struct SafeTensorsDtypeTests: SafeTensorsFixtures {
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
}
