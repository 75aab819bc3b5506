#!/usr/bin/env bash
# HTTP load benchmark: POST /infer (LyftServing's HTTP endpoint) against hand-written endpoints for
# the same models, in one Release process, with wrk on loopback, at 1 and 16 connections:
#   driver_eta   (C# model code)       /infer against /bare (minimal API binding, direct call);
#   tabular_mlp, bench_mlp (zero-code onnx runtime)
#                                      /infer against /handwritten (JsonDocument, float[],
#                                      OrtValue, Utf8JsonWriter: the leanest hand-written endpoint),
#                                      and /v2/models/{model}/infer (the Open Inference Protocol,
#                                      bodies/{model}.oip.json: the same row as a named FP32 tensor);
#   trip_risk (zero-code lightgbm runtime)
#                                      /infer against /handwritten (JsonDocument, double[],
#                                      LGBM_BoosterPredictForMat, Utf8JsonWriter);
#   tabular_mlp_torchscript (zero-code torchscript runtime, the sample TorchScript model)
#                                      /infer against /handwritten-torchscript (the same with
#                                      TorchSharp: a tensor, forward in inference mode).
# Each (model, endpoint, connections) row is measured REPEATS times (default 3), every endpoint of
# a repeat one after the other so all see the same background load, and the medians are reported.
# Bounded: DURATION seconds per run (default 5), the server under a timeout. Prints a Markdown
# table; with -o FILE also writes it there. Not part of `dotnet test`.
#
# Usage: tests/LyftServing.AspNetCore.Benchmarks/run.sh [-d seconds] [-r repeats] [-m "models"] [-o RESULTS.md]
set -euo pipefail
cd "$(dirname "$0")"
repo=$(cd ../.. && pwd)
duration=5
repeats=3
models="tabular_mlp bench_mlp driver_eta trip_risk tabular_mlp_torchscript"
out=""
while getopts "d:r:m:o:" opt; do
  case $opt in
    d) duration=$OPTARG ;;
    r) repeats=$OPTARG ;;
    m) models=$OPTARG ;;
    o) out=$OPTARG ;;
    *) exit 2 ;;
  esac
done

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
port=5090
url="http://127.0.0.1:$port"
baseline() { case "$1" in driver_eta) echo /bare ;; *_torchscript) echo /handwritten-torchscript ;; *) echo /handwritten ;; esac; }
# The endpoints measured for a model: its baseline, /infer, and the protocol's infer where a body is written for it.
endpoints() { echo "$(baseline "$1") /infer"; [ -f "bodies/$1.oip.json" ] && echo "/v2/models/$1/infer" || true; }
count=$(wc -w <<<"$models")

dotnet build -c Release --nologo -v q . >/dev/null
export DOTNET_gcServer=1
timeout $((duration * 4 * repeats * count + 240)) dotnet bin/Release/net10.0/LyftServing.AspNetCore.Benchmarks.dll \
  --urls "$url" --RepoRoot "$repo" >/tmp/lyftserving-bench-host.log 2>&1 &
host=$!
luas=()
trap 'kill $host 2>/dev/null || true; rm -f "${luas[@]}"' EXIT

declare -A lua
for m in $models; do
  body=$(cat "bodies/$m.json")
  for _ in $(seq 1 100); do
    curl -sf -o /dev/null -X POST "$url/infer" -H 'Content-Type: application/json' -d "$body" && break
    sleep 0.2
  done
  infer=$(curl -sf -X POST "$url/infer" -H 'Content-Type: application/json' -d "$body")
  other=$(curl -sf -X POST "$url$(baseline "$m")" -H 'Content-Type: application/json' -d "$body")
  echo "$m /infer answers: $infer" >&2
  echo "$m $(baseline "$m") answers: $other" >&2
  [ "$infer" = "$other" ] || { echo "the endpoints answer $m differently" >&2; exit 1; }
  for e in $(endpoints "$m"); do
    b=$body
    if [ "${e#/v2}" != "$e" ]; then
      b=$(cat "bodies/$m.oip.json")
      echo "$m $e answers: $(curl -sf -X POST "$url$e" -H 'Content-Type: application/json' -d "$b")" >&2
    fi
    lua[$m$e]=$(mktemp --suffix .lua)
    luas+=("${lua[$m$e]}")
    cat >"${lua[$m$e]}" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '$b'
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %.0f %.3f %.3f\n", summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA
  done
done

run() { # model endpoint connections threads seconds
  wrk -t"$4" -c"$3" -d"$5"s -s "${lua[$1$2]}" "$url$2" | grep '^RESULT'
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# Warm-up: JIT tiers and connection pools settle before anything is measured.
for m in $models; do
  for e in $(endpoints "$m"); do
    run "$m" "$e" 16 2 5 >/dev/null
  done
done

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

table="| model | endpoint | connections | requests/s (median) | p50 (ms) | p99 (ms) | errors | runs (requests/s) |
| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |"
declare -A rps samples p50s p99s errs
for c in 1 16; do
  t=$([ "$c" = 1 ] && echo 1 || echo 2)
  for _ in $(seq 1 "$repeats"); do
    for m in $models; do
      for e in $(endpoints "$m"); do
        read -r _ requests errors persec p50 p99 <<<"$(run "$m" "$e" "$c" "$t" "$duration")"
        k="$m$e$c"
        samples[$k]+="$persec "
        p50s[$k]+="$p50 "
        p99s[$k]+="$p99 "
        errs[$k]=$(( ${errs[$k]:-0} + errors ))
      done
    done
  done
done

ratios=""
for m in $models; do
  b=$(baseline "$m")
  for c in 1 16; do
    for e in $(endpoints "$m"); do
      k="$m$e$c"
      rps[$k]=$(tr ' ' '\n' <<<"${samples[$k]}" | grep . | median)
      table+="
| $m | \`POST $e\` | $c | ${rps[$k]} | $(tr ' ' '\n' <<<"${p50s[$k]}" | grep . | median) | $(tr ' ' '\n' <<<"${p99s[$k]}" | grep . | median) | ${errs[$k]} | ${samples[$k]% } |"
    done
  done
  r1=$(awk "BEGIN { printf \"%.2f\", ${rps[$m/infer1]} / ${rps[$m${b}1]} }")
  r16=$(awk "BEGIN { printf \"%.2f\", ${rps[$m/infer16]} / ${rps[$m${b}16]} }")
  ratios+="
- $m: /infer ÷ $b **${r1}×** at 1 connection, **${r16}×** at 16 connections; /infer at 16 connections: **${rps[$m/infer16]} requests/s**."
  v2="/v2/models/$m/infer"
  if [ -n "${rps[$m${v2}16]:-}" ]; then
    o1=$(awk "BEGIN { printf \"%.2f\", ${rps[$m${v2}1]} / ${rps[$m/infer1]} }")
    o16=$(awk "BEGIN { printf \"%.2f\", ${rps[$m${v2}16]} / ${rps[$m/infer16]} }")
    ratios+="
- $m: $v2 ÷ /infer **${o1}×** at 1 connection, **${o16}×** at 16 connections; $v2 at 16 connections: **${rps[$m${v2}16]} requests/s**."
  fi
done

report="$table
$ratios

Machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB), $(. /etc/os-release; echo "$PRETTY_NAME"), .NET $(dotnet --list-runtimes | awk '/Microsoft.AspNetCore.App/ {v=$2} END {print v}'), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2 || true); wrk and the server share the CPUs.
Each run: ${duration} s, ${repeats} runs per row, endpoints interleaved, after a 5 s warm-up per endpoint; wrk -t1 at 1 connection, -t2 at 16; medians of the runs.
Commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- "$repo/src" || echo ' (with uncommitted changes)'). Load average before the runs: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg)."
echo "$report"
if [ -n "$out" ]; then echo "$report" >"$out"; fi
