#!/usr/bin/env bash
# What one gRPC unary call through Portico costs its event loop, as counts rather than timings:
# write and read system calls, CPU ticks and context switches of the event-loop thread per call
# (from /proc, exact and without slowing anything), then system calls by kind (strace -c on that
# thread alone; strace slows the loop, so its reads batch more than they would).
#
# Same placement and harness as bench/grpc-unary.sh (io.portico.bench.GrpcUnaryLoad, one event
# loop). Timings printed by the client are only there to show the calls went through.
#
#   bench/grpc-counts.sh [--in-flight 50] [--duration 8] [--warmup 20] [--jar PORTICO_JAR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
INFLIGHT=50; DURATION=8; WARMUP=20; JAR=""
while [ $# -gt 0 ]; do
  case "$1" in
    --in-flight) INFLIGHT="$2"; shift 2;; --duration) DURATION="$2"; shift 2;;
    --warmup) WARMUP="$2"; shift 2;; --jar) JAR="$2"; shift 2;;
    -h|--help) sed -n 2,10p "$0"; exit 0;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
for t in taskset strace; do command -v "$t" > /dev/null || { echo "missing $t" >&2; exit 2; }; done

bench="$root/bench/target/benchmarks.jar"
[ -f "$bench" ] || (cd "$root" && ./mvnw -q -B -o -pl bench -am package -DskipTests)
if [ -z "$JAR" ]; then "$root/portico" version > /dev/null; JAR="$root/portico-gateway/target/portico.jar"; fi

JVM="-Xms512m -Xmx512m -XX:+UseParallelGC -Dio.netty.leakDetection.level=disabled"
SERVER_PORT=19061; PORTICO_PORT=19115
run="$(mktemp -d -t portico-grpc-counts.XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

taskset -c 0 java $JVM -cp "$bench" io.portico.bench.GrpcUnaryLoad server "$SERVER_PORT" \
  > "$run/server.log" 2>&1 & pids+=($!)
PORTICO_BENCH_PORT=$PORTICO_PORT PORTICO_BENCH_UPSTREAM=127.0.0.1:$SERVER_PORT taskset -c 1 \
  java $JVM -jar "$JAR" run -c "$root/bench/conf/portico-grpc.yaml" > "$run/portico.log" 2>&1 &
pid=$!; pids+=($pid)

client() {  # seconds -> "calls_per_s p50_ms p99_ms errors"
  taskset -c 0 java $JVM -cp "$bench" io.portico.bench.GrpcUnaryLoad client \
    "127.0.0.1:$PORTICO_PORT" "$1" "$INFLIGHT" 64
}
for _ in $(seq 1 300); do grep -q 'serving config' "$run/portico.log" 2> /dev/null && break; sleep 0.2; done
loop=$(grep -l '^portico-io' /proc/"$pid"/task/*/comm | head -1 | awk -F/ '{print $5}')
[ -n "$loop" ] || { echo "portico did not start; see $run/portico.log" >&2; exit 3; }

echo "warming up for ${WARMUP}s (JIT)..." >&2
client "$WARMUP" > /dev/null

# "syscr syscw utime stime voluntary involuntary" of the event-loop thread
counters() {
  local t=/proc/$pid/task/$loop
  echo "$(awk '/^syscr|^syscw/ {printf "%s ", $2}' "$t/io")$(sed 's/.*) //' "$t/stat" |
    awk '{printf "%s %s ", $12, $13}')$(awk '/ctxt/ {printf "%s ", $2}' "$t/status")"
}
a=$(counters); result=$(client "$DURATION"); b=$(counters)
echo "client: $result (calls_per_s p50_ms p99_ms errors)"
awk -v a="$a" -v b="$b" -v r="$result" -v d="$DURATION" -v tick="$(getconf CLK_TCK)" 'BEGIN {
  split(a, x, " "); split(b, y, " "); split(r, z, " "); calls = z[1] * d
  if (calls == 0) { print "no calls completed"; exit 1 }
  n = split("read_syscalls write_syscalls cpu_user_us cpu_sys_us voluntary_cs involuntary_cs", k, " ")
  printf "%-16s %10s\n", "per call", ""
  for (i = 1; i <= n; i++) {
    v = (y[i] - x[i]) / calls; if (i == 3 || i == 4) v *= 1000000 / tick
    printf "%-16s %10.3f\n", k[i], v
  }
}'

strace -c -o "$run/strace.txt" -p "$loop" 2> /dev/null & s=$!
sleep 0.5
result=$(client "$DURATION")
kill -INT "$s"; wait "$s" 2> /dev/null || true
calls=$(awk -v r="$result" -v d="$DURATION" 'BEGIN { split(r, z, " "); print z[1] * d }')
echo "system calls per call under strace ($result):"
awk -v c="$calls" '$NF ~ /^[a-z_0-9]+$/ && $NF != "total" && $4 ~ /^[0-9]+$/ && c > 0 {printf "  %-16s %8.3f\n", $NF, $4 / c}' \
  "$run/strace.txt" | sort -k2,2nr | head -12
