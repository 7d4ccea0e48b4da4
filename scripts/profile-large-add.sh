#!/bin/bash
# Where the CPU of the 1 GiB HTTP ADD goes: runs the `large` benchmark area and records a
# system-wide perf profile (call graphs, 499 Hz) while its first server child is alive (that
# child serves only the login and the ADD), then prints, for the server and the client
# (the benchmark process), the samples per thread, the server's top symbols, and all of the
# ADD's samples divided by the Keccak samples. With two cores, an ADD whose total CPU is
# R times Keccak's cannot run faster than 2/R of Keccak alone, however it is pipelined.
#
# Usage (root, perf installed; release build of the benchmarks first):
#   (cd Benchmarks && swift build -c release)
#   scripts/profile-large-add.sh [BENCH_BINARY] [OUT_PREFIX]
# Shares only: on a shared machine the wall-clock figures of the same run are not comparable.
set -euo pipefail
BIN=${1:-Benchmarks/.build/release/DataMarketBenchmarks}
OUT=${2:-/tmp/profile-large-add}
command -v perf > /dev/null || { echo "perf not found" >&2; exit 1; }

"$BIN" large > "$OUT.bench.txt" 2>&1 &
BENCH=$!
SERVER=""
while [ -z "$SERVER" ]; do
    SERVER=$(pgrep -f "large-child serve" -P "$BENCH" | head -1 || true)
    kill -0 "$BENCH" 2> /dev/null || { echo "benchmark ended before its server started" >&2; exit 1; }
    sleep 0.05
done
perf record -a -g -F 499 -o "$OUT.perf.data" > /dev/null 2>&1 &
PERF=$!
while kill -0 "$SERVER" 2> /dev/null; do sleep 0.2; done
kill -INT "$PERF" 2> /dev/null || true
wait "$PERF" || true
wait "$BENCH" || true

threads() { perf script -i "$OUT.perf.data" -F pid,tid,comm 2> /dev/null | awk -v p="$1" '{split($NF, a, "/"); if (a[1] == p) n[a[2]]++} END {for (t in n) print n[t], t}' | sort -rn; }
echo "server $SERVER: samples per thread"; threads "$SERVER" | tee "$OUT.server-threads.txt"
echo "client $BENCH: samples per thread"; threads "$BENCH" | tee "$OUT.client-threads.txt"
SERVER_TIDS=$(awk '{print $2}' "$OUT.server-threads.txt" | paste -sd, -)
ALL_TIDS=$(cat "$OUT.server-threads.txt" "$OUT.client-threads.txt" | awk '{print $2}' | paste -sd, -)
echo "server: top symbols (share of the server's samples)"
perf report -i "$OUT.perf.data" --tid "$SERVER_TIDS" --percentage relative --no-children --sort sym --stdio -g none 2> /dev/null | grep "%" | cut -c1-140 | head -25 || true
KECCAK=$(perf report -i "$OUT.perf.data" --tid "$ALL_TIDS" --no-children --sort sym --stdio -g none -F sample,sym 2> /dev/null | awk '/Keccak256/ {s += $1} END {print s + 0}' || true)
TOTAL=$(cat "$OUT.server-threads.txt" "$OUT.client-threads.txt" | awk '{s += $1} END {print s + 0}')
echo "ADD samples (server + client) $TOTAL, of which Keccak $KECCAK"
awk -v t="$TOTAL" -v k="$KECCAK" 'BEGIN { if (k > 0) printf "all CPU / Keccak CPU = %.2f; two cores cap the ADD at %.2fx Keccak alone\n", t / k, 2 * k / t }'
