#!/usr/bin/env bash
# The AI gateway's cost beside calling the fake provider directly, in one run:
#   1. non-streamed completions: p50 through Portico minus p50 direct (target: under 1 ms);
#   2. streamed completions: time to first token through Portico minus direct (under 2 ms);
#   3. STREAMS (default 1000) concurrent streams through Portico pinned to one core, each held
#      open about 10 s, with Portico's resident memory sampled every second (flat: no growth).
# Portico runs on CPU 1 and the clients and the fake provider on CPU 0 when the machine has two.
#   bench/ai/run.sh [REQUESTS] [STREAMS]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
n=${1:-2000}
streams=${2:-1000}
direct_port=19302
slow_port=19303
gw_port=19106
cpu_gw=""; cpu_cl=""
if [ "$(nproc)" -ge 2 ]; then cpu_gw="taskset -c 1"; cpu_cl="taskset -c 0"; fi
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

$cpu_cl python3 "$here/bench/ai/fake_llm.py" $direct_port 20 0 & fast=$!
$cpu_cl python3 "$here/bench/ai/fake_llm.py" $slow_port 20 500 & slow=$!
PORTICO_BENCH_PORT=$gw_port PORTICO_BENCH_ORIGIN=$direct_port $cpu_gw "$here/portico" run \
  -c "$here/bench/ai/portico-ai-bench.yaml" >/tmp/portico-ai-bench.log 2>&1 & gw=$!
trap 'kill $gw $fast $slow 2>/dev/null; wait 2>/dev/null' EXIT
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$gw_port/v1/models" && break; sleep 0.2; done

m() { $cpu_cl python3 "$here/bench/ai/measure.py" "$@"; }
echo "== warm-up"
m latency "http://127.0.0.1:$gw_port/v1" 5000 >/dev/null
m ttft "http://127.0.0.1:$gw_port/v1" 500 >/dev/null

echo "== non-streamed, $n requests each, one keep-alive connection"
echo "direct:  $(m latency "http://127.0.0.1:$direct_port/v1" "$n")"
echo "portico: $(m latency "http://127.0.0.1:$gw_port/v1" "$n")"

echo "== streamed, time to first token, $((n / 4)) requests each"
echo "direct:  $(m ttft "http://127.0.0.1:$direct_port/v1" $((n / 4)))"
echo "portico: $(m ttft "http://127.0.0.1:$gw_port/v1" $((n / 4)))"

echo "== $streams concurrent streams through Portico (one core), RSS every second"
kill $gw; wait $gw 2>/dev/null || true
PORTICO_BENCH_PORT=$gw_port PORTICO_BENCH_ORIGIN=$slow_port $cpu_gw "$here/portico" run \
  -c "$here/bench/ai/portico-ai-bench.yaml" >/tmp/portico-ai-bench.log 2>&1 & gw=$!
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$gw_port/v1/models" && break; sleep 0.2; done
java_pid() { pgrep -P "$gw" java || echo "$gw"; }
m streams "http://127.0.0.1:$gw_port/v1" "$streams" >/dev/null # warm-up round
( while kill -0 $gw 2>/dev/null; do
    awk '/VmRSS/ {print $2}' "/proc/$(java_pid)/status" 2>/dev/null; sleep 1
  done ) >/tmp/portico-ai-rss.txt & sampler=$!
for round in 1 2 3; do echo "round $round: $(m streams "http://127.0.0.1:$gw_port/v1" "$streams")"; done
kill $sampler 2>/dev/null || true
sort -n /tmp/portico-ai-rss.txt | awk '{a[NR]=$1} END {if (NR) printf "RSS over %d samples: min %.0f MB, median %.0f MB, max %.0f MB\n", NR, a[1]/1024, a[int(NR/2)+1]/1024, a[NR]/1024}'
echo "(per-second samples in /tmp/portico-ai-rss.txt; flat across the three rounds means no growth per stream)"
