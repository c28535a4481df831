"""Makes Tests/EngineTests/Resources/optim_options.json: PyTorch answers for issue 13's optimizer,
clipping and scheduler options (Adam/AdamW amsgrad and maximize, SGD maximize with and without
momentum, clip_grad_norm_ with any norm type, MultiStepLR, ExponentialLR, LinearLR with end_factor,
CosineAnnealingWarmRestarts, OneCycleLR with momentum cycling, SequentialLR).

    python3 Tests/scripts/make_optim_options.py

Values: parameters p [3, 4] (k = 1) and q [5] (k = 2) start at v[i] = C + A*sin(0.37*i + 0.11*k), A = 0.5;
the gradient of step s (s = 1, 2, …) is the same formula with k = 10*s + id (id 1 for p, 2 for q) and
A = 1.5 on odd steps and 0.01 on even ones, so v falls on even steps and AMSGrad's running maximum
differs from v. Optimizer runs are
float32 (`steps`: the parameters after each step, and the final state) and float64 (`steps64`).
Clipping: gradients [3, 4] (k = 3, A = 2) and [5] (k = 4, A = 0.7), max_norm 0.5, each norm type;
float32 and float64. Schedulers: the rate (and momentum where cycled) after 0, 1, … steps, in Python
floats, SGD or Adam with lr 0.1 unless said. torch 2.15, 1 thread.
"""
import json
import math

import torch

torch.set_num_threads(1)


def formula(shape, k, a=1.0, c=0.0, dtype=torch.float32):
    n = math.prod(shape)
    return torch.tensor([c + a * math.sin(0.37 * i + 0.11 * k) for i in range(n)], dtype=torch.float32) \
        .view(*shape).to(dtype)


def flat(t):
    return [float(v) for v in t.detach().flatten().tolist()]


SHAPES = [(3, 4), (5,)]
OPTIMIZERS = [
    ("adam", dict(lr=0.05, amsgrad=True)),
    ("adam", dict(lr=0.05, maximize=True)),
    ("adam", dict(lr=0.05, amsgrad=True, maximize=True, weight_decay=0.1)),
    ("adamw", dict(lr=0.05, amsgrad=True)),
    ("adamw", dict(lr=0.05, maximize=True, weight_decay=0.3, betas=(0.8, 0.95))),
    ("sgd", dict(lr=0.1, maximize=True)),
    ("sgd", dict(lr=0.1, maximize=True, weight_decay=0.2)),
    ("sgd", dict(lr=0.1, momentum=0.9, nesterov=True, maximize=True, weight_decay=0.1)),
    ("sgd", dict(lr=0.1, momentum=0.8, dampening=0.3, maximize=True)),
]


def optimizer_run(kind, options, dtype, steps=6):
    params = [formula(s, i + 1, 0.5, dtype=dtype).requires_grad_(True) for i, s in enumerate(SHAPES)]
    cls = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW, "sgd": torch.optim.SGD}[kind]
    opt = cls(params, foreach=False, **options)
    history = []
    for s in range(1, steps + 1):
        for i, p in enumerate(params):
            p.grad = formula(p.shape, 10 * s + i + 1, 1.5 if s % 2 else 0.01, dtype=dtype)
        opt.step()
        history.append([flat(p) for p in params])
    state = []
    for p in params:
        st = opt.state[p]
        state.append({k: flat(v) for k, v in st.items() if torch.is_tensor(v) and v.numel() > 1})
    return history, state


optimizers = []
for kind, options in OPTIMIZERS:
    h32, st32 = optimizer_run(kind, options, torch.float32)
    h64, _ = optimizer_run(kind, options, torch.float64)
    optimizers.append({"kind": kind, "options": options, "shapes": [list(s) for s in SHAPES],
                       "steps": h32, "steps64": h64, "state": st32})

clipping = []
for norm_type in [1.0, 3.0, 0.5, 2.5, math.inf, -math.inf, 0.0, 2.0]:
    entry = {"norm_type": "inf" if norm_type == math.inf else ("-inf" if norm_type == -math.inf else norm_type)}
    for dtype, suffix in ((torch.float32, ""), (torch.float64, "64")):
        grads = [formula((3, 4), 3, 2.0, dtype=dtype), formula((5,), 4, 0.7, dtype=dtype)]
        params = [torch.zeros_like(g, requires_grad=True) for g in grads]
        for p, g in zip(params, grads):
            p.grad = g.clone()
        total = torch.nn.utils.clip_grad_norm_(params, max_norm=0.5, norm_type=norm_type)
        entry["total" + suffix] = float(total)
        entry["grads" + suffix] = [flat(p.grad) for p in params]
    clipping.append(entry)


def lr_trace(make, steps, optimizer="sgd", lr=0.1, momentum=0.0):
    p = torch.zeros(1, requires_grad=True)
    if optimizer == "sgd":
        opt = torch.optim.SGD([p], lr=lr, momentum=momentum)
    else:
        opt = torch.optim.Adam([p], lr=lr)
    sched = make(opt)
    rates, momenta = [opt.param_groups[0]["lr"]], []
    key = "momentum" if optimizer == "sgd" else "betas"

    def m():
        v = opt.param_groups[0][key]
        return v if optimizer == "sgd" else v[0]
    momenta.append(m())
    for _ in range(steps):
        opt.step()
        sched.step()
        rates.append(opt.param_groups[0]["lr"])
        momenta.append(m())
    return {"rates": rates, "momenta": momenta}


S = torch.optim.lr_scheduler
schedulers = {
    "multistep": lr_trace(lambda o: S.MultiStepLR(o, milestones=[3, 7, 7, 12], gamma=0.5), 16),
    "exponential": lr_trace(lambda o: S.ExponentialLR(o, gamma=0.9), 12),
    "linear_decay": lr_trace(lambda o: S.LinearLR(o, start_factor=1.0, end_factor=0.2, total_iters=8), 12),
    "linear_partial": lr_trace(lambda o: S.LinearLR(o, start_factor=0.5, end_factor=0.75, total_iters=4), 7),
    "linear_defaults": lr_trace(lambda o: S.LinearLR(o), 7),
    "warm_restarts_t4_x2": lr_trace(lambda o: S.CosineAnnealingWarmRestarts(o, T_0=4, T_mult=2, eta_min=0.01), 30),
    "warm_restarts_t3": lr_trace(lambda o: S.CosineAnnealingWarmRestarts(o, T_0=3), 10),
    "one_cycle_sgd": lr_trace(lambda o: S.OneCycleLR(o, max_lr=0.5, total_steps=20), 20, momentum=0.9),
    "one_cycle_sgd_no_momentum": lr_trace(lambda o: S.OneCycleLR(o, max_lr=0.5, total_steps=10), 10),
    "one_cycle_adam_linear_three_phase": lr_trace(
        lambda o: S.OneCycleLR(o, max_lr=0.01, total_steps=17, pct_start=0.25, anneal_strategy="linear",
                               three_phase=True, div_factor=10, final_div_factor=100), 17, optimizer="adam"),
    "one_cycle_adam_no_cycle": lr_trace(
        lambda o: S.OneCycleLR(o, max_lr=0.01, total_steps=9, cycle_momentum=False), 9, optimizer="adam"),
    "sequential_warmup_cosine": lr_trace(
        lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, total_iters=5),
                                     S.CosineAnnealingLR(o, T_max=10, eta_min=0.001)], milestones=[5]), 18),
    "sequential_three": lr_trace(
        lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.5, total_iters=2), S.ExponentialLR(o, gamma=0.8),
                                     S.StepLR(o, step_size=2, gamma=0.5)], milestones=[3, 6]), 12),
}

with open("Tests/EngineTests/Resources/optim_options.json", "w") as f:
    json.dump({"generator": f"Tests/scripts/make_optim_options.py (torch {torch.__version__})",
               "optimizers": optimizers, "clipping": clipping, "schedulers": schedulers}, f)
print("ok", len(optimizers), "optimizer runs,", len(clipping), "norm types,", len(schedulers), "schedules")
