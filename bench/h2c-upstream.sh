#!/usr/bin/env bash
# /hello proxied over an h2c upstream beside the same over HTTP/1.1, in one run, from one origin
# that speaks both on one port; prints rps and p50/p99 per round and the h2c/HTTP/1.1 ratio.
#
# Placement: the origin (io.portico.bench.HelloOrigin, one event loop) and wrk on CPU 0, Portico
# alone on CPU 1 with one event loop (bench/conf/portico-h2c.yaml: /h1/ and /h2c/ to the same
# origin). Clients speak HTTP/1.1 to Portico either way. Needs wrk and taskset; builds what it
# needs first.
#
#   bench/h2c-upstream.sh [--conns 50] [--duration 10] [--warmup 30] [--rounds 3]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONNS=50; DURATION=10; WARMUP=30; ROUNDS=3
while [ $# -gt 0 ]; do
  case "$1" in
    --conns) CONNS="$2"; shift 2;; --duration) DURATION="$2"; shift 2;;
    --warmup) WARMUP="$2"; shift 2;; --rounds) ROUNDS="$2"; shift 2;;
    -h|--help) sed -n 2,10p "$0"; exit 0;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
for t in wrk taskset curl; do command -v "$t" >/dev/null || { echo "missing $t (apt-get install -y wrk)" >&2; exit 2; }; done

jar="$root/bench/target/benchmarks.jar"
[ -f "$jar" ] || (cd "$root" && ./mvnw -q -B -o -pl bench -am package -DskipTests)
"$root/portico" version > /dev/null   # builds the gateway's jar when it is missing or stale

JVM="-Xms512m -Xmx512m -XX:+UseParallelGC -Dio.netty.leakDetection.level=disabled"
ORIGIN_PORT=19011; PORTICO_PORT=19106
run="$(mktemp -d -t portico-h2c.XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

taskset -c 0 java $JVM -cp "$jar" io.portico.bench.HelloOrigin "$ORIGIN_PORT" \
  > "$run/origin.log" 2>&1 & pids+=($!)
PORTICO_BENCH_PORT=$PORTICO_PORT PORTICO_BENCH_UPSTREAM=127.0.0.1:$ORIGIN_PORT taskset -c 1 \
  env PORTICO_JAVA_OPTS="$JVM" "$root/portico" run -c "$root/bench/conf/portico-h2c.yaml" \
  > "$run/portico.log" 2>&1 & pids+=($!)

ready() { for _ in $(seq 1 100); do curl -sf -m 2 "$1" > /dev/null && return 0; sleep 0.2; done; return 1; }
ready "http://127.0.0.1:$ORIGIN_PORT/hello" || { echo "the origin did not start; see $run/origin.log" >&2; exit 3; }
for p in h1 h2c; do
  ready "http://127.0.0.1:$PORTICO_PORT/$p/hello" || { echo "portico did not answer /$p/hello; see $run/portico.log" >&2; exit 3; }
done

load() {  # path seconds -> "rps p50_ms p99_ms non2xx"
  taskset -c 0 wrk -t1 -c"$CONNS" -d"${2}s" --latency "http://127.0.0.1:$PORTICO_PORT$1" |
    awk 'function ms(v) { if (v ~ /us$/) { sub(/us/, "", v); return v / 1000 }
                          if (v ~ /ms$/) { sub(/ms/, "", v); return v + 0 }
                          if (v ~ /s$/) { sub(/s/, "", v); return v * 1000 }; return v }
         /Requests\/sec/ {r = $2} /^ +50%/ {p50 = ms($2)} /^ +99%/ {p99 = ms($2)}
         /Non-2xx/ {bad = $NF}
         END {printf "%d %.2f %.2f %d\n", r, p50, p99, bad}'
}

echo "warming up for ${WARMUP}s (JIT)..." >&2
load /h1/hello "$((WARMUP / 2))" > /dev/null
load /h2c/hello "$((WARMUP / 2))" > /dev/null

printf '%-5s %5s %10s %8s %8s %7s\n' path round rps p50_ms p99_ms non2xx
declare -A sum
for r in $(seq 1 "$ROUNDS"); do
  for p in h1 h2c; do
    read -r rps p50 p99 bad < <(load "/$p/hello" "$DURATION")
    printf '%-5s %5s %10s %8s %8s %7s\n' "$p" "$r" "$rps" "$p50" "$p99" "$bad"
    sum[$p]=$(( ${sum[$p]:-0} + rps ))
  done
done
awk -v a="${sum[h2c]}" -v b="${sum[h1]}" \
  'BEGIN { if (b > 0) printf "h2c/HTTP-1.1 rps: %.2f (issue 15 asks >= 1.0)\n", a / b }'
