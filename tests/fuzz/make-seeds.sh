#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Regenerates the fuzz targets' seeds in tests/fixtures/fuzz/TARGET/seed-* from a built recur:
#   tests/fuzz/make-seeds.sh build/app/recur
# Each seed is a small valid input of its target (a CSV, a weights file of every cell, a run
# configuration of every cell, a project folder, sweep specs), so the fuzzer starts from inputs
# that reach deep into each parser. Both this script and its output are committed.
set -eu
recur=$(realpath "$1")
cd "$(dirname "$0")/../.."
out=tests/fixtures/fuzz
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p $out/csv $out/weights $out/config $out/project $out/sweep
rm -f $out/*/seed-*

# csv: a first byte of options (bit 0: the last column by name; bits 1-2: missing policy;
# bit 3: minmax), then the file
i=0
for f in tests/fixtures/csv/* data/*.csv; do
  for opt in '\000' '\013'; do
    { printf "$opt"; head -n 40 "$f"; } > $out/csv/seed-$(basename "$f" | tr . -)-$i
    i=$((i + 1))
  done
done

# a short monthly series every model below trains on in a blink
head -n 61 data/air_passengers.csv > "$tmp/short.csv"

# weights and configurations of every cell
for m in rnn rnn-relu lstm gru jordan esn clockwork; do
  extra="--hidden 4"
  case $m in
    esn) extra="--reservoir 8 --washout 4" ;;
    clockwork) extra="--hidden 4 --periods 1,2" ;;
    lstm) extra="--hidden 3 --layers 2 --bidirectional" ;;
  esac
  "$recur" train "$tmp/short.csv" --model $m $extra --window 8 --horizon 3 --epochs 2 --quiet \
    --weights-out $out/weights/seed-$m.safetensors > /dev/null
  "$recur" sweep "$tmp/short.csv" --model $m $extra --window 8 --horizon 3 --epochs 1 \
    --grid seed=1 --quiet --json-out "$tmp/$m.json" > /dev/null
  /usr/bin/python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))[0]["config"], indent=1))' \
    "$tmp/$m.json" > $out/config/seed-$m.json
done
printf '{"hidden": 32, "lr": 0.003}' > $out/config/seed-swept.json

# weights and a configuration with every transform and Theta's average: an ensemble of two
# reservoirs, as the default makes (five there)
"$recur" train "$tmp/short.csv" --model esn --reservoir 8 --washout 4 --box-cox auto --deseasonalise \
  --difference --window-norm last --theta average --ensemble 2 --window 8 --horizon 3 --quiet \
  --weights-out $out/weights/seed-transforms.safetensors --summary-out "$tmp/transforms.json" \
  > /dev/null
/usr/bin/python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["config"], indent=1))' \
  "$tmp/transforms.json" > $out/config/seed-transforms.json

# weights and a configuration with input columns and calendar features
head -n 61 data/eu_stock_markets.csv > "$tmp/stocks.csv"
"$recur" train "$tmp/stocks.csv" --column ftse --inputs dax,cac --calendar --model gru --hidden 4 \
  --window 8 --horizon 3 --epochs 2 --quiet --weights-out $out/weights/seed-inputs.safetensors \
  --summary-out "$tmp/inputs.json" > /dev/null
/usr/bin/python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["config"], indent=1))' \
  "$tmp/inputs.json" > $out/config/seed-inputs.json

# a project with two finished runs, its CSV inside it
"$recur" sweep "$tmp/short.csv" --grid hidden=2,3 --window 8 --horizon 3 --epochs 3 \
  --project "$tmp/p.recur" --quiet > /dev/null
cp "$tmp/short.csv" "$tmp/p.recur/data.csv"
"$recur" project relocate "$tmp/p.recur" "$tmp/p.recur/data.csv" > /dev/null
(
  cd "$tmp/p.recur"
  for f in project.json data.csv run-*/config.json run-*/history.json run-*/result.json \
           run-*/best.safetensors; do
    printf '=== %s\n' "$f"
    cat "$f"
    printf '\n'
  done
  # and a third run, killed while it trained: its configuration and the epochs it logged
  printf '=== run-0003/config.json\n'
  sed 's/"hidden=2"/"hidden=4"/' run-0001/config.json
  printf '\n=== run-0003/history.log\n'
  printf '{"epoch":1,"train_loss":0.81,"val_loss":0.64,"lr":0.003,"grad_norm":1.5,"seconds":0.002}\n'
  printf '{"epoch":2,"train_loss":0.52,"val_loss":null,"lr":0.003,"grad_norm":1.1,"seconds":0.004}\n'
  printf '{"epoch":3,"train_loss":0.4'
  printf '\n'
) > $out/project/seed-two-runs

# sweep specs: a first byte (bit 0: random samples, the rest their count), one spec per line
printf '\000hidden=16,32,64\nlr=1e-3:1e-1:log:5' > $out/sweep/seed-grid
printf '\000model=lstm,gru\nbidirectional=true,false' > $out/sweep/seed-choices
printf '\000dropout=0:0.5:6' > $out/sweep/seed-range
printf '\050lr=1e-4:1e-1:log\nhidden=8:128:int' > $out/sweep/seed-random
printf '\011dropout=0:0.5\nmodel=lstm,gru' > $out/sweep/seed-random-choices
ls $out/*/seed-* | wc -l
