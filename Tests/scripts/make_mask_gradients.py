"""Makes Tests/EngineTests/Resources/mask_gradients.json: PyTorch's gradients of MultiheadAttention's
masks in every combination (issue 13): attn_mask none / float / bool, 2-D [T, S] or 3-D [B*H, T, S],
with no, a float or a bool key_padding_mask, in self- and cross-attention.

    python3 Tests/scripts/make_mask_gradients.py

Values: every input, parameter and float mask is v[i] = C + A*sin(0.37*i + 0.11*k) in float32 (i the
flat index, k a per-tensor id); a float padding mask is that formula with -inf on the padded keys (stored as 0 with `neg_inf`).
Bool masks: attn blocks key s for query t where (t + 2*s) % 5 == 4 (never a whole row); padding blocks
the last two keys of batch 1. The loss is sum(out * G), G[j] = cos(0.23*j + 0.07). B = 2, H = 2, D = 8,
T = 4, S = 4 (self) or 5 (cross). torch 2.15, 1 thread; each case is run in float32 (`out`, `grads`)
and in float64 on the same float32-rounded values (`out64`, `grads64`).
"""
import json
import math

import torch
import torch.nn as nn

torch.set_num_threads(1)


def formula(shape, k, a=1.0, c=0.0):
    n = math.prod(shape)
    return torch.tensor([c + a * math.sin(0.37 * i + 0.11 * k) for i in range(n)], dtype=torch.float32).view(*shape)


def g_weights(shape, dtype):
    n = math.prod(shape)
    return torch.tensor([math.cos(0.23 * j + 0.07) for j in range(n)], dtype=dtype).view(*shape)


def flat(t):
    return [float(v) for v in t.detach().flatten().tolist()]


def tensor_json(t):
    return {"shape": list(t.shape), "values": flat(t)}


B, H, D, T = 2, 2, 8, 4


def run(attn, dims, padding, cross, dtype):
    S = 5 if cross else T
    torch.manual_seed(0)
    mha = nn.MultiheadAttention(D, H, batch_first=True, dtype=dtype)
    params = {}
    for k, (name, p) in enumerate(mha.named_parameters(), start=10):
        value = formula(p.shape, k, 1 / math.sqrt(p.shape[-1]) if p.dim() == 2 else 0.1)
        with torch.no_grad():
            p.copy_(value.to(dtype))
        params[name] = tensor_json(value)
    q = formula((B, T, D), 0).to(dtype).requires_grad_(True)
    kv = formula((B, S, D), 1).to(dtype).requires_grad_(True) if cross else q
    shape = (T, S) if dims == 2 else (B * H, T, S)
    blocked = torch.tensor([[(t + 2 * s) % 5 == 4 for s in range(S)] for t in range(T)])
    if dims == 3:
        blocked = blocked.expand(B * H, T, S).clone()
        blocked[1] = torch.roll(blocked[1], 1, dims=1)
    attn_mask = None
    if attn == "float":
        attn_mask = formula(shape, 2, 0.8).to(dtype).requires_grad_(True)
    elif attn == "bool":
        attn_mask = blocked
    pad_blocked = torch.zeros(B, S, dtype=torch.bool)
    pad_blocked[1, -2:] = True
    kpm = None
    if padding == "float":
        base = formula((B, S), 3, 0.5)
        kpm = base.masked_fill(pad_blocked, -math.inf).to(dtype).requires_grad_(True)
    elif padding == "bool":
        kpm = pad_blocked
    out, _ = mha(q, kv, kv, key_padding_mask=kpm, attn_mask=attn_mask)
    loss = (out * g_weights(out.shape, dtype)).sum()
    loss.backward()
    grads = {"query": flat(q.grad), **{n: flat(p.grad) for n, p in mha.named_parameters()}}
    if cross:
        grads["key_value"] = flat(kv.grad)
    if attn == "float":
        grads["attn_mask"] = flat(attn_mask.grad)
    if padding == "float":
        grads["key_padding_mask"] = flat(kpm.grad)
    case = {"attn": attn, "dims": dims, "padding": padding, "cross": cross, "parameters": params,
            "query": tensor_json(q), "out": flat(out), "grads": grads}
    if cross:
        case["key_value"] = tensor_json(kv)
    if attn_mask is not None:
        case["attn_mask"] = {"shape": list(shape), "values": flat(attn_mask.float())} if attn == "float" \
            else {"shape": list(shape), "blocked": [bool(v) for v in attn_mask.flatten().tolist()]}
    if kpm is not None:
        # JSON has no -inf: a float padding mask is stored as its finite values plus where it is -inf.
        case["key_padding_mask"] = {"shape": [B, S], "values": flat(kpm.float().nan_to_num(neginf=0.0)),
                                    "neg_inf": [bool(v) for v in pad_blocked.flatten().tolist()]} \
            if padding == "float" \
            else {"shape": [B, S], "blocked": [bool(v) for v in kpm.flatten().tolist()]}
    return case


cases = []
for cross in (False, True):
    for attn, dims in (("none", 2), ("float", 2), ("float", 3), ("bool", 2), ("bool", 3)):
        for padding in ("none", "float", "bool"):
            c32 = run(attn, dims, padding, cross, torch.float32)
            c64 = run(attn, dims, padding, cross, torch.float64)
            c32["out64"], c32["grads64"] = c64["out"], c64["grads"]
            cases.append(c32)
with open("Tests/EngineTests/Resources/mask_gradients.json", "w") as f:
    json.dump({"generator": f"Tests/scripts/make_mask_gradients.py (torch {torch.__version__})", "cases": cases}, f)
print("ok", len(cases), "cases")
