#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""`recur export --onnx`: every graph passes Debian's python3-onnx checker (full check, with
shape inference), and ONNX Runtime (npm's onnxruntime-node, when build-aux/test could install
it) runs it on held-back windows to what `recur forecast` gives from the same weights, within
1e-4 relative. Settings the graph cannot express are refused naming them. TAP output.

Environment: RECUR_BIN, the built recur; G_TEST_SRCDIR, tests/ (the bundled series are in
../data); ONNXRUNTIME_NODE_MODULES, a node_modules folder holding onnxruntime-node (absent: the
runtime checks are skipped, saying so).
"""
import csv, json, os, shutil, subprocess, sys, tempfile

RECUR = os.environ["RECUR_BIN"]
DATA = os.path.join(os.environ.get("G_TEST_SRCDIR", os.path.dirname(__file__) + "/.."), "..",
                    "data")
NODE_MODULES = os.environ.get("ONNXRUNTIME_NODE_MODULES", "")
RUNNER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "run-onnx.js")
TMP = tempfile.mkdtemp(prefix="recur-onnx-")

# name, CSV, recur train options
CASES = [
    ("lstm-direct", "air_passengers.csv", ["--model", "lstm", "--epochs", "8"]),
    ("gru-two-layers-bidirectional", "nottingham_temperature.csv",
     ["--model", "gru", "--layers", "2", "--bidirectional", "--epochs", "4"]),
    ("rnn-relu-recursive-no-bias", "air_passengers.csv",
     ["--model", "rnn-relu", "--strategy", "recursive", "--no-bias", "--epochs", "6",
      "--horizon", "5"]),
    ("rnn-tanh-box-cox-differenced", "air_passengers.csv",
     ["--model", "rnn", "--box-cox", "given", "--lambda", "0", "--difference",
      "--window-norm", "none", "--epochs", "6"]),
    ("gru-first-and-seasonal-differences", "air_passengers.csv",
     ["--model", "gru", "--difference", "--seasonal-difference", "--epochs", "4"]),
    ("rnn-recursive-seasonal-difference-box-cox-past-a-season", "air_passengers.csv",
     ["--model", "rnn", "--strategy", "recursive", "--seasonal-difference", "--box-cox", "auto",
      "--epochs", "4", "--horizon", "18"]),
    ("lstm-box-cox-half-minmax-last", "gold_price.csv",
     ["--model", "lstm", "--box-cox", "given", "--lambda", "0.5", "--scale", "minmax",
      "--window-norm", "last", "--epochs", "3", "--horizon", "7"]),
    # the default with Theta's average turned off (it smooths the whole history, not a window)
    ("auto-default-theta-none", "air_passengers.csv", ["--theta", "none"]),
    ("esn-ensemble-member-windows", "nottingham_temperature.csv",
     ["--model", "esn", "--ensemble", "4", "--ensemble-windows", "12,24"]),
    ("gru-with-input-columns", "eu_stock_markets.csv",
     ["--column", "ftse", "--inputs", "dax,cac", "--model", "gru", "--epochs", "3",
      "--horizon", "5"]),
    ("gru-ensemble-member-windows-inputs-box-cox-differenced", "eu_stock_markets.csv",
     ["--column", "ftse", "--inputs", "dax,smi", "--model", "gru", "--ensemble", "3",
      "--ensemble-windows", "8,16", "--window", "16", "--epochs", "3", "--horizon", "5",
      "--box-cox", "auto", "--difference"]),
    ("lstm-recursive-forecasting-its-inputs", "eu_stock_markets.csv",
     ["--column", "cac", "--inputs", "dax,ftse", "--model", "lstm", "--strategy", "recursive",
      "--epochs", "3", "--horizon", "6", "--window-norm", "last"]),
    ("esn-with-input-columns", "eu_stock_markets.csv",
     ["--column", "smi", "--inputs", "dax", "--model", "esn", "--horizon", "5"]),
]

REFUSED = [
    ("jordan", "air_passengers.csv", ["--model", "jordan", "--epochs", "2"], "--model jordan"),
    ("clockwork", "air_passengers.csv", ["--model", "clockwork", "--epochs", "2"],
     "--model clockwork"),
    ("calendar", "air_passengers.csv", ["--model", "gru", "--calendar", "--epochs", "2"],
     "--calendar"),
    ("deseasonalise", "air_passengers.csv", ["--model", "gru", "--deseasonalise", "--epochs", "2"],
     "--deseasonalise"),
    ("theta", "air_passengers.csv", ["--model", "esn", "--theta", "average"], "--theta average"),
    # the default averages with Theta on this series: refused the same way
    ("auto-default", "air_passengers.csv", [], "--theta average"),
]

n_test = 0
failed = False


def ok(passed, name, note=""):
    global n_test, failed
    n_test += 1
    failed |= not passed
    note = " / ".join(note.splitlines())  # a TAP line is one line
    print("%sok %d - %s%s" % ("" if passed else "not ", n_test, name,
                               " # " + note if note else ""), flush=True)


def run(*args):
    return subprocess.run([RECUR] + list(args), capture_output=True, text=True)


def read_rows(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))


def runtime_forecast(model, windows):
    with open(os.path.join(TMP, "in.json"), "w") as f:
        json.dump({"dims": [len(windows), len(windows[0]), len(windows[0][0])],
                   "data": [v for w in windows for row in w for v in row]}, f)
    out = subprocess.run(["node", RUNNER, model, os.path.join(TMP, "in.json")],
                         capture_output=True, text=True,
                         env=dict(os.environ, NODE_PATH=NODE_MODULES))
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    r = json.loads(out.stdout)
    h = r["dims"][1]
    return [r["data"][i * h:(i + 1) * h] for i in range(r["dims"][0])]


def check_case(name, csv_name, options):
    path = os.path.join(DATA, csv_name)
    weights = os.path.join(TMP, name + ".safetensors")
    onnx_path = os.path.join(TMP, name + ".onnx")
    t = run("train", path, "--quiet", "--weights-out", weights, *options)
    if t.returncode != 0:
        ok(False, name + ": trains", t.stderr.strip())
        return
    e = run("export", weights, "--onnx", onnx_path)
    ok(e.returncode == 0, name + ": exports", e.stderr.strip())
    if e.returncode != 0:
        return
    import onnx
    model = onnx.load(onnx_path)
    try:
        onnx.checker.check_model(model, full_check=True)
        ok(True, name + ": onnx.checker (full)")
    except Exception as err:  # the checker's own exceptions
        ok(False, name + ": onnx.checker (full)", str(err).splitlines()[0])
    meta = {p.key: p.value for p in model.metadata_props}
    length = int(meta["recur.window_length"])
    column = meta["recur.column"]
    inputs = [c for c in meta["recur.inputs"].split(",") if c]
    if not NODE_MODULES or not os.path.isdir(os.path.join(NODE_MODULES, "onnxruntime-node")):
        ok(True, name + ": ONNX Runtime agrees with recur forecast",
           "SKIP onnxruntime-node is not installed (build-aux/test installs it with npm)")
        return
    rows = read_rows(path)
    header, body = rows[0], rows[1:]
    cols = [header.index(c) for c in [column] + inputs]
    # held-back windows: the data cut at 6 points from 80 % of the way to the end, each window
    # complete (the graph reads values as they are; recur forecast fills gaps first)
    def complete(end):
        return all(r[c] != "" for r in body[end - length:end] for c in cols)
    ends = sorted({e for e in (int(len(body) * (0.8 + 0.01 * k)) for k in range(21))
                   if complete(e)})[::3][:6]
    windows, expected = [], []
    for end in ends:
        cut = os.path.join(TMP, "cut.csv")
        with open(cut, "w", newline="") as f:
            csv.writer(f).writerows([header] + body[:end])
        f = run("forecast", "--weights", weights, cut, "--json")
        if f.returncode != 0:
            ok(False, name + ": recur forecast", f.stderr.strip())
            return
        expected.append([p["value"] for p in json.loads(f.stdout)])
        windows.append([[float(r[c]) for c in cols] for r in body[end - length:end]])
    got = runtime_forecast(onnx_path, windows)
    worst = max(abs(g - w) / max(abs(w), 1e-6)
                for gs, ws in zip(got, expected) for g, w in zip(gs, ws))
    ok(worst <= 1e-4, name + ": ONNX Runtime agrees with recur forecast on %d windows" % len(ends),
       "worst relative difference %.2g" % worst)


def check_refused(name, csv_name, options, said):
    weights = os.path.join(TMP, name + ".safetensors")
    t = run("train", os.path.join(DATA, csv_name), "--quiet", "--weights-out", weights, *options)
    e = run("export", weights, "--onnx", os.path.join(TMP, name + ".onnx"))
    ok(t.returncode == 0 and e.returncode == 1 and said in e.stderr
       and not os.path.exists(os.path.join(TMP, name + ".onnx")),
       "refused: " + name, e.stderr.strip())


def main():
    try:
        import onnx  # noqa: F401
    except ImportError:
        print("1..0 # SKIP python3-onnx is not installed (build-aux/install-deps test installs it)")
        return 0
    print("1..%d" % (len(CASES) * 3 + len(REFUSED) + 1), flush=True)
    for case in CASES:
        check_case(*case)
    for case in REFUSED:
        check_refused(*case)
    u = run("export", os.path.join(TMP, "none.safetensors"))
    ok(u.returncode == 2 and "--onnx" in u.stderr, "usage: --onnx is required", u.stderr.strip())
    shutil.rmtree(TMP)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
