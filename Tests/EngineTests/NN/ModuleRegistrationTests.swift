// Module registration cannot be silently wrong: the doc example of `Module` compiled and run as
// written, and every shipped module checked by reflection against what it registers.
//
// Reflection (`Mirror`) is used here, in a test, only: the engine itself lists every parameter by
// hand so a student can read where each name comes from. The test makes sure none was forgotten.
import Foundation
import Testing
@testable import Engine

// MARK: - The doc example of Module.swift, verbatim (a test below checks that it still is)

final class TwoLayer: Module {
    var training = true
    let fc1 = Linear(10, 32), fc2 = Linear(32, 1)
    var ownParameters: [NamedTensor] { [] }
    var ownBuffers: [NamedTensor] { [] }
    var children: [NamedModule] { [("fc1", fc1), ("fc2", fc2)] }
    func callAsFunction(_ x: Tensor) -> Tensor { fc2(fc1(x).relu()) }
}

/// The repository's root, found from this file's path (Tests/EngineTests/NN/…).
private let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

// MARK: - Reflection over one module

/// What a module stores, found by `Mirror`: its `Tensor` properties (optionals unwrapped) and its
/// `Module` properties, single or in arrays.
private struct StoredProperties {
    var tensors: [(label: String, tensor: Tensor)] = []
    var modules: [(label: String, module: Module)] = []
    var moduleArrays: [(label: String, modules: [Module])] = []

    init(_ module: Module) {
        var mirror: Mirror? = Mirror(reflecting: module)
        while let m = mirror {
            for child in m.children {
                let label = child.label ?? "?"
                if let t = child.value as? Tensor { tensors.append((label, t)) }
                else if let sub = child.value as? Module { modules.append((label, sub)) }
                else if let list = child.value as? [Module] { moduleArrays.append((label, list)) }
            }
            mirror = m.superclassMirror
        }
    }
}

/// Every problem with one module's registration, in words (empty: all registered).
private func registrationProblems(_ module: Module, path: String) -> [String] {
    let typeName = String(describing: type(of: module))
    let place = path.isEmpty ? typeName : "\(path) (\(typeName))"
    let stored = StoredProperties(module)
    let registeredTensors = module.ownParameters.map(\.tensor) + module.ownBuffers.map(\.tensor)
    let children = module.children.map(\.module)
    var problems: [String] = []

    for (label, tensor) in stored.tensors where !registeredTensors.contains(where: { $0 === tensor }) {
        problems.append("\(place): stored tensor '\(label)' is neither in ownParameters nor in ownBuffers")
    }
    for (label, sub) in stored.modules where !children.contains(where: { $0 === sub }) {
        problems.append("\(place): stored module '\(label)' is not among its children")
    }
    // A list of modules is registered either child by child or as one ModuleList child that holds it.
    for (label, list) in stored.moduleArrays {
        let lists = children.compactMap { $0 as? ModuleList }.map(\.modules)
        let asChildren = list.allSatisfy { m in children.contains { $0 === m } }
        let asModuleList = lists.contains { held in
            held.count == list.count && zip(held, list).allSatisfy { $0 === $1 }
        }
        if !asChildren && !asModuleList {
            problems.append("\(place): stored modules '\(label)' are not among its children "
                            + "(nor in a ModuleList child)")
        }
    }
    let names = module.ownParameters.map(\.name) + module.ownBuffers.map(\.name) + module.children.map(\.name)
    if Set(names).count != names.count { problems.append("\(place): a name is registered twice: \(names)") }
    return problems
}

/// One instance of every module the engine ships, in its variants (with and without bias, …).
/// Small sizes: the checks are about registration, not numbers.
private func everyShippedModule() -> [Module] {
    var g = Generator(seed: 61)
    let layer = TransformerEncoderLayer(modelDimensions: 8, numHeads: 2, feedForwardDimensions: 16,
                                        generator: &g)
    return [
        Linear(3, 2, generator: &g), Linear(3, 2, bias: false, generator: &g),
        LayerNorm(4), LayerNorm(4, bias: false), LayerNorm(4, elementwiseAffine: false),
        Dropout(p: 0.2), Dropout(p: 0.2, generator: Generator(seed: 1)),
        ReLU(), LeakyReLU(), GELU(), Tanh(), Sigmoid(),
        Sequential(Linear(3, 4, generator: &g), ReLU(), Dropout(p: 0.1), Linear(4, 1, generator: &g)),
        PositionalEncoding(modelDimensions: 8, maxLength: 6),
        MultiheadAttention(embedDimensions: 8, numHeads: 2, generator: &g),
        MultiheadAttention(embedDimensions: 8, numHeads: 2, bias: false, generator: &g),
        layer,
        TransformerEncoderLayer(modelDimensions: 8, numHeads: 2, feedForwardDimensions: 16,
                                activation: .gelu, normFirst: true, generator: &g),
        TransformerEncoder(layer, numLayers: 2),
        TransformerEncoder(layer, numLayers: 2, norm: LayerNorm(8)),
        ModuleList([Linear(2, 2, generator: &g), ReLU()]),
        TransformerEncoderRegressor(inputDimensions: 3, modelDimensions: 8, numHeads: 2,
                                    feedForwardDimensions: 16, numLayers: 2, sequenceLength: 4,
                                    hiddenDimensions: 6, maxLength: 10, generator: &g),
        TwoLayer(),
    ]
}

@Suite struct ModuleRegistrationTests {
    @Test func moduleDocExampleRegistersItsParameters() {
        let model = TwoLayer()
        #expect(model.namedParameters().map(\.name) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])
        #expect(model.parameterCount() == 10 * 32 + 32 + 32 * 1 + 1)
        #expect(model.parameterCount() == 385)
        #expect(model.stateDict().count == 4 && model.namedBuffers().isEmpty)
        #expect(model(Tensor.ones([4, 10])).shape == [4, 1])
    }

    /// The class at the top of this file is the example in Module.swift's documentation, line for line.
    @Test func docExampleIsCopiedVerbatim() throws {
        let source = try String(contentsOf: repositoryRoot.appendingPathComponent("Sources/Engine/NN/Module.swift"),
                                encoding: .utf8)
        let example = source.split(separator: "\n", omittingEmptySubsequences: false)
            .drop { !$0.hasPrefix("///     final class TwoLayer") }
            .prefix { $0.hasPrefix("///     ") }
            .map { String($0.dropFirst("///     ".count)) }
            .filter { !$0.hasPrefix("TwoLayer().") }          // the usage line; the tests above run it
        #expect(example.count == 8, "\(example)")
        let thisFile = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        let copy = thisFile.split(separator: "\n").map(String.init)
            .drop { !$0.hasPrefix("final class TwoLayer") }.prefix(example.count)
        #expect(Array(copy) == example)
    }

    @Test func everyStoredTensorAndModuleIsRegistered() {
        for root in everyShippedModule() {
            for (path, module) in root.namedModules() {
                let problems = registrationProblems(module, path: path)
                #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
            }
        }
    }

    /// The check above does catch a forgotten parameter, child or list of children.
    @Test func theCheckCatchesForgottenRegistrations() {
        final class Forgetful: Module {
            var training = true
            let weight = Tensor([1, 2], requiresGrad: true)
            let scale = Tensor([3])
            let inner = Linear(2, 2)
            let blocks: [Module] = [ReLU(), Tanh()]
            var ownParameters: [NamedTensor] { [] }
            var ownBuffers: [NamedTensor] { [] }
            var children: [NamedModule] { [] }
        }
        let problems = registrationProblems(Forgetful(), path: "")
        #expect(problems.count == 4, "\(problems)")
        #expect(problems.contains { $0.contains("'weight'") } && problems.contains { $0.contains("'scale'") })
        #expect(problems.contains { $0.contains("'inner'") } && problems.contains { $0.contains("'blocks'") })
    }

    /// Every `Module` class declared in Sources/Engine is among the modules walked above, so a new
    /// module cannot skip the check.
    @Test func theWalkCoversEveryModuleInTheEngine() throws {
        let sources = repositoryRoot.appendingPathComponent("Sources/Engine")
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" } ?? []
        var declared = Set<String>()
        let pattern = try NSRegularExpression(pattern: #"class\s+(\w+)\s*:\s*(?:Layer|Module)\b"#)
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                declared.insert((text as NSString).substring(with: match.range(at: 1)))
            }
        }
        #expect(declared.count >= 15, "\(declared.sorted())")
        var walked = Set<String>()
        for root in everyShippedModule() {
            for (_, module) in root.namedModules() { walked.insert(String(describing: type(of: module))) }
        }
        #expect(declared.subtracting(walked).isEmpty, "not walked: \(declared.subtracting(walked).sorted())")
    }
}
