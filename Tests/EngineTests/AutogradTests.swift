import Testing
@testable import Engine

@Test func squareSumGradient() {
    let x = Tensor([1, 2, 3, 4], shape: [2, 2], requiresGrad: true)
    let y = (x * x).sum()
    #expect(y.item == 30)
    y.backward()
    #expect(x.grad!.scalars == [2, 4, 6, 8])
}

@Test func smokeGradChecks() {
    var g = Generator(seed: 1)
    let a = Tensor.randn([2, 3, 4], generator: &g), b = Tensor.randn([4, 5], generator: &g)
    let w = Tensor.randn([5, 4], generator: &g), bias = Tensor.randn([5], generator: &g)
    let c = Tensor.randn([2, 4, 3], generator: &g)
    for r in gradCheck([a, b], { $0[0].matmul($0[1]) }) { #expect(r.passed, "\(r)") }
    for r in gradCheck([a, c], { $0[0].matmul($0[1]) }) { #expect(r.passed, "\(r)") }
    for r in gradCheck([a, w, bias], { Tensor.linear($0[0], weight: $0[1], bias: $0[2]) }) { #expect(r.passed, "\(r)") }
    for r in gradCheck([a], { $0[0].softmax(dim: 1) }) { #expect(r.passed, "\(r)") }
    for r in gradCheck([a], { $0[0].logSoftmax(dim: -1) }) { #expect(r.passed, "\(r)") }
    for r in gradCheck([a, bias], { $0[0].permute([2, 0, 1]).sum(dims: [1]) * $0[1].narrow(dim: 0, start: 1, length: 4).unsqueeze(1) }) { #expect(r.passed, "\(r)") }
    for r in gradCheck([a], { $0[0].variance(dims: [0, 2], unbiased: true, keepdim: true) }) { #expect(r.passed, "\(r)") }
    for r in gradCheck([a, c], { Tensor.cat([$0[0], $0[1].transpose(1, 2)], dim: 1).gelu().tanh() }) { #expect(r.passed, "\(r)") }
}

@Test func longChainDoesNotOverflow() {
    let x = Tensor([1], requiresGrad: true)
    var y = x
    for _ in 0..<100_000 { y = y * 1.0 }
    y.sum().backward()
    #expect(x.grad!.scalars == [1])
}
