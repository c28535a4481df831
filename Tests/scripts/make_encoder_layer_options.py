"""Makes Tests/EngineTests/Resources/encoder_layer_options.json: PyTorch's answers for
TransformerEncoderLayer options beyond the defaults: bias=False (no bias in the attention, the
feed-forward layers or the layer norms) and an activation given as a callable (F.silu, torch.tanh).

    python3 Tests/scripts/make_encoder_layer_options.py

Same conventions as make_nn_extras.py: every input and parameter is v[i] = C + A*sin(0.37*i + 0.11*k)
(i the flat index, k a per-tensor id), the loss is sum(out * G) with G[j] = cos(0.23*j + 0.07);
each case is run in float32 on those values and in float64 on the same float32-rounded values
(`out64`, `grads64`), which the tests compare against. torch 2.15.0, one thread.
"""
import json
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)


def formula(shape, k, a=1.0, c=0.0):
    n = math.prod(shape)
    return torch.tensor([c + a * math.sin(0.37 * i + 0.11 * k) for i in range(n)],
                        dtype=torch.float32).view(*shape)


def g_weights(shape, dtype):
    n = math.prod(shape)
    return torch.tensor([math.cos(0.23 * j + 0.07) for j in range(n)], dtype=dtype).view(*shape)


def flat(t):
    return [float(v) for v in t.detach().flatten().tolist()]


ACTIVATIONS = {"relu": "relu", "gelu": "gelu", "silu": F.silu, "tanh": torch.tanh}


def case(bias, activation, norm_first, causal, dtype):
    torch.manual_seed(0)
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation=ACTIVATIONS[activation],
                                       batch_first=True, norm_first=norm_first, bias=bias, dtype=dtype)
    params = {}
    for k, (name, p) in enumerate(layer.named_parameters(), start=1):
        if name.startswith("norm") and name.endswith("weight"):
            value = formula(p.shape, k, 0.1, 1.0)
        elif p.dim() == 2:
            value = formula(p.shape, k, 1 / math.sqrt(p.shape[1]))
        else:
            value = formula(p.shape, k, 0.1)
        with torch.no_grad():
            p.copy_(value.to(dtype))
        params[name] = {"shape": list(p.shape), "values": flat(value)}
    x = formula((2, 5, 8), 0, 1.5, 0.2).to(dtype).requires_grad_(True)
    mask = nn.Transformer.generate_square_subsequent_mask(5, dtype=dtype) if causal else None
    out = layer(x, src_mask=mask, is_causal=causal)
    loss = (out * g_weights(out.shape, dtype)).sum()
    loss.backward()
    return {
        "bias": bias, "activation": activation, "norm_first": norm_first, "causal": causal,
        "state_dict_names": list(layer.state_dict().keys()),
        "x": {"shape": [2, 5, 8], "values": flat(x)}, "parameters": params,
        "out": flat(out), "loss": float(loss),
        "grads": {"x": flat(x.grad), **{n: flat(p.grad) for n, p in layer.named_parameters()}},
    }


options = [(False, "relu", False, False), (False, "gelu", True, True), (True, "silu", True, False),
           (True, "tanh", False, True)]
cases = []
for o in options:
    c32 = case(*o, torch.float32)
    c64 = case(*o, torch.float64)
    c32["out64"], c32["grads64"] = c64["out"], c64["grads"]
    cases.append(c32)
result = {"generator": f"Tests/scripts/make_encoder_layer_options.py (torch {torch.__version__})",
          "cases": cases}
with open("Tests/EngineTests/Resources/encoder_layer_options.json", "w") as f:
    json.dump(result, f)
print("ok", len(cases), "cases;", cases[0]["state_dict_names"])
