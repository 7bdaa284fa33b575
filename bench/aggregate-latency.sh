#!/usr/bin/env bash
# Latency of a parallel aggregate of three backends that each answer after DELAY_MS (default 50),
# beside one proxied call to the same backend: an aggregate should take about as long as its
# slowest backend, not the sum. Sequential curl requests, so this measures latency, not load.
#   bench/aggregate-latency.sh [REQUESTS] [DELAY_MS]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
n=${1:-25}
delay=${2:-50}
python3 "$here/bench/slow-origin.py" 19201 "$delay" & origin=$!
PORTICO_BENCH_PORT=19106 "$here/portico" run -c "$here/bench/conf/portico-aggregate-latency.yaml" \
  >/tmp/portico-aggregate-latency.log 2>&1 & gw=$!
trap 'kill $gw $origin 2>/dev/null' EXIT
for _ in $(seq 100); do curl -sf -o /dev/null http://127.0.0.1:19106/single && break; sleep 0.2; done
for p in single aggregate; do
  for _ in $(seq "$n"); do curl -s -o /dev/null -w "%{time_total}\n" "http://127.0.0.1:19106/$p"; done |
    sort -n | awk -v p="$p" '{a[NR]=$1*1000} END {printf "%-9s min %.1f ms  p50 %.1f ms  max %.1f ms\n", p, a[1], a[int(NR/2)+1], a[NR]}'
done
