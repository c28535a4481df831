"""Makes Tests/EngineTests/Resources/loss_options.json: PyTorch answers for issue 13's loss options:
CrossEntropyLoss with weight, label_smoothing, class-probability targets and [N, C, d1, ...] inputs
(with ignore_index), BCEWithLogitsLoss with pos_weight and weight; every reduction.

    python3 Tests/scripts/make_loss_options.py

Values: logits are v[i] = A*sin(0.37*i + 0.11*k) with A = 3, k = 7; probability targets are a
softmax over the class dim of the same formula with k = 8 (float32); BCE targets are
(sin(0.37*i + 0.11*6) + 1) / 2; weights are 0.5 + 0.25*(c mod 4) for class c (pos_weight 1 + 0.5*c).
With reduction "none" the loss that is back-propagated is sum(out * G), G[j] = cos(0.23*j + 0.07).
Each case is run in float32 (`out`, `grad_input`, `grad_target`) and float64 on the same values
(`out64`, `grad_input64`, `grad_target64`). torch 2.15, 1 thread.
"""
import json
import math

import torch
import torch.nn.functional as F

torch.set_num_threads(1)


def formula(shape, k, a=1.0, c=0.0):
    n = math.prod(shape)
    return torch.tensor([c + a * math.sin(0.37 * i + 0.11 * k) for i in range(n)], dtype=torch.float32).view(*shape)


def g_weights(shape, dtype):
    n = math.prod(shape)
    return torch.tensor([math.cos(0.23 * j + 0.07) for j in range(n)], dtype=dtype).view(*shape)


def flat(t):
    return [float(v) for v in t.detach().flatten().tolist()]


def class_weights(c):
    return torch.tensor([0.5 + 0.25 * (i % 4) for i in range(c)])


def run(name, fn, x32, t32, reduction):
    out = {}
    for dtype, suffix in ((torch.float32, ""), (torch.float64, "64")):
        x = x32.detach().clone().to(dtype).requires_grad_(True)
        t = t32 if t32.dtype == torch.long else t32.detach().clone().to(dtype).requires_grad_(True)
        y = fn(x, t, dtype, reduction)
        (y * g_weights(y.shape, dtype)).sum().backward() if reduction == "none" else y.backward()
        out["out" + suffix] = flat(y)
        out["grad_input" + suffix] = flat(x.grad)
        if t.dtype != torch.long:
            out["grad_target" + suffix] = flat(t.grad)
    return out


cases = []


def ce_case(shape, targets, reduction, weight=False, smoothing=0.0, probabilities=False):
    x = formula(shape, 7, 3.0)
    c = shape[1]
    if probabilities:
        t = torch.softmax(formula(shape, 8, 2.0), dim=1)
    else:
        t = torch.tensor(targets).view(shape[0], *shape[2:])

    def fn(a, b, dtype, r):
        w = class_weights(c).to(dtype) if weight else None
        return F.cross_entropy(a, b, weight=w, reduction=r, label_smoothing=smoothing, ignore_index=-100)
    case = {"loss": "cross_entropy", "shape": list(shape), "reduction": reduction, "weight": flat(class_weights(c))
            if weight else None, "label_smoothing": smoothing, "input": flat(x)}
    if probabilities:
        case["probabilities"] = flat(t)
    else:
        case["targets"] = targets
    case.update(run("ce", fn, x, t, reduction))
    cases.append(case)


def bce_case(shape, reduction, weight_shape=None, pos_weight=False):
    x = formula(shape, 7, 3.0)
    n = math.prod(shape)
    t = torch.tensor([(math.sin(0.37 * i + 0.11 * 6) + 1) / 2 for i in range(n)], dtype=torch.float32).view(*shape)
    w = formula(weight_shape, 9, 0.4, 1.0) if weight_shape else None
    pw = torch.tensor([1 + 0.5 * i for i in range(shape[-1])]) if pos_weight else None

    def fn(a, b, dtype, r):
        return F.binary_cross_entropy_with_logits(a, b, weight=None if w is None else w.to(dtype), reduction=r,
                                                  pos_weight=None if pw is None else pw.to(dtype))
    case = {"loss": "bce_with_logits", "shape": list(shape), "reduction": reduction, "input": flat(x), "target": flat(t),
            "weight": {"shape": list(weight_shape), "values": flat(w)} if weight_shape else None,
            "pos_weight": flat(pw) if pos_weight else None}
    case.update(run("bce", fn, x, t, reduction))
    cases.append(case)


idx = [0, 3, -100, 2, 1]
for r in ("mean", "sum", "none"):
    ce_case((5, 4), idx, r, weight=True)
    ce_case((5, 4), idx, r, smoothing=0.2)
    ce_case((5, 4), idx, r, weight=True, smoothing=0.1)
    ce_case((2, 4, 3), [1, -100, 3, 0, 2, 2], r, weight=True, smoothing=0.15)
    ce_case((2, 3, 2, 2), [0, 1, 2, 1, 2, 0, -100, 1], r)
    ce_case((4, 3), None, r, probabilities=True)
    ce_case((4, 5), None, r, probabilities=True, weight=True, smoothing=0.25)
    ce_case((2, 3, 4), None, r, probabilities=True, weight=True)
    bce_case((4, 3), r, pos_weight=True)
    bce_case((4, 3), r, weight_shape=(4, 3))
    bce_case((4, 3), r, weight_shape=(3,), pos_weight=True)
    bce_case((2, 2, 3), r, weight_shape=(2, 1, 1), pos_weight=True)

with open("Tests/EngineTests/Resources/loss_options.json", "w") as f:
    json.dump({"generator": f"Tests/scripts/make_loss_options.py (torch {torch.__version__})", "cases": cases}, f)
print("ok", len(cases), "cases")
