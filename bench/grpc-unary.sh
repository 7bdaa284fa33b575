#!/usr/bin/env bash
# gRPC unary calls through Portico beside the same calls made directly to the server, in one run,
# on this machine; prints calls/s, p50 and p99 for both, Portico's calls/s ratio and the p50 and
# p99 it adds (proxied minus direct, per round and the median of the rounds).
#
# Placement: the gRPC server and the load client on CPU 0, Portico alone on CPU 1 with one event
# loop, so the figure is "calls per proxy core". The server is io.portico.bench.GrpcUnaryLoad
# (grpc-java, byte-array methods). The client is h2load (C; apt-get install -y nghttp2-client),
# the default when installed, or GrpcUnaryLoad's grpc-java client (--client java), whose own tail
# latency hides the gateway's; see bench/grpc-client.bash for how calls are made and checked.
# Direct and proxied runs alternate within each round. Portico's JVM logs its GC pauses
# (-Xlog:gc), and each proxied run prints the young-collection pauses that fell within it (count,
# total and longest ms). --compare JAR starts a second gateway from another build (the same config,
# on CPU 1 too) and measures it in each round right after this checkout's, for an A/B of two
# builds on the same machine minute. Needs taskset and curl; builds what it needs first.
#
#   bench/grpc-unary.sh [--client h2load|java] [--in-flight 50] [--duration 10] [--warmup 30]
#                       [--rounds 3] [--bytes 64] [--compare PORTICO_JAR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
INFLIGHT=50; DURATION=10; WARMUP=30; ROUNDS=3; BYTES=64; CLIENT=""; COMPARE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --client) CLIENT="$2"; shift 2;;
    --in-flight) INFLIGHT="$2"; shift 2;; --duration) DURATION="$2"; shift 2;;
    --warmup) WARMUP="$2"; shift 2;; --rounds) ROUNDS="$2"; shift 2;;
    --bytes) BYTES="$2"; shift 2;; --compare) COMPARE="$2"; shift 2;;
    -h|--help) sed -n 2,19p "$0"; exit 0;;
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
for t in taskset curl; do command -v "$t" >/dev/null || { echo "missing $t (apt-get install -y util-linux curl)" >&2; exit 2; }; done

jar="$root/bench/target/benchmarks.jar"
[ -f "$jar" ] || (cd "$root" && ./mvnw -q -B -o -pl bench -am package -DskipTests)
"$root/portico" version > /dev/null   # builds the gateway's jar when it is missing or stale

JVM="-Xms512m -Xmx512m -XX:+UseParallelGC -Dio.netty.leakDetection.level=disabled"
SERVER_PORT=19051; PORTICO_PORT=19105; COMPARE_PORT=19106
run="$(mktemp -d -t portico-grpc.XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
. "$root/bench/grpc-client.bash"
grpc_request_file

taskset -c 0 java $JVM -cp "$jar" io.portico.bench.GrpcUnaryLoad server "$SERVER_PORT" \
  > "$run/server.log" 2>&1 & pids+=($!)
PORTICO_BENCH_PORT=$PORTICO_PORT PORTICO_BENCH_UPSTREAM=127.0.0.1:$SERVER_PORT taskset -c 1 \
  env PORTICO_JAVA_OPTS="$JVM -Xlog:gc:file=$run/gc-portico.log" "$root/portico" run \
  -c "$root/bench/conf/portico-grpc.yaml" > "$run/portico.log" 2>&1 & pids+=($!)
targets="direct:$SERVER_PORT portico:$PORTICO_PORT"
if [ -n "$COMPARE" ]; then
  PORTICO_BENCH_PORT=$COMPARE_PORT PORTICO_BENCH_UPSTREAM=127.0.0.1:$SERVER_PORT taskset -c 1 \
    java $JVM -Xlog:gc:file="$run/gc-compare.log" -jar "$COMPARE" run \
    -c "$root/bench/conf/portico-grpc.yaml" > "$run/compare.log" 2>&1 & pids+=($!)
  targets+=" compare:$COMPARE_PORT"
fi
# Young-collection pauses logged in $1 from line $2 on: "count total_ms longest_ms".
gc_pauses() {
  tail -n +"$(( $2 + 1 ))" "$1" 2> /dev/null |
    awk '/Pause Young/ { v = $NF; sub(/ms$/, "", v); n++; t += v; if (v > m) m = v }
         END { printf "%d %.1f %.1f\n", n, t, m }'
}

ready() { for _ in $(seq 1 100); do grpc_check "127.0.0.1:$1" > /dev/null 2>&1 && return 0; sleep 0.2; done; return 1; }
ready "$SERVER_PORT" || { echo "the gRPC server did not start; see $run/server.log" >&2; exit 3; }
ready "$PORTICO_PORT" || { echo "portico did not start; see $run/portico.log" >&2; exit 3; }
if [ -n "$COMPARE" ]; then
  ready "$COMPARE_PORT" || { echo "the compared build did not start; see $run/compare.log" >&2; exit 3; }
fi
# The request file, from a real grpc-java client, through Portico: grpc-status 0, message echoed.
checked="$(grpc_check "127.0.0.1:$PORTICO_PORT")" ||
  { echo "the check call through portico failed: $checked; see $run/portico.log" >&2; exit 3; }
echo "grpc-java check through portico: $checked" >&2
for port in "$SERVER_PORT" "$PORTICO_PORT"; do
  [ "$(grpc_status_sample "127.0.0.1:$port")" = 0 ] ||
    { echo "curl's calls to 127.0.0.1:$port did not end with grpc-status: 0" >&2; exit 3; }
done

echo "client: $CLIENT; warming up for ${WARMUP}s (JIT)..." >&2
grpc_load "127.0.0.1:$PORTICO_PORT" "$WARMUP" > /dev/null
[ -z "$COMPARE" ] || grpc_load "127.0.0.1:$COMPARE_PORT" "$WARMUP" > /dev/null
grpc_load "127.0.0.1:$SERVER_PORT" "$((WARMUP / 3 + 1))" > /dev/null

printf '%-8s %5s %10s %8s %8s %6s %10s\n' target round calls_s p50_ms p99_ms errors gc_n/ms/max
declare -A sum
declare -A pairs
for r in $(seq 1 "$ROUNDS"); do
  for t in $targets; do
    name=${t%%:*}; port=${t##*:}
    gclog="$run/gc-$name.log"
    before=0; [ ! -f "$gclog" ] || before=$(wc -l < "$gclog")
    line="$(grpc_load "127.0.0.1:$port" "$DURATION")"
    read -r cps p50 p99 errors <<< "$line"
    gc="-"
    [ "$name" = direct ] || gc="$(gc_pauses "$gclog" "$before" | tr ' ' /)"
    printf '%-8s %5s %10s %8s %8s %6s %10s\n' "$name" "$r" "$cps" "$p50" "$p99" "$errors" "$gc"
    sum[$name]=$(( ${sum[$name]:-0} + cps ))
    if [ "$name" = direct ]; then d50=$p50; d99=$p99; else pairs[$name]+="$d50 $p50 $d99 $p99"$'\n'; fi
  done
done
awk -v p="${sum[portico]}" -v d="${sum[direct]}" \
  'BEGIN { if (d > 0) printf "portico/direct calls/s: %.2f (issue 15 asks >= 0.8)\n", p / d }'
printf '%s' "${pairs[portico]}" | grpc_added
if [ -n "$COMPARE" ]; then
  echo "the compared build ($COMPARE):"
  awk -v p="${sum[compare]}" -v d="${sum[direct]}" \
    'BEGIN { if (d > 0) printf "compare/direct calls/s: %.2f\n", p / d }'
  printf '%s' "${pairs[compare]}" | grpc_added
fi
echo "client: $CLIENT; run files (h2load logs, server and portico output): $run" >&2
trap - EXIT; cleanup
