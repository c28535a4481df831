"""Writes Tests/EngineTests/Resources/silu.json: PyTorch's SiLU (x * sigmoid(x)) and its derivative.

Run from the repository root with PyTorch installed (made with torch 2.15, CPU, float32):

    python3 Tests/scripts/make_silu.py

The points cover both signs, 0, the minimum near x = -1.278 and both tails (where sigmoid saturates).
"""
import json

import torch

torch.manual_seed(0)
points = [-20.0, -8.0, -3.0, -1.2785, -1.0, -0.5, -0.1, 0.0, 0.1, 0.5, 1.0, 2.0, 3.0, 8.0, 20.0]
points += torch.randn(9).mul(2).tolist()
x = torch.tensor(points, dtype=torch.float32, requires_grad=True)
y = torch.nn.SiLU()(x)
y.sum().backward()
out = {
    "name": "silu",
    "generator": f"Tests/scripts/make_silu.py (torch {torch.__version__}, float32, CPU)",
    "formula": "y = x * sigmoid(x); grad = d(sum y)/dx",
    "x": x.detach().tolist(),
    "y": y.detach().tolist(),
    "grad": x.grad.tolist(),
}
with open("Tests/EngineTests/Resources/silu.json", "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
