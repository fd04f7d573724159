#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Generate tests/fixtures/theta/thetaf-r.tsv: R's forecast::thetaf (forecast 8.20) on real series.

The forecasts are R's own, as ../shared/accuracy/baselines.R made them (thetaf on the points
before the last h, a ts of the series' frequency): ../shared/accuracy/forecasts/SERIES__theta.csv.
This script only copies them beside the values they were made from, for the series whose points
before the test part have no gaps (thetaf would have seen R's NA handling, Recur sees filled
values). Run from the repository's root, where ../shared/ exists:
  /usr/bin/python3 tests/make-theta-fixture.py
The output is committed, so the tests need neither R nor ../shared/.
"""
import csv, os

ACC = os.path.join("..", "shared", "accuracy")
rows = []
for s in csv.DictReader(open(os.path.join(ACC, "spec.csv"))):
    h, m = int(s["h"]), int(s["period"])
    with open(os.path.join(ACC, s["file"]), newline="", encoding="utf-8") as f:
        values = [r[s["column"]].strip() for r in csv.DictReader(f)]
    before = values[:-h]
    if any(v == "" for v in before):
        continue
    with open(os.path.join(ACC, "forecasts", s["series"] + "__theta.csv"), newline="") as f:
        forecast = [r["forecast"] for r in csv.DictReader(f)]
    assert len(forecast) == h, s["series"]
    rows.append((s["series"], m, h, ",".join(before), ",".join(forecast)))
with open(os.path.join("tests", "fixtures", "theta", "thetaf-r.tsv"), "w") as out:
    out.write("# Made by tests/make-theta-fixture.py from R forecast 8.20's thetaf; do not edit.\n")
    out.write("# series\tm\th\tvalues before the test part\tthetaf's forecast of the h after\n")
    for r in rows:
        out.write("\t".join(str(x) for x in r) + "\n")
print(len(rows), "series")
