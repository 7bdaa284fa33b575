#!/usr/bin/env bash
# gRPC unary calls through Portico beside the same calls made directly to the server, in one run,
# on this machine; prints calls/s, p50 and p99 for both and Portico's ratio.
#
# Placement: the gRPC server and the load client on CPU 0, Portico alone on CPU 1 with one event
# loop, so the figure is "calls per proxy core". The server and client are
# io.portico.bench.GrpcUnaryLoad (grpc-java, byte-array methods). Builds what it needs first.
#
#   bench/grpc-unary.sh [--in-flight 50] [--duration 10] [--warmup 30] [--rounds 3] [--bytes 64]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
INFLIGHT=50; DURATION=10; WARMUP=30; ROUNDS=3; BYTES=64
while [ $# -gt 0 ]; do
  case "$1" in
    --in-flight) INFLIGHT="$2"; shift 2;; --duration) DURATION="$2"; shift 2;;
    --warmup) WARMUP="$2"; shift 2;; --rounds) ROUNDS="$2"; shift 2;;
    --bytes) BYTES="$2"; shift 2;; -h|--help) sed -n 2,9p "$0"; exit 0;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
command -v taskset >/dev/null || { echo "missing taskset (util-linux)" >&2; exit 2; }

jar="$root/bench/target/benchmarks.jar"
[ -f "$jar" ] || (cd "$root" && ./mvnw -q -B -o -pl bench -am package -DskipTests)
"$root/portico" version > /dev/null   # builds the gateway's jar when it is missing or stale

JVM="-Xms512m -Xmx512m -XX:+UseParallelGC -Dio.netty.leakDetection.level=disabled"
SERVER_PORT=19051; PORTICO_PORT=19105
run="$(mktemp -d -t portico-grpc.XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

taskset -c 0 java $JVM -cp "$jar" io.portico.bench.GrpcUnaryLoad server "$SERVER_PORT" \
  > "$run/server.log" 2>&1 & pids+=($!)
PORTICO_BENCH_PORT=$PORTICO_PORT PORTICO_BENCH_UPSTREAM=127.0.0.1:$SERVER_PORT taskset -c 1 \
  env PORTICO_JAVA_OPTS="$JVM" "$root/portico" run -c "$root/bench/conf/portico-grpc.yaml" \
  > "$run/portico.log" 2>&1 & pids+=($!)

client() {  # host:port seconds -> "calls_per_s p50_ms p99_ms errors"
  taskset -c 0 java $JVM -cp "$jar" io.portico.bench.GrpcUnaryLoad client "$1" "$2" "$INFLIGHT" "$BYTES"
}
ready() { for _ in $(seq 1 100); do client "127.0.0.1:$1" 1 > /dev/null 2>&1 && return 0; sleep 0.2; done; return 1; }
ready "$SERVER_PORT" || { echo "the gRPC server did not start; see $run/server.log" >&2; exit 3; }
ready "$PORTICO_PORT" || { echo "portico did not start; see $run/portico.log" >&2; exit 3; }

echo "warming up for ${WARMUP}s (JIT)..." >&2
client "127.0.0.1:$PORTICO_PORT" "$WARMUP" > /dev/null
client "127.0.0.1:$SERVER_PORT" "$((WARMUP / 3 + 1))" > /dev/null

printf '%-8s %5s %10s %8s %8s %6s\n' target round calls_s p50_ms p99_ms errors
declare -A sum
for r in $(seq 1 "$ROUNDS"); do
  for t in direct:$SERVER_PORT portico:$PORTICO_PORT; do
    name=${t%%:*}; port=${t##*:}
    read -r cps p50 p99 errors < <(client "127.0.0.1:$port" "$DURATION")
    printf '%-8s %5s %10s %8s %8s %6s\n' "$name" "$r" "$cps" "$p50" "$p99" "$errors"
    sum[$name]=$(( ${sum[$name]:-0} + cps ))
  done
done
awk -v p="${sum[portico]}" -v d="${sum[direct]}" \
  'BEGIN { if (d > 0) printf "portico/direct calls/s: %.2f (issue 15 asks >= 0.8)\n", p / d }'
