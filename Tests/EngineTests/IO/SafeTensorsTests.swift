import Foundation
import Testing
import TestSupport
@testable import Engine

// safetensors and PyTorch: PyTorch's file loads and reproduces PyTorch's outputs, our file loads in
// PyTorch, a round trip keeps everything, and a failed write leaves the old file as it was.
// Dtypes: SafeTensorsDtypeTests.swift; bad and corrupted files: SafeTensorsBadFileTests.swift.

@Suite struct NNSafeTensorsTests: SafeTensorsFixtures {
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
