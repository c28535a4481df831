"""Makes Tests/EngineTests/Resources/mha_options.json: PyTorch's MultiheadAttention with kdim/vdim
(q_proj_weight, k_proj_weight, v_proj_weight), add_bias_kv (bias_k, bias_v), add_zero_attn and
batch_first=False, alone and together, with masks.

    python3 Tests/scripts/make_mha_options.py

Values: every input, parameter and float mask is v[i] = C + A*sin(0.37*i + 0.11*k) in float32 (k a
per-tensor id; weights A = 1/sqrt(fan_in), vectors A = 0.1, bias_k/bias_v A = 0.3). Bool padding
blocks the last key of batch 1. The loss is sum(out * G), G[j] = cos(0.23*j + 0.07), over the
output in the layout it is returned in. B = 2, H = 2, D = 8, T = 3, S = 4. float32 (`out`,
`weights`, `grads`) and float64 on the same values (`out64`, `weights64`, `grads64`). torch 2.15.
"""
import json
import math

import torch
import torch.nn as nn

torch.set_num_threads(1)


def formula(shape, k, a=1.0, c=0.0):
    n = math.prod(shape)
    return torch.tensor([c + a * math.sin(0.37 * i + 0.11 * k) for i in range(n)], dtype=torch.float32).view(*shape)


def flat(t):
    return [float(v) for v in t.detach().flatten().tolist()]


def tj(t):
    return {"shape": list(t.shape), "values": flat(t)}


B, H, D, T, S = 2, 2, 8, 3, 4


def run(opts, dtype):
    kdim, vdim = opts.get("kdim"), opts.get("vdim")
    batch_first = opts.get("batch_first", True)
    self_attn = opts.get("self", False)
    torch.manual_seed(0)
    mha = nn.MultiheadAttention(D, H, kdim=kdim, vdim=vdim, add_bias_kv=opts.get("add_bias_kv", False),
                                add_zero_attn=opts.get("add_zero_attn", False), batch_first=batch_first, dtype=dtype)
    params = {}
    for k, (name, p) in enumerate(mha.named_parameters(), start=10):
        if name in ("bias_k", "bias_v"):
            value = formula(p.shape, k, 0.3)
        elif p.dim() == 2:
            value = formula(p.shape, k, 1 / math.sqrt(p.shape[1]))
        else:
            value = formula(p.shape, k, 0.1)
        with torch.no_grad():
            p.copy_(value.to(dtype))
        params[name] = tj(value)

    def layout(shape):          # batch-first shape -> the layout the module takes
        return shape if batch_first else (shape[1], shape[0], shape[2])
    s = T if self_attn else S
    q = formula(layout((B, T, D)), 0).to(dtype).requires_grad_(True)
    if self_attn:
        k_in = v_in = q
    else:
        k_in = formula(layout((B, S, kdim or D)), 1).to(dtype).requires_grad_(True)
        v_in = formula(layout((B, S, vdim or D)), 2).to(dtype).requires_grad_(True)
    attn = None
    if opts.get("attn") == "float2":
        attn = formula((T, s), 3, 0.8).to(dtype).requires_grad_(True)
    elif opts.get("attn") == "float3":
        attn = formula((B * H, T, s), 3, 0.8).to(dtype).requires_grad_(True)
    elif opts.get("attn") == "causal":
        attn = nn.Transformer.generate_square_subsequent_mask(T).bool()
    kpm = None
    if opts.get("padding"):
        kpm = torch.zeros(B, s, dtype=torch.bool)
        kpm[1, -1] = True
    out, w = mha(q, k_in, v_in, key_padding_mask=kpm, attn_mask=attn)
    g = torch.tensor([math.cos(0.23 * j + 0.07) for j in range(out.numel())], dtype=dtype).view(out.shape)
    (out * g).sum().backward()
    grads = {"query": flat(q.grad), **{n: flat(p.grad) for n, p in mha.named_parameters()}}
    if not self_attn:
        grads["key"], grads["value"] = flat(k_in.grad), flat(v_in.grad)
    if attn is not None and attn.dtype != torch.bool:
        grads["attn_mask"] = flat(attn.grad)
    case = {"options": opts, "parameters": params, "query": tj(q), "out": flat(out), "out_shape": list(out.shape),
            "weights": flat(w), "weights_shape": list(w.shape), "grads": grads}
    if not self_attn:
        case["key"], case["value"] = tj(k_in), tj(v_in)
    if attn is not None:
        case["attn_mask"] = tj(attn.float()) if attn.dtype != torch.bool else \
            {"shape": list(attn.shape), "blocked": [bool(v) for v in attn.flatten().tolist()]}
    if kpm is not None:
        case["key_padding_mask"] = {"shape": [B, s], "blocked": [bool(v) for v in kpm.flatten().tolist()]}
    return case


option_sets = [
    {"kdim": 6, "vdim": 5, "padding": True},
    {"kdim": 6, "vdim": 8, "attn": "float2"},
    {"add_bias_kv": True, "self": True, "attn": "float2", "padding": True},
    {"add_zero_attn": True, "attn": "float3"},
    {"add_bias_kv": True, "add_zero_attn": True, "kdim": 6, "vdim": 5, "batch_first": False, "padding": True,
     "attn": "float3"},
    {"batch_first": False, "self": True, "attn": "causal"},
    {"batch_first": False, "padding": True},
]
cases = []
for opts in option_sets:
    c32, c64 = run(opts, torch.float32), run(opts, torch.float64)
    c32["out64"], c32["weights64"], c32["grads64"] = c64["out"], c64["weights"], c64["grads"]
    cases.append(c32)
with open("Tests/EngineTests/Resources/mha_options.json", "w") as f:
    json.dump({"generator": f"Tests/scripts/make_mha_options.py (torch {torch.__version__})", "cases": cases}, f)
print("ok", len(cases), "cases")
