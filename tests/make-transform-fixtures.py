#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Generate tests/fixtures/transform/guerrero.tsv: reference values for Guerrero's Box-Cox λ.

R is not installed on the machine this was made on, so the reference is an implementation of
Guerrero's criterion written apart from engine/data/recur-transform.c, from its definition in
R's forecast package (forecast:::guer.cv, used by BoxCox.lambda(x, method = "guerrero")):

  p = max(2, frequency); the last floor(n/p)*p values as floor(n/p) consecutive blocks of p;
  per block r_j = sd_j / mean_j^(1 - lambda) (sample sd); cv(lambda) = sd(r) / mean(r);
  lambda = the minimiser of cv over [-1, 2]; BoxCox.lambda returns 1 when n <= 2*frequency.

It uses Python's `statistics` module (exact-sum means and variances) and finds the minimum by a
different method from R's and Recur's Brent: a grid of step 1e-3 over [-1, 2], then golden-section
search on the two grid cells around the best point, to an interval of 1e-12. So `lambda` here
is the true minimiser, and R's optimize() stops within its tolerance (DBL_EPSILON^0.25 ~ 1.2e-4)
of it: the test compares the criterion to 1e-12 and lambda to that tolerance.

Run from the repository's root: /usr/bin/python3 tests/make-transform-fixtures.py
Needs only the standard library; the output is committed, so the tests do not need Python.
"""
import csv
import math
import os
import statistics

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fixtures", "transform", "guerrero.tsv")

# (file in data/, column, frequency m, number of leading rows used as the "training part")
CASES = [
    ("air_passengers.csv", "passengers_thousands", 12, 144),
    ("air_passengers.csv", "passengers_thousands", 12, 120),
    ("air_passengers.csv", "passengers_thousands", 1, 144),
    ("air_passengers.csv", "passengers_thousands", 4, 97),
    ("air_passengers.csv", "passengers_thousands", 12, 24),   # n <= 2m: 1
    ("nottingham_temperature.csv", "mean_temp_f", 12, 240),
    ("nottingham_temperature.csv", "mean_temp_f", 12, 203),
    ("eu_stock_markets.csv", "dax", 5, 1860),
    ("eu_stock_markets.csv", "smi", 5, 1500),
    ("eu_stock_markets.csv", "cac", 1, 1860),
    ("eu_stock_markets.csv", "ftse", 5, 1830),
]
CV_LAMBDAS = [-1.0, -0.5, 0.0, 0.5, 1.0, 2.0]


def read_column(name, column):
    with open(os.path.join(ROOT, "data", name), newline="") as f:
        return [float(row[column]) for row in csv.DictReader(f)]


def guer_cv(lam, x, m):
    p = max(2, m)
    blocks = len(x) // p
    tail = x[len(x) - blocks * p:]
    ratios = []
    for j in range(blocks):
        block = tail[j * p:(j + 1) * p]
        ratios.append(statistics.stdev(block) / statistics.fmean(block) ** (1 - lam))
    return statistics.stdev(ratios) / statistics.fmean(ratios)


def minimise(f, lower, upper):
    steps = 3000
    grid = [lower + (upper - lower) * i / steps for i in range(steps + 1)]
    values = [f(g) for g in grid]
    best = min(range(len(grid)), key=lambda i: values[i])
    a = grid[max(best - 1, 0)]
    b = grid[min(best + 1, steps)]
    ratio = (math.sqrt(5) - 1) / 2
    c = b - ratio * (b - a)
    d = a + ratio * (b - a)
    fc, fd = f(c), f(d)
    while b - a > 1e-12:
        if fc <= fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = f(d)
    return (a + b) / 2


def main():
    lines = [
        "# Made by tests/make-transform-fixtures.py (read it for the method); do not edit.",
        "# file\tcolumn\tm\tn\tlambda\t" + "\t".join("cv(%g)" % l for l in CV_LAMBDAS),
    ]
    for name, column, m, n in CASES:
        x = read_column(name, column)[:n]
        assert len(x) == n and min(x) > 0
        if n <= 2 * m:
            lam = 1.0
        else:
            lam = minimise(lambda l: guer_cv(l, x, m), -1.0, 2.0)
        cvs = [guer_cv(l, x, m) for l in CV_LAMBDAS]
        lines.append("\t".join([name, column, str(m), str(n), repr(lam)] + [repr(v) for v in cvs]))
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT + ".tmp", "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(OUT + ".tmp", OUT)


if __name__ == "__main__":
    main()
