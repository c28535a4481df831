import Testing
@testable import Engine

/// README's "Autograd in ten lines", run exactly as printed there, with its numbers checked by hand:
/// y = relu(x·w) = [[2.5], [5.5]], loss = mean(y²) = 18.25, dloss/dy = y, dloss/dw = xᵀ·y = [19, 27],
/// dloss/dx = y·wᵀ = [[1.25, 2.5], [2.75, 5.5]].
@Test func readmeAutogradExample() {
    let x = Tensor([1, 2, 3, 4], shape: [2, 2], requiresGrad: true)
    let w = Tensor([0.5, 1], shape: [2, 1], requiresGrad: true)
    let y = x.matmul(w).relu()
    let loss = (y * y).mean()
    loss.backward()
    #expect(y.scalars == [2.5, 5.5])
    #expect(loss.item == 18.25)
    #expect(w.grad!.scalars == [19, 27])
    #expect(x.grad!.scalars == [1.25, 2.5, 2.75, 5.5])
    #expect(w.grad!.description == "tensor([[19.0000],\n        [27.0000]], shape: [2, 1])")
    let check = gradCheck([x, w]) { $0[0].matmul($0[1]).relu() }
    #expect(check.count == 2 && check.allSatisfy(\.passed))
}
