#!/usr/bin/env bash
# A transcoded unary call (JSON over HTTP/1.1, grpc-transcode) beside the plain gRPC unary call
# through Portico and the same call made directly to the server, in one run, on this machine;
# prints calls/s, p50 and p99 of each and the ratios.
#
# Placement: the gRPC byte-echo server and the load clients on CPU 0, Portico alone on CPU 1 with
# one event loop (bench/conf/portico-grpc-transcode.yaml). gRPC calls come from
# io.portico.bench.GrpcUnaryLoad (IN_FLIGHT calls on one h2c channel, a closed loop); JSON calls
# from wrk (IN_FLIGHT keep-alive connections, a closed loop each): POST /v1/echo with
# {"data": base64 of BYTES bytes}, transcoded to bench.Echo/Unary with the descriptor set that
# io.portico.bench.EchoDescriptors writes. Needs wrk and taskset; builds what it needs first.
#
#   bench/grpc-transcode.sh [--in-flight 50] [--duration 10] [--warmup 30] [--rounds 3] [--bytes 64]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
INFLIGHT=50; DURATION=10; WARMUP=30; ROUNDS=3; BYTES=64
while [ $# -gt 0 ]; do
  case "$1" in
    --in-flight) INFLIGHT="$2"; shift 2;; --duration) DURATION="$2"; shift 2;;
    --warmup) WARMUP="$2"; shift 2;; --rounds) ROUNDS="$2"; shift 2;;
    --bytes) BYTES="$2"; shift 2;; -h|--help) sed -n 2,13p "$0"; exit 0;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
for t in wrk taskset curl base64; do command -v "$t" >/dev/null || { echo "missing $t (apt-get install -y wrk)" >&2; exit 2; }; done

jar="$root/bench/target/benchmarks.jar"
[ -f "$jar" ] || (cd "$root" && ./mvnw -q -B -o -pl bench -am package -DskipTests)
"$root/portico" version > /dev/null   # builds the gateway's jar when it is missing or stale

JVM="-Xms512m -Xmx512m -XX:+UseParallelGC -Dio.netty.leakDetection.level=disabled"
SERVER_PORT=19052; PORTICO_PORT=19107
run="$(mktemp -d -t portico-transcode.XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

java -cp "$jar" io.portico.bench.EchoDescriptors "$run/echo.pb"
data="$(head -c "$BYTES" /dev/zero | base64 -w0)"
body="{\"data\":\"$data\"}"
cat > "$run/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Content-Type"] = "application/json"
LUA

taskset -c 0 java $JVM -cp "$jar" io.portico.bench.GrpcUnaryLoad server "$SERVER_PORT" \
  > "$run/server.log" 2>&1 & pids+=($!)
PORTICO_BENCH_PORT=$PORTICO_PORT PORTICO_BENCH_UPSTREAM=127.0.0.1:$SERVER_PORT \
  PORTICO_BENCH_DESCRIPTORS="$run/echo.pb" taskset -c 1 \
  env PORTICO_JAVA_OPTS="$JVM" "$root/portico" run -c "$root/bench/conf/portico-grpc-transcode.yaml" \
  > "$run/portico.log" 2>&1 & pids+=($!)

grpc() {  # host:port seconds -> "calls_per_s p50_ms p99_ms errors"
  taskset -c 0 java $JVM -cp "$jar" io.portico.bench.GrpcUnaryLoad client "$1" "$2" "$INFLIGHT" "$BYTES"
}
json() {  # seconds -> "calls_per_s p50_ms p99_ms errors"
  taskset -c 0 wrk -t1 -c"$INFLIGHT" -d"${1}s" --latency -s "$run/post.lua" \
    "http://127.0.0.1:$PORTICO_PORT/v1/echo" |
    awk 'function ms(v) { if (v ~ /us$/) { sub(/us/, "", v); return v / 1000 }
                          if (v ~ /ms$/) { sub(/ms/, "", v); return v + 0 }
                          if (v ~ /s$/) { sub(/s/, "", v); return v * 1000 }; return v }
         /Requests\/sec/ {r = $2} /^ +50%/ {p50 = ms($2)} /^ +99%/ {p99 = ms($2)}
         /Non-2xx/ {bad = $NF} /Socket errors/ {bad += 0}
         END {printf "%d %.3f %.3f %d\n", r, p50, p99, bad}'
}
ready() { for _ in $(seq 1 100); do grpc "127.0.0.1:$1" 1 > /dev/null 2>&1 && return 0; sleep 0.2; done; return 1; }
ready "$SERVER_PORT" || { echo "the gRPC server did not start; see $run/server.log" >&2; exit 3; }
ready "$PORTICO_PORT" || { echo "portico did not start; see $run/portico.log" >&2; exit 3; }
answer="$(curl -sf -H 'content-type: application/json' -d "$body" "http://127.0.0.1:$PORTICO_PORT/v1/echo")" ||
  { echo "the transcoded call failed; see $run/portico.log" >&2; exit 3; }
[ "$answer" = "$body" ] || [ "$BYTES" = 0 ] || { echo "unexpected answer: $answer" >&2; exit 3; }

echo "warming up for ${WARMUP}s (JIT)..." >&2
grpc "127.0.0.1:$PORTICO_PORT" "$((WARMUP / 2))" > /dev/null
json "$((WARMUP / 2))" > /dev/null
grpc "127.0.0.1:$SERVER_PORT" "$((WARMUP / 3 + 1))" > /dev/null

printf '%-10s %5s %10s %8s %8s %6s\n' target round calls_s p50_ms p99_ms errors
declare -A sum
for r in $(seq 1 "$ROUNDS"); do
  for t in direct portico transcoded; do
    case "$t" in
      direct) line="$(grpc "127.0.0.1:$SERVER_PORT" "$DURATION")";;
      portico) line="$(grpc "127.0.0.1:$PORTICO_PORT" "$DURATION")";;
      transcoded) line="$(json "$DURATION")";;
    esac
    read -r cps p50 p99 errors <<< "$line"
    printf '%-10s %5s %10s %8s %8s %6s\n' "$t" "$r" "$cps" "$p50" "$p99" "$errors"
    sum[$t]=$(( ${sum[$t]:-0} + cps ))
  done
done
awk -v d="${sum[direct]}" -v p="${sum[portico]}" -v t="${sum[transcoded]}" \
  'BEGIN { if (d > 0 && p > 0) printf "portico/direct calls/s: %.2f; transcoded/portico gRPC: %.2f\n", p / d, t / p }'
