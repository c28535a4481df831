"""Measures how often PyTorch's single-rounding `lerp_`, `addcmul_` (Adam's moments) and `add_(alpha=)`
(SGD) differ in the last bit from the same formulas rounded after every operation, which is what
Kernels/AdamUpdate.swift and Kernels/SGDUpdate.swift compute. Quoted in Sources/Engine/Optim/Optimizer.swift.

    python3 Tests/scripts/measure_adam_rounding.py

One million elements: m ~ 0.1·N(0, 1), g ~ N(0, 1), v ~ U(0, 0.01), seed 0; β₁ = 0.9, β₂ = 0.999;
numpy float32 arithmetic rounds each operation, as Swift's Float does. torch 2.15 on CPU.
"""
import torch, numpy as np
torch.manual_seed(0)
n=1_000_000
m=torch.randn(n)*0.1; g=torch.randn(n); v=torch.rand(n)*0.01
w=np.float32(1-0.9)
# ours: m + w*(g - m), each op rounded to float32
ours_m=(m.numpy()+w*(g.numpy()-m.numpy())).astype(np.float32)
t_m=m.clone().lerp_(g,0.1)
print("lerp_ differs:", (torch.from_numpy(ours_m)!=t_m).float().mean().item())
b2=np.float32(0.999); c=np.float32(1-0.999)
ours_v=(v.numpy()*b2); ours_v=(ours_v + c*g.numpy()*g.numpy()).astype(np.float32)
t_v=v.clone().mul_(0.999).addcmul_(g,g,value=1-0.999)
print("addcmul_ differs:", (torch.from_numpy(ours_v)!=t_v).float().mean().item())

# SGD's in-place updates: p.add_(g, alpha=-lr) and the momentum buffer b.mul_(mu).add_(g, alpha=1 - tau).
p = torch.randn(n)
ours_p = (p.numpy() + np.float32(-0.1) * g.numpy()).astype(np.float32)
print("add_(alpha) differs:", (torch.from_numpy(ours_p) != p.clone().add_(g, alpha=-0.1)).float().mean().item())
b = torch.randn(n)
ours_b = (b.numpy() * np.float32(0.9)).astype(np.float32)
ours_b = (ours_b + np.float32(0.7) * g.numpy()).astype(np.float32)
print("mul_.add_ differs:", (torch.from_numpy(ours_b) != b.clone().mul_(0.9).add_(g, alpha=0.7)).float().mean().item())
