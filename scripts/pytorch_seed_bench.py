"""Times the seed's PyTorch workload, for the side-by-side speed comparison in README.md.

The seed's script (model, data, AdamW, ReduceLROnPlateau, clip 1.0, batch 32) with one thread and
num_workers=0, as measured in the README. Import and setup are excluded from the time.
Nothing in the Swift project needs this file or PyTorch; it is here so anyone can rerun the figure:

    pip install torch
    python3 scripts/pytorch_seed_bench.py --epochs 5 --runs 3
    python3 scripts/pytorch_seed_bench.py --sweep      # the scaling sweep (batch, width, sequence, layers)

The sweep changes one knob of the seed's workload at a time (batch size, model width D with a
feed-forward of 4·D, sequence length T, encoder layers), the others at the seed's values, exactly as
`bench --sweep` does on the Swift side.
"""
import argparse
import json
import math
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset


def build(seed, batch=32, width=64, seq=5, layers=3):
    torch.manual_seed(seed)
    X = torch.randn(1000, seq, 10) * torch.arange(1, seq + 1).view(1, -1, 1)
    y = X.mean(dim=(1, 2)).unsqueeze(-1)
    X = (X - X.mean()) / X.std()
    y = (y - y.mean()) / y.std()
    loader = DataLoader(TensorDataset(X, y), batch_size=batch, shuffle=True, num_workers=0)

    class PositionalEncoding(nn.Module):
        def __init__(self, d_model, dropout=0.1, max_len=5000):
            super().__init__()
            self.dropout = nn.Dropout(p=dropout)
            position = torch.arange(max_len).unsqueeze(1)
            div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
            pe = torch.zeros(max_len, d_model)
            pe[:, 0::2] = torch.sin(position * div_term)
            pe[:, 1::2] = torch.cos(position * div_term)
            self.register_buffer("pe", pe.unsqueeze(0))

        def forward(self, x):
            return self.dropout(x + self.pe[:, : x.size(1), :])

    class Regressor(nn.Module):
        def __init__(self):
            super().__init__()
            self.input_proj = nn.Linear(10, width)
            layer = nn.TransformerEncoderLayer(d_model=width, nhead=4, dim_feedforward=4 * width, batch_first=True)
            self.encoder = nn.TransformerEncoder(layer, num_layers=layers)
            self.output_layer = nn.Sequential(nn.Linear(seq * width, 128), nn.ReLU(), nn.Dropout(0.1),
                                              nn.Linear(128, 1))
            self.pos_encoder = PositionalEncoding(width)

        def forward(self, src):
            src = self.pos_encoder(self.input_proj(src) * math.sqrt(width))
            memory = self.encoder(src)
            return self.output_layer(memory.view(memory.size(0), -1))

    return loader, Regressor()


def run(epochs, seed, **knobs):
    loader, model = build(seed, **knobs)
    criterion = nn.MSELoss()
    optimizer = optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
    scheduler = optim.lr_scheduler.ReduceLROnPlateau(optimizer, "min", patience=5)
    samples = 0
    start = time.perf_counter()
    for _ in range(epochs):
        model.train()
        total = 0.0
        for bx, by in loader:
            optimizer.zero_grad()
            loss = criterion(model(bx), by)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            total += loss.item()
            samples += bx.size(0)
        scheduler.step(total / len(loader))
    seconds = time.perf_counter() - start
    return seconds, samples, total / len(loader)


# The scaling sweep: one knob at a time, the others at the seed's values (batch 32, width 64, T 5, 3 layers).
SWEEP = [("batch", [8, 32, 128, 256]), ("width", [32, 64, 128, 256]), ("seq", [5, 16, 64]), ("layers", [1, 3, 6])]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--sweep", action="store_true", help="the scaling sweep instead of the seed's workload")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.sweep:
        points = []
        for knob, values in SWEEP:
            for value in values:
                rates = [samples / seconds for seconds, samples, _ in
                         (run(args.epochs, seed, **{knob: value}) for seed in range(args.runs))]
                points.append({"knob": knob, "value": value, "samples_per_second": round(statistics.median(rates), 1)})
                print(json.dumps(points[-1]), file=sys.stderr, flush=True)
        print(json.dumps({"torch": torch.__version__, "threads": args.threads, "epochs": args.epochs,
                          "sweep": points}))
        return
    results = [run(args.epochs, seed) for seed in range(args.runs)]
    rates = [samples / seconds for seconds, samples, _ in results]
    print(json.dumps({
        "torch": torch.__version__, "threads": args.threads, "epochs": args.epochs,
        "runs_samples_per_second": [round(r, 1) for r in rates],
        "median_samples_per_second": round(statistics.median(rates), 1),
        "median_seconds_per_epoch": round(statistics.median(s for s, _, _ in results) / args.epochs, 3),
    }))


if __name__ == "__main__":
    main()
