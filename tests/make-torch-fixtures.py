#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Generate tests/fixtures/torch/ from PyTorch (Debian's python3-torch, run with /usr/bin/python3).

For every cell (rnn_tanh, rnn_relu, lstm, gru) x layers {1, 2} x bidirectional {no, yes}, plus a
no-bias and a recursive-head model, writes <name>.safetensors holding:
  rnn.* / head.*      the initial weights (PyTorch's own initialisation, torch.manual_seed)
  input [B,T,1], target [B,O]
  output [B,T,D*H]    the top layer's outputs, h_n [L*D,B,H] (and c_n for LSTM)
  prediction [B,O], loss []          MSE of the head's output
  grad.<param>        every parameter's gradient of that loss
  adam3.<param>       the weights after 3 Adam steps (lr 1e-2) on that batch, and likewise
  adamw3.*, sgd3.* (momentum 0.9, Nesterov), rmsprop3.* (momentum 0.5)
and string metadata fixture.* describing the model.

Also writes two weights files as `recur train --weights-out` would (recur.* metadata) with the
forecast PyTorch makes from them on data/air_passengers.csv (torch_written_*.json), and, given
--recur BUILD/app/recur, trains a model with Recur, loads its weights file into PyTorch with
load_state_dict(strict=True) and records PyTorch's forecast (recur_written.json).

The files are committed; CI does not need PyTorch.
"""
import argparse
import csv
import json
import os
import struct
import subprocess
import sys

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures", "torch")
DATA = os.path.join(HERE, "..", "data")


def write_safetensors(path, tensors, metadata):
    """Hugging Face safetensors: u64 LE header length, JSON header, raw F32 LE data."""
    header = {"__metadata__": metadata}
    blobs, offset = [], 0
    for name, t in tensors.items():
        t = t.detach().to(torch.float32).contiguous()
        data = t.numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - (8 + len(text)) % 8) % 8)
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)
    os.replace(path + ".tmp", path)


def read_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, info in header.items():
        assert info["dtype"] == "F32", info
        b, e = info["data_offsets"]
        flat = torch.frombuffer(bytearray(data[b:e]), dtype=torch.float32)
        tensors[name] = flat.reshape(info["shape"]).clone()
    return tensors, meta


class Net(nn.Module):
    """An nn.RNN/LSTM/GRU with a linear head on the top layer's h_n, as Recur builds it."""

    def __init__(self, cell, hidden, layers, bidirectional, bias, outputs, inputs=1):
        super().__init__()
        kw = dict(input_size=inputs, hidden_size=hidden, num_layers=layers, batch_first=True,
                  bidirectional=bidirectional, bias=bias)
        if cell.startswith("rnn_"):
            self.rnn = nn.RNN(nonlinearity=cell[4:], **kw)
        else:
            self.rnn = {"lstm": nn.LSTM, "gru": nn.GRU}[cell](**kw)
        self.directions = 2 if bidirectional else 1
        self.head = nn.Linear(self.directions * hidden, outputs)
        self.cell = cell

    def forward(self, x):
        out, state = self.rnn(x)
        h_n = state[0] if self.cell == "lstm" else state
        top = h_n[-self.directions:]                       # [D, B, H]
        features = torch.cat(list(top), dim=1)              # forward at T-1, reverse at 0
        return self.head(features), out, state


def make_case(name, cell, layers, bidirectional, bias=True, strategy="direct", seed=0, inputs=1):
    H, T, B, horizon = 5, 7, 3, 2
    outputs = horizon if strategy == "direct" else 1
    torch.manual_seed(seed)
    net = Net(cell, H, layers, bidirectional, bias, outputs, inputs)
    init = {k: v.detach().clone() for k, v in net.state_dict().items()}
    g = torch.Generator().manual_seed(seed + 100)
    x = torch.randn(B, T, inputs, generator=g)
    y = torch.randn(B, outputs, generator=g)

    pred, out, state = net(x)
    loss = nn.functional.mse_loss(pred, y)
    net.zero_grad()
    loss.backward()
    tensors = dict(init)
    tensors["input"] = x
    tensors["target"] = y
    tensors["output"] = out
    if cell == "lstm":
        tensors["h_n"], tensors["c_n"] = state
    else:
        tensors["h_n"] = state
    tensors["prediction"] = pred
    tensors["loss"] = loss.reshape(())
    for k, p in net.named_parameters():
        tensors["grad." + k] = p.grad.detach().clone()  # zero_grad() reuses it

    optimisers = {
        "adam3": lambda ps: torch.optim.Adam(ps, lr=1e-2),
        "adamw3": lambda ps: torch.optim.AdamW(ps, lr=1e-2, weight_decay=0.01),
        "sgd3": lambda ps: torch.optim.SGD(ps, lr=1e-2, momentum=0.9, nesterov=True),
        "rmsprop3": lambda ps: torch.optim.RMSprop(ps, lr=1e-3, momentum=0.5),
    }
    for prefix, make in optimisers.items():
        net.load_state_dict(init)
        opt = make(net.parameters())
        for _ in range(3):
            opt.zero_grad()
            nn.functional.mse_loss(net(x)[0], y).backward()
            opt.step()
        for k, v in net.state_dict().items():
            tensors[prefix + "." + k] = v.detach().clone()  # load_state_dict() overwrites it

    meta = {"fixture.cell": cell, "fixture.hidden_size": str(H), "fixture.num_layers": str(layers),
            "fixture.bidirectional": str(bidirectional).lower(), "fixture.bias": str(bias).lower(),
            "fixture.window": str(T), "fixture.horizon": str(horizon), "fixture.strategy": strategy,
            "fixture.batch": str(B), "torch.version": torch.__version__}
    if inputs != 1:
        meta["fixture.input_size"] = str(inputs)
    write_safetensors(os.path.join(OUT, name + ".safetensors"), tensors, meta)
    return name


def load_column(path, column):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return [float(r[column]) for r in rows], rows[-1]["date"]


def torch_forecast(net, strategy, window, horizon, values, center, scale):
    """The documented recipe: last `window` values scaled, h0 = 0, unscale the outputs."""
    hist = [(v - center) / scale for v in values[-window:]]
    out = []
    with torch.no_grad():
        if strategy == "direct":
            x = torch.tensor(hist, dtype=torch.float32).reshape(1, window, 1)
            out = net(x)[0][0, :horizon].tolist()
        else:
            for _ in range(horizon):
                x = torch.tensor(hist, dtype=torch.float32).reshape(1, window, 1)
                v = float(net(x)[0][0, 0])
                out.append(v)
                hist = hist[1:] + [v]
    return [o * scale + center for o in out]


def spec_from_metadata(meta):
    outputs = int(meta["recur.horizon"]) if meta["recur.strategy"] == "direct" else 1
    return Net(meta["recur.cell"], int(meta["recur.hidden_size"]), int(meta["recur.num_layers"]),
               meta["recur.bidirectional"] == "true", meta["recur.bias"] == "true", outputs)


def make_torch_written(name, cell, hidden, layers, bidirectional, strategy, window, horizon, seed):
    values, last = load_column(os.path.join(DATA, "air_passengers.csv"), "passengers_thousands")
    train = values[: int(len(values) * 0.8)]
    center = sum(train) / len(train)
    scale = (sum((v - center) ** 2 for v in train) / len(train)) ** 0.5
    torch.manual_seed(seed)
    outputs = horizon if strategy == "direct" else 1
    net = Net(cell, hidden, layers, bidirectional, True, outputs).eval()
    meta = {"recur.cell": cell, "recur.input_size": "1", "recur.hidden_size": str(hidden),
            "recur.num_layers": str(layers), "recur.bidirectional": str(bidirectional).lower(),
            "recur.bias": "true", "recur.dropout": "0", "recur.window": str(window),
            "recur.horizon": str(horizon), "recur.strategy": strategy, "recur.scaler": "zscore",
            "recur.scaler_center": repr(center), "recur.scaler_scale": repr(scale),
            "recur.column": "passengers_thousands", "recur.frequency": "monthly",
            "recur.last_timestamp": last, "recur.seed": str(seed), "recur.version": "torch"}
    write_safetensors(os.path.join(OUT, name + ".safetensors"), net.state_dict(), meta)
    forecast = torch_forecast(net, strategy, window, horizon, values, center, scale)
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump({"csv": "air_passengers.csv", "forecast": forecast}, f, indent=1)


def make_recur_written(recur):
    """Recur writes the weights; PyTorch must take them as they are and forecast the same."""
    path = os.path.join(OUT, "recur_written.safetensors")
    subprocess.run([recur, "train", os.path.join(DATA, "air_passengers.csv"), "--model", "gru",
                    "--hidden", "8", "--layers", "2", "--bidirectional", "--window", "24",
                    "--horizon", "12", "--epochs", "5", "--quiet", "--weights-out", path],
                   check=True, stdout=subprocess.DEVNULL)
    tensors, meta = read_safetensors(path)
    net = spec_from_metadata(meta).eval()
    net.load_state_dict(tensors, strict=True)
    values, _ = load_column(os.path.join(DATA, "air_passengers.csv"), meta["recur.column"])
    forecast = torch_forecast(net, meta["recur.strategy"], int(meta["recur.window"]),
                              int(meta["recur.horizon"]), values,
                              float(meta["recur.scaler_center"]), float(meta["recur.scaler_scale"]))
    with open(os.path.join(OUT, "recur_written.json"), "w") as f:
        json.dump({"csv": "air_passengers.csv", "forecast": forecast}, f, indent=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--recur", help="path to a built recur binary (for recur_written.*)")
    a = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(1)
    names = []
    seed = 0
    for cell in ("rnn_tanh", "rnn_relu", "lstm", "gru"):
        for layers in (1, 2):
            for bidir in (False, True):
                seed += 1
                names.append(make_case(f"{cell}_l{layers}_{'bi' if bidir else 'uni'}", cell, layers,
                                       bidir, seed=seed))
    for cell in ("lstm", "gru"):
        seed += 1
        names.append(make_case(f"{cell}_nobias_recursive", cell, 2, True, bias=False,
                               strategy="recursive", seed=seed))
    # a target and covariates: input_size > 1 (recur train --inputs, --calendar)
    for cell, layers, bidir in (("rnn_tanh", 2, False), ("lstm", 2, True), ("gru", 1, False)):
        seed += 1
        names.append(make_case(f"{cell}_l{layers}_{'bi' if bidir else 'uni'}_inputs3", cell,
                               layers, bidir, seed=seed, inputs=3))
    with open(os.path.join(OUT, "cases.txt"), "w") as f:
        f.write("\n".join(names) + "\n")
    make_torch_written("torch_written_lstm", "lstm", 8, 2, True, "direct", 24, 12, 7)
    make_torch_written("torch_written_gru", "gru", 6, 1, False, "recursive", 12, 6, 8)
    if a.recur:
        make_recur_written(a.recur)
    print(f"wrote {len(names)} parity cases to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
