#!/usr/bin/env bash
# A transcoded unary call (JSON over HTTP/1.1, grpc-transcode) beside the plain gRPC unary call
# through Portico and the same call made directly to the server, in one run, on this machine;
# prints calls/s, p50 and p99 of each, the ratios, and the p50 and p99 Portico adds to the gRPC
# call (proxied minus direct, per round and the median of the rounds).
#
# Placement: the gRPC byte-echo server and the load clients on CPU 0, Portico alone on CPU 1 with
# one event loop (bench/conf/portico-grpc-transcode.yaml). gRPC calls come from h2load (C;
# apt-get install -y nghttp2-client), the default when installed, or from
# io.portico.bench.GrpcUnaryLoad's grpc-java client (--client java): IN_FLIGHT calls on one h2c
# connection, a closed loop each (bench/grpc-client.bash). JSON calls come from wrk (IN_FLIGHT
# keep-alive connections, a closed loop each): POST /v1/echo with {"data": base64 of BYTES
# bytes}, transcoded to bench.Echo/Unary with the descriptor set that
# io.portico.bench.EchoDescriptors writes. Direct, proxied and transcoded runs alternate within
# each round. Needs wrk, taskset and curl; builds what it needs first.
#
#   bench/grpc-transcode.sh [--client h2load|java] [--in-flight 50] [--duration 10] [--warmup 30]
#                           [--rounds 3] [--bytes 64]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
INFLIGHT=50; DURATION=10; WARMUP=30; ROUNDS=3; BYTES=64; CLIENT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --client) CLIENT="$2"; shift 2;;
    --in-flight) INFLIGHT="$2"; shift 2;; --duration) DURATION="$2"; shift 2;;
    --warmup) WARMUP="$2"; shift 2;; --rounds) ROUNDS="$2"; shift 2;;
    --bytes) BYTES="$2"; shift 2;; -h|--help) sed -n 2,18p "$0"; exit 0;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
if [ -z "$CLIENT" ]; then
  if command -v h2load >/dev/null; then CLIENT=h2load; else
    CLIENT=java; echo "h2load not found (apt-get install -y nghttp2-client): using --client java" >&2
  fi
fi
case "$CLIENT" in
  h2load) command -v h2load >/dev/null || { echo "missing h2load (apt-get install -y nghttp2-client)" >&2; exit 2; };;
  java) ;;
  *) echo "--client is h2load or java, not $CLIENT" >&2; exit 2;;
esac
for t in wrk taskset curl base64; do command -v "$t" >/dev/null || { echo "missing $t (apt-get install -y wrk curl)" >&2; exit 2; }; done

jar="$root/bench/target/benchmarks.jar"
[ -f "$jar" ] || (cd "$root" && ./mvnw -q -B -o -pl bench -am package -DskipTests)
"$root/portico" version > /dev/null   # builds the gateway's jar when it is missing or stale

JVM="-Xms512m -Xmx512m -XX:+UseParallelGC -Dio.netty.leakDetection.level=disabled"
SERVER_PORT=19052; PORTICO_PORT=19107
run="$(mktemp -d -t portico-transcode.XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
. "$root/bench/grpc-client.bash"
grpc_request_file

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

grpc() { grpc_load "$@"; }   # host:port seconds -> "calls_per_s p50_ms p99_ms errors"
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
ready() { for _ in $(seq 1 100); do grpc_check "127.0.0.1:$1" > /dev/null 2>&1 && return 0; sleep 0.2; done; return 1; }
ready "$SERVER_PORT" || { echo "the gRPC server did not start; see $run/server.log" >&2; exit 3; }
ready "$PORTICO_PORT" || { echo "portico did not start; see $run/portico.log" >&2; exit 3; }
# The request file, from a real grpc-java client, through Portico: grpc-status 0, message echoed.
checked="$(grpc_check "127.0.0.1:$PORTICO_PORT")" ||
  { echo "the check call through portico failed: $checked; see $run/portico.log" >&2; exit 3; }
echo "grpc-java check through portico: $checked" >&2
for port in "$SERVER_PORT" "$PORTICO_PORT"; do
  [ "$(grpc_status_sample "127.0.0.1:$port")" = 0 ] ||
    { echo "curl's calls to 127.0.0.1:$port did not end with grpc-status: 0" >&2; exit 3; }
done
answer="$(curl -sf -H 'content-type: application/json' -d "$body" "http://127.0.0.1:$PORTICO_PORT/v1/echo")" ||
  { echo "the transcoded call failed; see $run/portico.log" >&2; exit 3; }
[ "$answer" = "$body" ] || [ "$BYTES" = 0 ] || { echo "unexpected answer: $answer" >&2; exit 3; }

echo "client: $CLIENT; warming up for ${WARMUP}s (JIT)..." >&2
grpc "127.0.0.1:$PORTICO_PORT" "$((WARMUP / 2))" > /dev/null
json "$((WARMUP / 2))" > /dev/null
grpc "127.0.0.1:$SERVER_PORT" "$((WARMUP / 3 + 1))" > /dev/null

printf '%-10s %5s %10s %8s %8s %6s\n' target round calls_s p50_ms p99_ms errors
declare -A sum
pairs=""
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
    case "$t" in
      direct) d50=$p50; d99=$p99;;
      portico) pairs+="$d50 $p50 $d99 $p99"$'\n';;
    esac
  done
done
awk -v d="${sum[direct]}" -v p="${sum[portico]}" -v t="${sum[transcoded]}" \
  'BEGIN { if (d > 0 && p > 0) printf "portico/direct calls/s: %.2f; transcoded/portico gRPC: %.2f\n", p / d, t / p }'
printf '%s' "$pairs" | grpc_added
echo "client: $CLIENT; run files (h2load logs, server and portico output): $run" >&2
trap - EXIT; cleanup
