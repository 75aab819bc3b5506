#!/usr/bin/env bash
# HTTP load benchmark: POST /infer (LyftServing's adapter) against POST /bare (a hand-written
# minimal API endpoint calling the same model directly), in one Release process, with wrk on
# loopback, at 1 and 16 connections. Each (endpoint, connections) pair is measured REPEATS times
# (default 3), the endpoints interleaved so both see the same background load, and the medians
# are reported. Bounded: DURATION seconds per run (default 5), 2 x 2 x REPEATS runs plus
# warm-ups, and the server under a timeout. Prints a Markdown table; with -o FILE also writes it
# there. Not part of `dotnet test`.
#
# Usage: tests/LyftServing.AspNetCore.Benchmarks/run.sh [-d seconds] [-r repeats] [-o RESULTS.md]
set -euo pipefail
cd "$(dirname "$0")"
repo=$(cd ../.. && pwd)
duration=5
repeats=3
out=""
while getopts "d:r:o:" opt; do
  case $opt in
    d) duration=$OPTARG ;;
    r) repeats=$OPTARG ;;
    o) out=$OPTARG ;;
    *) exit 2 ;;
  esac
done

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
port=5090
url="http://127.0.0.1:$port"

dotnet build -c Release --nologo -v q . >/dev/null
export DOTNET_gcServer=1
timeout $((duration * 4 * repeats + 180)) dotnet bin/Release/net10.0/LyftServing.AspNetCore.Benchmarks.dll \
  --urls "$url" --StoreRoot "$repo/samples/models" >/tmp/lyftserving-bench-host.log 2>&1 &
host=$!
trap 'kill $host 2>/dev/null || true' EXIT

body='{"model_id": "driver_eta", "features": {"distance_km": 8.0, "stops": 1, "hour_of_day": 17, "traffic_index": 0.7}}'
for _ in $(seq 1 100); do
  curl -sf -o /dev/null -X POST "$url/infer" -H 'Content-Type: application/json' -d "$body" && break
  sleep 0.2
done
infer=$(curl -sf -X POST "$url/infer" -H 'Content-Type: application/json' -d "$body")
bare=$(curl -sf -X POST "$url/bare" -H 'Content-Type: application/json' -d "$body")
echo "/infer answers: $infer" >&2
echo "/bare  answers: $bare" >&2
[ "$infer" = "$bare" ] || { echo "the endpoints answer differently" >&2; exit 1; }

lua=$(mktemp --suffix .lua)
cat >"$lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '$body'
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %.0f %.3f %.3f\n", summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA

run() { # endpoint connections threads seconds
  wrk -t"$3" -c"$2" -d"$4"s -s "$lua" "$url$1" | grep '^RESULT'
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# Warm-up: JIT tiers and connection pools settle before anything is measured.
run /infer 16 2 5 >/dev/null
run /bare 16 2 5 >/dev/null

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

table="| endpoint | connections | requests/s (median) | p50 (ms) | p99 (ms) | errors | runs (requests/s) |
| --- | ---: | ---: | ---: | ---: | ---: | --- |"
declare -A rps samples p50s p99s errs
for c in 1 16; do
  t=$([ "$c" = 1 ] && echo 1 || echo 2)
  for _ in $(seq 1 "$repeats"); do
    for e in /bare /infer; do
      read -r _ requests errors persec p50 p99 <<<"$(run "$e" "$c" "$t" "$duration")"
      samples[$e$c]+="$persec "
      p50s[$e$c]+="$p50 "
      p99s[$e$c]+="$p99 "
      errs[$e$c]=$(( ${errs[$e$c]:-0} + errors ))
    done
  done
  for e in /bare /infer; do
    rps[$e$c]=$(tr ' ' '\n' <<<"${samples[$e$c]}" | grep . | median)
    table+="
| \`POST $e\` | $c | ${rps[$e$c]} | $(tr ' ' '\n' <<<"${p50s[$e$c]}" | grep . | median) | $(tr ' ' '\n' <<<"${p99s[$e$c]}" | grep . | median) | ${errs[$e$c]} | ${samples[$e$c]% } |"
  done
done

ratio1=$(awk "BEGIN { printf \"%.2f\", ${rps[/infer1]} / ${rps[/bare1]} }")
ratio16=$(awk "BEGIN { printf \"%.2f\", ${rps[/infer16]} / ${rps[/bare16]} }")
report="$table

/infer ÷ /bare throughput: **$ratio1×** at 1 connection, **$ratio16×** at 16 connections (target ≥ 0.85×).
/infer at 16 connections: **${rps[/infer16]} requests/s** (target ≥ 28,000).

Machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB), $(. /etc/os-release; echo "$PRETTY_NAME"), .NET $(dotnet --list-runtimes | awk '/Microsoft.AspNetCore.App/ {v=$2} END {print v}'), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2 || true); wrk and the server share the CPUs.
Each run: ${duration} s, ${repeats} runs per row, endpoints interleaved, after a 5 s warm-up per endpoint; wrk -t1 at 1 connection, -t2 at 16; medians of the runs.
Load average before the runs: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg)."
echo "$report"
if [ -n "$out" ]; then echo "$report" >"$out"; fi
