"""Makes Tests/EngineTests/Resources/small_regressor.safetensors and small_regressor_io.safetensors.

The seed's model (seed_train.py's PositionalEncoding and TransformerEncoderRegressor, copied below
with the sizes as parameters) at the small size of reference key l: d_model 8, 2 heads,
feed-forward 16, 3 layers, hidden 16 (input 10, sequence 5, output 1, max_len 5000 as the seed).

    python3 Tests/scripts/make_small_regressor_safetensors.py           # writes the two files
    python3 Tests/scripts/make_small_regressor_safetensors.py --check F # loads a file written by Swift

- small_regressor.safetensors: `save_file(model.state_dict(), ...)` after torch.manual_seed(0):
  every parameter plus the buffer pos_encoder.pe [1, 5000, 8].
- small_regressor_io.safetensors: `input` [3, 5, 10] with input[i] = sin(0.37 i) (flat index i),
  `output_eval` = model(input) in eval mode, and `output_train_p0`, the same in training mode with
  every dropout set to p = 0 (equal to the eval output, as a check that train mode adds nothing else).

--check F loads a safetensors file that the Swift side wrote (the test
`savedFileLoadsInPyTorch` writes one when NN_EXPORT_SAFETENSORS=path is set; its metadata holds
the Swift model's eval output on the same input) into a fresh PyTorch model with strict
load_state_dict and compares the outputs.

Checked by hand on 2026-11-29 (torch 2.15.0, safetensors 0.8.0):
    NN_EXPORT_SAFETENSORS=/tmp/swift_small.safetensors swift test --filter savedFileLoadsInPyTorch
    python3 Tests/scripts/make_small_regressor_safetensors.py --check /tmp/swift_small.safetensors
printed "strict load_state_dict: OK" and max |PyTorch - Swift| = 1.05e-07 on the three outputs
(PyTorch [0.12374191, 0.19653676, 0.32206631], Swift [0.12374191, 0.19653666, 0.32206628]).
PyTorch runs the eval forward through its fused "fast path" there, and it still agrees.
"""
import math
import sys

import torch
import torch.nn as nn
from safetensors import safe_open
from safetensors.torch import load_file, save_file

input_dim, seq_length, d_model, nhead, dim_feedforward, hidden, num_layers = 10, 5, 8, 2, 16, 16, 3


class PositionalEncoding(nn.Module):
    def __init__(self, d_model: int, dropout: float = 0.1, max_len: int = 5000):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)
        position = torch.arange(max_len).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, d_model)
        pe[:, 0::2] = torch.sin(position * div_term)
        pe[:, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe.unsqueeze(0))

    def forward(self, x):
        x = x + self.pe[:, : x.size(1), :]
        return self.dropout(x)


class TransformerEncoderRegressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.input_proj = nn.Linear(input_dim, d_model)
        encoder_layer = nn.TransformerEncoderLayer(
            d_model=d_model, nhead=nhead, dim_feedforward=dim_feedforward, batch_first=True
        )
        self.encoder = nn.TransformerEncoder(encoder_layer, num_layers=num_layers)
        self.output_layer = nn.Sequential(
            nn.Linear(d_model * seq_length, hidden), nn.ReLU(), nn.Dropout(0.1), nn.Linear(hidden, 1)
        )
        self.pos_encoder = PositionalEncoding(d_model, dropout=0.1)

    def forward(self, src):
        src = self.input_proj(src) * math.sqrt(d_model)
        src = self.pos_encoder(src)
        memory = self.encoder(src)
        flattened = memory.view(memory.size(0), -1)
        return self.output_layer(flattened)


def fixed_input():
    n = 3 * seq_length * input_dim
    return torch.tensor([math.sin(0.37 * i) for i in range(n)], dtype=torch.float32).view(3, seq_length, input_dim)


def eval_output(model, x):
    model.eval()
    with torch.no_grad():
        return model(x)


def make(directory):
    torch.manual_seed(0)
    model = TransformerEncoderRegressor()
    save_file(model.state_dict(), f"{directory}/small_regressor.safetensors")
    x = fixed_input()
    out_eval = eval_output(model, x)
    model.train()
    for m in model.modules():
        if isinstance(m, nn.Dropout):
            m.p = 0.0
        if isinstance(m, nn.MultiheadAttention):
            m.dropout = 0.0
    with torch.no_grad():
        out_train = model(x)
    save_file({"input": x, "output_eval": out_eval.contiguous(), "output_train_p0": out_train.contiguous()},
              f"{directory}/small_regressor_io.safetensors")
    print("outputs:", out_eval.flatten().tolist())


def check(path):
    model = TransformerEncoderRegressor()
    model.load_state_dict(load_file(path), strict=True)
    print("strict load_state_dict: OK")
    with safe_open(path, "pt") as f:
        swift = [float(v) for v in f.metadata()["eval_output"].split(",")]
    ours = eval_output(model, fixed_input()).flatten().tolist()
    print("PyTorch:", ours)
    print("Swift:  ", swift)
    print("max |PyTorch - Swift|:", max(abs(a - b) for a, b in zip(ours, swift)))


if __name__ == "__main__":
    torch.set_num_threads(1)
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        check(sys.argv[2])
    else:
        make("Tests/EngineTests/Resources")
