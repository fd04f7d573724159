#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""PyTorch training of the shapes `recur bench` times: nn.RNN/LSTM/GRU(batch_first=True) +
Linear(H, 1) on the same synthetic series (two sines plus noise, 4,096 points, z-scored),
windows of length T predicting the next value, MSE, Adam 1e-3, shuffled minibatches of B.
Epoch 0 warms up; the median of the timed epochs is reported; inference is timed over all
windows in minibatches of B. Prints one JSON object. Run with Debian's /usr/bin/python3."""
import argparse, json, math, resource, statistics, time

import numpy as np
import torch
import torch.nn as nn


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cell", required=True)
    p.add_argument("--hidden", type=int, required=True)
    p.add_argument("--layers", type=int, required=True)
    p.add_argument("--window", type=int, required=True)
    p.add_argument("--batch", type=int, required=True)
    p.add_argument("--windows", type=int, required=True)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    n = a.windows + a.window + 1
    rng = np.random.default_rng(0)
    t = np.arange(max(n, 4096), dtype=np.float64)
    x = np.sin(2 * np.pi * t / 50) + 0.5 * np.sin(2 * np.pi * t / 17) + 0.1 * rng.standard_normal(len(t))
    x = ((x - x.mean()) / x.std()).astype(np.float32)[:n]
    idx = np.arange(a.windows)[:, None] + np.arange(a.window)[None, :]
    X = torch.from_numpy(x[idx].copy()).unsqueeze(-1)
    Y = torch.from_numpy(x[np.arange(a.windows) + a.window].copy()).unsqueeze(-1)
    cls = {"rnn_tanh": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[a.cell]
    rnn = cls(input_size=1, hidden_size=a.hidden, num_layers=a.layers, batch_first=True)
    head = nn.Linear(a.hidden, 1)
    params = list(rnn.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=1e-3)

    def forward(xb):
        out, _ = rnn(xb)
        return head(out[:, -1, :])

    def epoch():
        perm = torch.randperm(a.windows)
        total = 0.0
        for s in range(0, a.windows, a.batch):
            bi = perm[s:s + a.batch]
            opt.zero_grad(set_to_none=True)
            loss = nn.functional.mse_loss(forward(X[bi]), Y[bi])
            loss.backward()
            opt.step()
            total += loss.item() * len(bi)
        return total / a.windows

    epoch()
    times, loss = [], 0.0
    for _ in range(a.epochs):
        t0 = time.perf_counter()
        loss = epoch()
        times.append(time.perf_counter() - t0)
    with torch.no_grad():
        best = math.inf
        for _ in range(3):
            t0 = time.perf_counter()
            for s in range(0, a.windows, a.batch):
                forward(X[s:s + a.batch])
            best = min(best, time.perf_counter() - t0)
    spe = statistics.median(times)
    print(json.dumps({"train_windows_per_second": a.windows / spe,
                      "forecast_windows_per_second": a.windows / best,
                      "final_loss": loss, "threads": a.threads,
                      "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    main()
