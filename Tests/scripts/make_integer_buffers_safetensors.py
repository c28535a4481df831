"""Makes Tests/EngineTests/Resources/integer_buffers.safetensors: a PyTorch state dict that holds
integer buffers, plus one tensor of each integer and bool dtype, for the reader's integer support.

    python3 Tests/scripts/make_integer_buffers_safetensors.py      # writes the file

The model is `fc = nn.Linear(3, 2)` then `bn = nn.BatchNorm1d(2)` after torch.manual_seed(0), run
forward three times in training mode, so its state dict has `bn.num_batches_tracked` = 3 (an I64
of shape []) beside the Float parameters and running statistics. Added to it:

    index  I32  [2, 3]  [[0, -1, 2147483647], [-2147483648, 5, 6]]
    big    I64  [2]     [-2**63, 2**63 - 1]
    small  I16  [2]     [-32768, 32767]
    tiny   I8   [2]     [-128, 127]
    pixels U8   [3]     [0, 255, 7]
    mask   BOOL [4]     [True, False, False, True]

The `safetensors` package is not installed on the machines that made it, so the file is written
here by hand in the same format as `safetensors.torch.save_file`: an 8-byte little-endian header
length, a JSON header padded with spaces to a multiple of 8, then each tensor's little-endian bytes,
ordered as save_file orders them (larger element sizes first, then by name). Made on 2026-12-01 with
torch 2.15.0 and numpy 2.4.6.
"""
import json
import struct
import sys

import torch
import torch.nn as nn

DTYPES = {torch.float32: ("F32", 4), torch.int64: ("I64", 8), torch.int32: ("I32", 4),
          torch.int16: ("I16", 2), torch.int8: ("I8", 1), torch.uint8: ("U8", 1), torch.bool: ("BOOL", 1)}


def tensors():
    torch.manual_seed(0)
    model = nn.Sequential()
    model.add_module("fc", nn.Linear(3, 2))
    model.add_module("bn", nn.BatchNorm1d(2))
    model.train()
    for _ in range(3):
        model(torch.randn(4, 3))
    found = {name: t.detach().clone() for name, t in model.state_dict().items()}
    found["index"] = torch.tensor([[0, -1, 2147483647], [-2147483648, 5, 6]], dtype=torch.int32)
    found["big"] = torch.tensor([-2**63, 2**63 - 1], dtype=torch.int64)
    found["small"] = torch.tensor([-32768, 32767], dtype=torch.int16)
    found["tiny"] = torch.tensor([-128, 127], dtype=torch.int8)
    found["pixels"] = torch.tensor([0, 255, 7], dtype=torch.uint8)
    found["mask"] = torch.tensor([True, False, False, True])
    return found


def encode(found):
    order = sorted(found, key=lambda name: (-DTYPES[found[name].dtype][1], name))
    header, data = {}, b""
    for name in order:
        t = found[name].contiguous()
        dtype, _ = DTYPES[t.dtype]
        raw = t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


if __name__ == "__main__":
    path = sys.argv[1] if len(sys.argv) > 1 else "Tests/EngineTests/Resources/integer_buffers.safetensors"
    found = tensors()
    with open(path, "wb") as f:
        f.write(encode(found))
    for name, t in found.items():
        print(name, DTYPES[t.dtype][0], list(t.shape), t.flatten().tolist())
