#!/usr/bin/env bash
# What one gRPC unary call through Portico costs its event loop in allocation and where its CPU
# goes, as counts: bytes the event-loop thread allocates per call (jcmd Thread.print -e, exact,
# over a fixed number of h2load calls after a fixed warm-up) and the CPU time it spends per call
# (the thread's /proc schedstat, in nanoseconds, over the same calls), then an async-profiler CPU
# profile of the loop split by what owns each sample (walking from the leaf, the first frame that
# is not JDK, JVM or Netty buffer code decides: kernel, Netty HTTP/2, channel and pipeline, child
# channels, Portico...). Timings printed by h2load only show that the calls went through.
#
#   bench/grpc-alloc.sh [--jar PORTICO_JAR] [--warmup-calls 60000] [--calls 100000]
#                       [--profile-seconds 20] [--out DIR]
#
# Placement as bench/grpc-counts.sh: the gRPC server (io.portico.bench.GrpcUnaryLoad) and h2load
# (50 calls in flight on one h2c connection, 64-byte messages) on CPU 0, Portico with one event
# loop (bench/conf/portico-grpc.yaml) on CPU 1. --jar compares another build with this checkout.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR=""; WARMUP=60000; CALLS=100000; SECONDS_PROFILED=20; OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --jar) JAR="$2"; shift 2;; --warmup-calls) WARMUP="$2"; shift 2;;
    --calls) CALLS="$2"; shift 2;; --profile-seconds) SECONDS_PROFILED="$2"; shift 2;;
    --out) OUT="$2"; shift 2;;
    -h|--help) sed -n 2,15p "$0"; exit 0;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
for t in taskset h2load jcmd; do command -v "$t" > /dev/null || { echo "missing $t" >&2; exit 2; }; done
bench="$root/bench/target/benchmarks.jar"
[ -f "$bench" ] || (cd "$root" && ./mvnw -q -B -o -pl bench -am package -DskipTests)
ap="$root/bench/target/async-profiler/linux-x64/libasyncProfiler.so"
if [ -z "$JAR" ]; then "$root/portico" version > /dev/null; JAR="$root/portico-gateway/target/portico.jar"; fi
OUT="${OUT:-$(mktemp -d -t portico-grpc-alloc.XXXXXX)}"; mkdir -p "$OUT"

JVM="-Xms512m -Xmx512m -XX:+UseParallelGC -Dio.netty.leakDetection.level=disabled"
SERVER_PORT=19071; PORTICO_PORT=19125
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# One gRPC message: a bench.Payload whose field 1 holds 64 zero bytes.
{ printf '\x00\x00\x00\x00\x42\x0a\x40'; head -c 64 /dev/zero; } > "$OUT/request.grpc"
taskset -c 0 java $JVM -cp "$bench" io.portico.bench.GrpcUnaryLoad server "$SERVER_PORT" \
  > "$OUT/server.log" 2>&1 & pids+=($!)
PORTICO_BENCH_PORT=$PORTICO_PORT PORTICO_BENCH_UPSTREAM=127.0.0.1:$SERVER_PORT taskset -c 1 \
  java $JVM -jar "$JAR" run -c "$root/bench/conf/portico-grpc.yaml" > "$OUT/portico.log" 2>&1 &
pid=$!; pids+=($pid)
for _ in $(seq 1 300); do grep -q 'serving config' "$OUT/portico.log" 2> /dev/null && break; sleep 0.2; done
grep -q 'serving config' "$OUT/portico.log" || { echo "portico did not start; see $OUT" >&2; exit 3; }

load() {
  taskset -c 0 h2load -t1 -c1 -m50 "$@" -d "$OUT/request.grpc" -H 'content-type: application/grpc' \
    -H 'te: trailers' "http://127.0.0.1:$PORTICO_PORT/bench.Echo/Unary"
}
allocated() {  # bytes the event-loop thread allocated so far
  jcmd "$pid" Thread.print -e | grep -m1 '^"portico-io' | sed 's/.*allocated=\([0-9.]*\)\([A-Za-z]*\).*/\1 \2/' |
    awk '{ m = $2 == "K" ? 1024 : $2 == "M" ? 1048576 : $2 == "G" ? 1073741824 : 1; printf "%.0f", $1 * m }'
}
oncpu() {  # nanoseconds the event-loop thread has run so far
  local nid
  nid=$(jcmd "$pid" Thread.print | grep -m1 '^"portico-io' | sed 's/.* nid=\(0x[0-9a-f]*\).*/\1/')
  cut -d' ' -f1 "/proc/$pid/task/$((nid))/schedstat"
}
echo "warming up with $WARMUP calls..." >&2
load -n "$WARMUP" > "$OUT/warmup.txt" 2>&1
a=$(allocated); ca=$(oncpu); load -n "$CALLS" > "$OUT/counted.txt" 2>&1; cb=$(oncpu); b=$(allocated)
grep -q "$CALLS succeeded" "$OUT/counted.txt" || { echo "calls failed; see $OUT/counted.txt" >&2; exit 3; }
awk -v a="$a" -v b="$b" -v n="$CALLS" 'BEGIN { printf "event-loop bytes allocated per call: %.0f (jcmd rounds to K or M: +-%.0f)\n", (b - a) / n, 524288 / n }'
awk -v a="$ca" -v b="$cb" -v n="$CALLS" 'BEGIN { printf "event-loop CPU time per call: %.1f us (schedstat)\n", (b - a) / n / 1000 }'

[ -f "$ap" ] || { echo "no async-profiler at $ap: no profile" >&2; exit 0; }
jcmd "$pid" JVMTI.agent_load "$ap" "\"start,event=cpu,interval=1ms,threads\"" > /dev/null
load -D "$SECONDS_PROFILED" > "$OUT/profiled.txt" 2>&1
jcmd "$pid" JVMTI.agent_load "$ap" "\"stop,file=$OUT/cpu.collapsed,collapsed\"" > /dev/null
awk '
  function owner(fr) {
    if (fr ~ /_\[k\]$/) return "kernel";
    if (fr ~ /AbstractHttp2StreamChannel|Http2MultiplexHandler|Http2StreamChannel/) return "child channels (multiplexer, stream channels)";
    if (fr ~ /Http2StreamFrameToHttpObjectCodec|Http2StreamAdapter|Http2RequestHeadCheck|MessageToMessage/) return "per-stream HTTP/1.1 codec";
    if (fr ~ /Http2FrameCodec|DefaultHttp2(Headers|Data|Reset|Settings|WindowUpdate|Ping|GoAway)Frame\.|Http2FrameStream|BurstFlush/) return "frame objects (Http2FrameCodec)";
    if (fr ~ /Http2ClientConnection|Http2ClientStream/) return "Http2ClientConnection, Http2ClientStream";
    if (fr ~ /HttpConversionUtil/) return "HttpConversionUtil";
    if (fr ~ /io\/netty\/handler\/codec\/http2\//) return "Netty HTTP/2 (HPACK, encoder, decoder, flow control)";
    if (fr ~ /io\/netty\/channel\/(DefaultChannelPipeline|AbstractChannelHandlerContext|ChannelOutboundBuffer|AbstractChannel|DefaultChannelPromise|ChannelHandlerMask)/) return "Netty channel, pipeline";
    if (fr ~ /io\/netty\/channel\/(epoll|unix|SingleThreadIoEventLoop)|io\/netty\/util\/concurrent/) return "event loop, epoll";
    if (fr ~ /io\/netty\/handler\/codec\/http\//) return "Netty HTTP/1.1 objects";
    if (fr ~ /io\/portico\//) return "Portico (exchange, upstream call)";
    if (fr ~ /io\/netty\//) return "Netty, other";
    return "";
  }
  $0 ~ /^\[portico-io/ {
    n = $NF; total += n; line = $0; sub(/ [0-9]+$/, "", line); k = split(line, fr, ";"); c = ""
    for (i = k; i >= 2 && c == ""; i--) {
      if (fr[i] ~ /^(java|jdk|sun)\/|^io\/netty\/(buffer|util\/(internal|Recycler|ReferenceCount|AsciiString|collection))|^(Interpreter|JavaCalls|Runtime|SharedRuntime|OptoRuntime)|^\[|^(__|_)?[a-z_]+$/ && fr[i] !~ /_\[k\]$/) continue
      c = owner(fr[i]); if (c == "") c = "other native or JVM"
    }
    s[c == "" ? "JDK, JVM, allocation" : c] += n
  }
  END {
    printf "event-loop CPU samples: %d, by owner:\n", total
    for (c in s) printf "  %5.1f %%  %s\n", 100 * s[c] / total, c | "sort -rn"
  }' "$OUT/cpu.collapsed"
echo "files: $OUT" >&2
