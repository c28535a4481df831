"""Makes Tests/EngineTests/Resources/nn_extras.json: PyTorch float32 answers for what the shared
reference keys do not cover (pre-norm + GELU encoder layers with masks, cross-attention with a key
padding mask, every loss with every reduction).

    python3 Tests/scripts/make_nn_extras.py

Values: every input and parameter is v[i] = C + A*sin(0.37*i + 0.11*k) in float32 (i the flat
index, k a per-tensor id), stored as lists; the loss of the layer cases is sum(out * G),
G[j] = cos(0.23*j + 0.07), as in the shared reference keys. torch 2.15.0, 1 thread.
The layer and attention cases are also run in float64 on the same (float32-rounded) values:
`out64` and `grads64` hold those, the exact answer that float32 results should approach. (PyTorch's
own float32 run is sometimes off by more than 1e-5 relative where terms cancel, e.g. one entry of
out_proj.weight's gradient in the pre-norm GELU case; our tests compare with float64.)
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
    return torch.tensor([c + a * math.sin(0.37 * i + 0.11 * k) for i in range(n)], dtype=torch.float32).view(*shape)


def g_weights(shape):
    n = math.prod(shape)
    return torch.tensor([math.cos(0.23 * j + 0.07) for j in range(n)], dtype=torch.float32).view(*shape)


def flat(t):
    return [float(v) for v in t.detach().flatten().tolist()]


def fill_parameters(module, first_k, dtype=torch.float32):
    params = {}
    for k, (name, p) in enumerate(module.named_parameters(), start=first_k):
        if name.startswith("norm") and name.endswith("weight"):
            value = formula(p.shape, k, 0.1, 1.0)
        elif p.dim() == 2:
            value = formula(p.shape, k, 1 / math.sqrt(p.shape[1]))
        else:
            value = formula(p.shape, k, 0.1)
        with torch.no_grad():
            p.copy_(value.to(dtype))
        params[name] = {"shape": list(p.shape), "values": flat(value)}
    return params


def layer_case(norm_first, activation, causal, padding, dtype=torch.float32):
    torch.manual_seed(0)
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation=activation, batch_first=True,
                                       norm_first=norm_first, dtype=dtype)
    params = fill_parameters(layer, 1, dtype)
    x = formula((2, 5, 8), 0, 1.5, 0.2).to(dtype).requires_grad_(True)
    mask = nn.Transformer.generate_square_subsequent_mask(5, dtype=dtype) if causal else None
    kpm = torch.tensor([[False] * 5, [False, False, False, True, True]]) if padding else None
    out = layer(x, src_mask=mask, src_key_padding_mask=kpm)
    loss = (out * g_weights(out.shape)).sum()
    loss.backward()
    return {
        "norm_first": norm_first, "activation": activation, "causal": causal,
        "key_padding": [[bool(v) for v in row] for row in kpm.tolist()] if padding else None,
        "x": {"shape": [2, 5, 8], "values": flat(x)}, "parameters": params,
        "out": flat(out), "loss": float(loss),
        "grads": {"x": flat(x.grad), **{n: flat(p.grad) for n, p in layer.named_parameters()}},
    }


def cross_attention_case(dtype=torch.float32):
    torch.manual_seed(0)
    mha = nn.MultiheadAttention(8, 2, batch_first=True, dtype=dtype)
    params = fill_parameters(mha, 3, dtype)
    q = formula((2, 3, 8), 0).to(dtype).requires_grad_(True)
    kv = formula((2, 5, 8), 1).to(dtype).requires_grad_(True)
    kpm = torch.tensor([[False, False, False, False, True], [False, True, False, False, False]])
    out, w = mha(q, kv, kv, key_padding_mask=kpm)
    _, w_heads = mha(q, kv, kv, key_padding_mask=kpm, average_attn_weights=False)
    loss = (out * g_weights(out.shape)).sum()
    loss.backward()
    return {
        "query": {"shape": [2, 3, 8], "values": flat(q)}, "key_value": {"shape": [2, 5, 8], "values": flat(kv)},
        "key_padding": kpm.tolist(), "parameters": params,
        "out": flat(out), "weights": flat(w), "weights_per_head": flat(w_heads),
        "grads": {"query": flat(q.grad), "key_value": flat(kv.grad),
                  **{n: flat(p.grad) for n, p in mha.named_parameters()}},
    }


def loss_cases():
    cases = []
    x = formula((4, 3), 5, 2.0)
    y = formula((4, 3), 6, 1.5, 0.1)
    regressions = {
        "mse": lambda a, b, r: F.mse_loss(a, b, reduction=r),
        "l1": lambda a, b, r: F.l1_loss(a, b, reduction=r),
        "huber_0.5": lambda a, b, r: F.huber_loss(a, b, reduction=r, delta=0.5),
        "smooth_l1_0.5": lambda a, b, r: F.smooth_l1_loss(a, b, reduction=r, beta=0.5),
        "bce_logits": lambda a, b, r: F.binary_cross_entropy_with_logits(a, (b + 1.5) / 3.2, reduction=r),
    }
    for name, fn in regressions.items():
        for reduction in ["mean", "sum", "none"]:
            a = x.clone().requires_grad_(True)
            b = y.clone().requires_grad_(True)
            out = fn(a, b, reduction)
            (out * g_weights(out.shape)).sum().backward() if reduction == "none" else out.backward()
            cases.append({"name": name, "reduction": reduction, "input": flat(x), "target": flat(y), "shape": [4, 3],
                          "out": flat(out), "grad_input": flat(a.grad), "grad_target": flat(b.grad)})
    logits = formula((5, 4), 7, 3.0)
    targets = [0, 3, -100, 2, 1]
    for reduction in ["mean", "sum", "none"]:
        a = logits.clone().requires_grad_(True)
        out = F.cross_entropy(a, torch.tensor(targets), reduction=reduction)
        (out * g_weights(out.shape)).sum().backward() if reduction == "none" else out.backward()
        cases.append({"name": "cross_entropy", "reduction": reduction, "input": flat(logits), "shape": [5, 4],
                      "targets": targets, "out": flat(out), "grad_input": flat(a.grad)})
    return cases


def with_float64(case32, case64):
    case32["out64"] = case64["out"]
    case32["grads64"] = case64["grads"]
    for key in ("weights", "weights_per_head"):
        if key in case64:
            case32[key + "64"] = case64[key]
    return case32


def positional_encoding_rows(d_model=64, max_len=5000, rows=(0, 1, 2, 100, 1234, 4999)):
    """Rows of the seed's table at full size, computed exactly as seed_train.py does (float32)."""
    position = torch.arange(max_len).unsqueeze(1)
    div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
    pe = torch.zeros(max_len, d_model)
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term)
    return {"d_model": d_model, "max_len": max_len, "rows": list(rows), "values": flat(pe[list(rows)]),
            "sum": float(pe.double().sum()), "l2": float(pe.double().norm())}


layer_options = [(True, "gelu", True, False), (True, "relu", False, True), (False, "gelu", True, True)]
result = {
    "generator": f"Tests/scripts/make_nn_extras.py (torch {torch.__version__})",
    "encoder_layers": [with_float64(layer_case(*o), layer_case(*o, dtype=torch.float64)) for o in layer_options],
    "cross_attention": with_float64(cross_attention_case(), cross_attention_case(torch.float64)),
    "losses": loss_cases(),
    "positional_encoding_64": positional_encoding_rows(),
}
with open("Tests/EngineTests/Resources/nn_extras.json", "w") as f:
    json.dump(result, f)
print("ok", len(result["losses"]), "loss cases")
