"""Makes Tests/EngineTests/Resources/std.json: PyTorch's torch.std with correction, dims and keepdim,
and its gradient.

    python3 Tests/scripts/make_std.py

Values: x [3, 4, 5] is v[i] = 0.2 + 1.5*sin(0.37*i + 0.11*k), k = 0, float32, with the row x[2, 1, :]
set to 0.75 (a zero standard deviation along dim 2, where PyTorch's gradient is 0). The loss is
sum(out * G), G[j] = cos(0.23*j + 0.07). float32 (`out`, `grad`) and float64 (`out64`, `grad64`).
torch 2.15, 1 thread.
"""
import json
import math

import torch

torch.set_num_threads(1)


def flat(t):
    return [float(v) for v in t.detach().flatten().tolist()]


x0 = torch.tensor([0.2 + 1.5 * math.sin(0.37 * i) for i in range(60)], dtype=torch.float32).view(3, 4, 5)
x0[2, 1, :] = 0.75
cases = []
for dims, correction, keepdim in [(None, 1, False), (None, 0, False), ([2], 1, False), ([2], 0, True),
                                  ([0, 2], 1, True), ([1], 2, False), ([0], 1.5, False), ([-1, 0], 0, False)]:
    case = {"dims": dims, "correction": correction, "keepdim": keepdim}
    for dtype, suffix in ((torch.float32, ""), (torch.float64, "64")):
        x = x0.clone().to(dtype).requires_grad_(True)
        out = torch.std(x, dim=dims, correction=correction, keepdim=keepdim)
        g = torch.tensor([math.cos(0.23 * j + 0.07) for j in range(out.numel())], dtype=dtype).view(out.shape)
        (out * g).sum().backward()
        case["shape" + suffix] = list(out.shape)
        case["out" + suffix] = flat(out)
        case["grad" + suffix] = flat(x.grad)
    cases.append(case)
with open("Tests/EngineTests/Resources/std.json", "w") as f:
    json.dump({"generator": f"Tests/scripts/make_std.py (torch {torch.__version__})",
               "x": {"shape": [3, 4, 5], "values": flat(x0)}, "cases": cases}, f)
print("ok", len(cases), "cases")
