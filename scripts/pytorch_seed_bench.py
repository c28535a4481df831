"""Times the seed's PyTorch workload, for the side-by-side speed comparison in README.md.

The seed's script (model, data, AdamW, ReduceLROnPlateau, clip 1.0, batch 32) with one thread and
num_workers=0, as measured in the README. Import and setup are excluded from the time.
Nothing in the Swift project needs this file or PyTorch; it is here so anyone can rerun the figure:

    pip install torch
    python3 scripts/pytorch_seed_bench.py --epochs 5 --runs 3
"""
import argparse
import json
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset


def build(seed):
    torch.manual_seed(seed)
    X = torch.randn(1000, 5, 10) * torch.arange(1, 6).view(1, -1, 1)
    y = X.mean(dim=(1, 2)).unsqueeze(-1)
    X = (X - X.mean()) / X.std()
    y = (y - y.mean()) / y.std()
    loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True, num_workers=0)

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
            self.input_proj = nn.Linear(10, 64)
            layer = nn.TransformerEncoderLayer(d_model=64, nhead=4, dim_feedforward=256, batch_first=True)
            self.encoder = nn.TransformerEncoder(layer, num_layers=3)
            self.output_layer = nn.Sequential(nn.Linear(320, 128), nn.ReLU(), nn.Dropout(0.1), nn.Linear(128, 1))
            self.pos_encoder = PositionalEncoding(64)

        def forward(self, src):
            src = self.pos_encoder(self.input_proj(src) * math.sqrt(64))
            memory = self.encoder(src)
            return self.output_layer(memory.view(memory.size(0), -1))

    return loader, Regressor()


def run(epochs, seed):
    loader, model = build(seed)
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
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
