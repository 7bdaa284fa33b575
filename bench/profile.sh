#!/usr/bin/env bash
# What one proxied request costs nginx and Portico on this machine: system calls by kind, context
# switches, user and sys CPU, and for Portico the bytes its event loop allocates and where.
#
#   bench/profile.sh [--paths "/hello /json"] [--targets "nginx portico"] [--conns 50]
#                    [--warmup 40] [--window 10] [--strace-window 8] [--profiler jfr|async]
#                    [--windows "cpu syscalls profile"] [--jvm FLAGS] [--portico DIR] [--out DIR]
#                    [--config FILE]
#
# Placement as in bench/load.sh: the origin (nginx, 1 worker) and wrk on CPU 0; the nginx proxy
# (1 worker) and Portico (./portico run with bench/conf/portico-bench.yaml and the benchmark's JVM
# flags) on CPU 1. Each target is measured alone under `wrk -t1 -c<conns>`, in windows:
#   cpu       user and sys CPU (/proc/<pid>/stat), context switches (/proc/<pid>/task/*/status);
#             requests/s and p99 from wrk (timing-based: the machine's other load moves them;
#             everything else is a count)
#   syscalls  strace -f -ttt -p <pid> on every thread; strace slows the target, so only the calls
#             per request mean anything, not the rate
#   profile   Portico only: bytes allocated per request by the event-loop thread and by the whole
#             JVM (JFR jdk.ThreadAllocationStatistics: exact), allocation sites with their stacks
#             (async-profiler event=alloc), then where the event loop spends its CPU
#             (async-profiler event=cpu, with native and kernel frames)
# Requests served in a window are read from the origin's request counter (stub_status on
# 127.0.0.1:19002), sampled with timestamps where a profiler's start and stop are slow, so they
# are right even while strace slows the target down.
#
#   --paths        request paths (the origin serves /hello, 13 bytes, and /json, 4 KiB)
#   --targets      which proxies to measure: nginx, portico or both
#   --windows      which windows to run: any of cpu, syscalls, profile (default: all three)
#   --warmup       seconds of load on Portico before the first window (JIT)
#   --window       seconds of the cpu window and of each profile window
#   --strace-window  seconds of the syscalls window
#   --profiler     async (default): async-profiler 4.1, from Maven Central into
#                  bench/target/async-profiler on first use; jfr: the JDK's own samples instead
#                  (coarse: one allocation sample per TLAB, Java frames only)
#   --jvm FLAGS    more JVM flags for Portico, e.g. "-Dio.netty.allocator.type=pooled"
#   --portico DIR  run the Portico of another checkout (its ./portico and bench config), e.g. to
#                  measure a change against the current code
#   --out DIR      where the reports and raw files go (default: a new folder under /tmp)
#   --config FILE  Portico's config instead of bench/conf/portico-bench.yaml, relative to the
#                  checkout run, e.g. bench/conf/portico-bench-observability.yaml (its tracing
#                  exports to bench/otlp-sink.py, which is then started on 127.0.0.1:4318)
#
# Prints a summary; DIR keeps per target and path the system calls (strace-*.txt), Portico's
# allocation and CPU report with stacks (portico-*-alloc.txt), the recordings (*.jfr) and wrk's
# output. Needs nginx, wrk, strace, curl (apt-get install -y nginx wrk strace) and unzip.
# Takes about 2 minutes per path.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
PATHS="/hello /json"; TARGETS="nginx portico"; CONNS=50; WARMUP=40; WINDOW=10; STRACE_WINDOW=8
PROFILER=async; PORTICO_ROOT="$root"; OUT=""; WINDOWS="cpu syscalls profile"; JVM_EXTRA=""
CONFIG=bench/conf/portico-bench.yaml
while [ $# -gt 0 ]; do
  case "$1" in
    --paths) PATHS="$2"; shift 2;; --targets) TARGETS="$2"; shift 2;;
    --conns) CONNS="$2"; shift 2;; --warmup) WARMUP="$2"; shift 2;;
    --window) WINDOW="$2"; shift 2;; --strace-window) STRACE_WINDOW="$2"; shift 2;;
    --profiler) PROFILER="$2"; shift 2;; --portico) PORTICO_ROOT="$(cd "$2" && pwd)"; shift 2;;
    --out) OUT="$2"; shift 2;; --windows) WINDOWS="$2"; shift 2;; --jvm) JVM_EXTRA="$2"; shift 2;;
    --config) CONFIG="$2"; shift 2;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2;;
  esac
done
case "$PROFILER" in jfr|async) ;; *) echo "--profiler: $PROFILER (expected: jfr or async)" >&2; exit 2;; esac
for t in nginx wrk strace taskset curl java jcmd unzip; do
  command -v "$t" > /dev/null || { echo "missing $t (apt-get install -y nginx wrk strace)" >&2; exit 2; }
done

# The benchmark's JVM flags (as bench/load.sh), plus the debug information that lets profilers
# name inlined frames exactly; it changes no generated code.
JVM="-Xms512m -Xmx512m -XX:+UseParallelGC -Dio.netty.leakDetection.level=disabled"
JVM="$JVM -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints $JVM_EXTRA"
TICK_US=$((1000000 / $(getconf CLK_TCK)))

OUT="${OUT:-$(mktemp -d -t portico-profile.XXXXXX)}"; mkdir -p "$OUT"; OUT="$(cd "$OUT" && pwd)"
run="$(mktemp -d -t portico-profile-run.XXXXXX)"; chmod 755 "$run"
mkdir -p "$run/up/tmp" "$run/up/www" "$run/px/tmp"
# /json: a 4 KiB JSON document of 49 items (the one of ../shared/bench, so JSON edits have work to do)
python3 -c 'import json,sys
items=[{"id":i,"name":"item-%04d"%i,"price":i*1.5+0.25,"tags":["alpha","beta"],"active":i%2==0} for i in range(49)]
doc=json.dumps({"status":"ok","count":49,"items":items},separators=(",",":"))
sys.stdout.write(doc+" "*(4096-len(doc)) if len(doc)<4096 else doc)' > "$run/up/www/json"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done
  wait 2> /dev/null || true
  rm -rf "$run"
}
trap cleanup EXIT

# ---------------------------------------------------------------- counters

origin_requests() { curl -s http://127.0.0.1:19002/status | awk 'NR == 3 {print $3}'; }

# Every INTERVAL seconds until killed: "<epoch seconds before> <after> <origin requests>".
counter_series() {
  while :; do local t=$EPOCHREALTIME; local n; n=$(origin_requests); echo "$t $EPOCHREALTIME $n"; sleep "$1"; done
}

# "utime stime" in clock ticks: of every thread of a process, or of one thread.
cpu_ticks() { sed 's/.*) //' "/proc/$1${2:+/task/$2}/stat" | awk '{print $12, $13}'; }

# "voluntary nonvoluntary" context switches, summed over the process's threads (or one thread).
ctx_switches() {
  cat /proc/"$1"/task/${2:-*}/status 2> /dev/null |
    awk '/^voluntary_ctxt/ {v += $2} /^nonvoluntary_ctxt/ {n += $2} END {print v, n}'
}

# The thread id of Portico's (only) event loop: the Java thread named portico-io-*.
loop_tid() { grep -l '^portico-io' /proc/"$1"/task/*/comm | head -1 | awk -F/ '{print $5}'; }

# One line of counters: requests cpu_user cpu_sys vol invol [loop_user loop_sys loop_vol loop_invol]
snapshot() {
  local pid=$1 tid=${2:-}
  local line; line="$(origin_requests) $(cpu_ticks "$pid") $(ctx_switches "$pid")"
  [ -n "$tid" ] && line="$line $(cpu_ticks "$pid" "$tid") $(ctx_switches "$pid" "$tid")"
  echo "$line"
}

# Starts wrk for SECONDS against PORT/PATH in the background, its output in FILE.
load() { taskset -c 0 wrk -t1 -c"$CONNS" -d"$3s" --latency "http://127.0.0.1:$1$2" > "$4" & }

wrk_summary() {  # wrk output -> "rps p99_ms"
  awk '/Requests\/sec/ {r = $2}
       /^ +99%/ {v = $2; if (v ~ /us$/) {sub(/us/, "", v); v /= 1000} else if (v ~ /ms$/) {sub(/ms/, "", v)}
                 else if (v ~ /s$/) {sub(/s/, "", v); v *= 1000}; p = v}
       END {printf "%d %.2f\n", r, p}' "$1"
}

# ---------------------------------------------------------------- start the origin and the proxies

"$PORTICO_ROOT/portico" version > /dev/null   # builds the jar when it is missing or stale
taskset -c 0 nginx -p "$run/up/" -c "$root/bench/conf/nginx-upstream.conf" -g 'daemon off;' & pids+=($!)
if [[ " $TARGETS " == *" nginx "* ]]; then
  taskset -c 1 nginx -p "$run/px/" -c "$root/bench/conf/nginx-proxy.conf" -g 'daemon off;' & pids+=($!)
  nginx_master=$!
fi
if [[ " $TARGETS " == *" portico "* ]]; then
  if grep -q '^tracing:' "$PORTICO_ROOT/$CONFIG"; then
    taskset -c 0 python3 "$here/otlp-sink.py" & pids+=($!)
  fi
  PORTICO_BENCH_PORT=19104 PORTICO_BENCH_UPSTREAM=127.0.0.1:19001 taskset -c 1 \
    env PORTICO_JAVA_OPTS="$JVM" "$PORTICO_ROOT/portico" run -c "$PORTICO_ROOT/$CONFIG" \
    > "$OUT/portico.log" 2>&1 & pids+=($!)
  portico_pid=$!   # the launcher execs java: this is the JVM
fi

ready() { for _ in $(seq 1 200); do [ "$(curl -s "http://127.0.0.1:$1/hello" || true)" = "Hello, World!" ] && return 0; sleep 0.05; done; return 1; }
ready 19001 || { echo "the origin did not start" >&2; exit 3; }
[ -z "${nginx_master:-}" ] || ready 19101 || { echo "the nginx proxy did not start" >&2; exit 3; }
[ -z "${portico_pid:-}" ] || ready 19104 || { echo "portico did not start; see $OUT/portico.log" >&2; exit 3; }
[ -n "$(origin_requests)" ] || { echo "the origin's request counter does not answer" >&2; exit 3; }
if [ -n "${nginx_master:-}" ]; then nginx_pid=$(pgrep -P "$nginx_master" | head -1); fi
if [ -n "${portico_pid:-}" ]; then portico_loop=$(loop_tid "$portico_pid"); fi

ap_lib=""
if [ "$PROFILER" = async ] && [ -n "${portico_pid:-}" ]; then
  ap_dir="$root/bench/target/async-profiler"; ap_lib="$ap_dir/linux-x64/libasyncProfiler.so"
  if [ ! -f "$ap_lib" ]; then
    (cd "$root" && ./mvnw -q -B -ntp dependency:copy -Dartifact=tools.profiler:async-profiler:4.1 \
       -DoutputDirectory="$ap_dir") >&2
    (cd "$ap_dir" && unzip -q -o async-profiler-4.1.jar 'linux-x64/*')
  fi
fi

if [ -n "${portico_pid:-}" ]; then
  echo "warming up portico for ${WARMUP}s (JIT)..." >&2
  n_paths=$(echo $PATHS | wc -w)
  for p in $PATHS; do taskset -c 0 wrk -t1 -c"$CONNS" -d"$((WARMUP / n_paths))s" "http://127.0.0.1:19104$p" > /dev/null; done
fi

# ---------------------------------------------------------------- the windows

# cpu window: NAME PORT PID PATH [TID] -> appends a row to $run/cpu.
cpu_window() {
  local name=$1 port=$2 pid=$3 path=$4 tid=${5:-} tag="$1${4//\//-}"
  load "$port" "$path" $((WINDOW + 60)) "$OUT/wrk-$tag.txt"; local w=$!
  sleep 1.5; local a; a=$(snapshot "$pid" "$tid")
  sleep "$WINDOW"; local b; b=$(snapshot "$pid" "$tid")
  kill -INT "$w"; wait "$w" || true   # wrk prints its summary on SIGINT
  echo "$name $path $(wrk_summary "$OUT/wrk-$tag.txt") $a $b" >> "$run/cpu"
}

# syscalls window: strace over every thread, with timestamps, while the origin's counter is
# sampled five times a second; bench/profile/syscalls.awk counts the calls per request. Writes
# strace-NAME-PATH.txt (calls per request by system call; for Portico also its event-loop thread
# alone) and appends its rows to $run/syscalls.
syscall_window() {
  local name=$1 port=$2 pid=$3 path=$4 tag="$1${4//\//-}" series="$run/series-strace-$1${4//\//-}"
  load "$port" "$path" $((STRACE_WINDOW + 60)) /dev/null; local w=$!
  sleep 1.5
  counter_series 0.2 > "$series" & local s=$!
  for t in /proc/"$pid"/task/*; do echo "${t##*/} $(cat "$t/comm" | tr ' ' _)"; done > "$run/threads"
  timeout -s INT "$((STRACE_WINDOW + 1))" strace -f -ttt -e raw=all -o "$run/strace.log" -p "$pid" \
    2> /dev/null || true
  kill "$s" "$w"; wait "$w" 2> /dev/null || true
  awk -f "$here/profile/syscalls.awk" -v target="$name" -v path="$path" \
    -v loop="$([ "$name" = portico ] && echo portico-io)" "$series" "$run/threads" "$run/strace.log" |
    sort -k5,5nr | tee "$OUT/strace-$tag.txt" >> "$run/syscalls"
}

# async-profiler, loaded into the running JVM: ap PID "start,event=..." (the options are quoted
# for jcmd, which would otherwise read them as its own key=value arguments).
ap() { jcmd "$1" JVMTI.agent_load "$ap_lib" "\"$2\"" > /dev/null; }

# profile window (Portico): a JFR recording (allocation counters, and with --profiler jfr the
# samples) and async-profiler's allocation samples, while the origin's counter is sampled five
# times a second (the report lines the two up by time); then, under fresh load, async-profiler's
# CPU samples.
profile_window() {
  local port=$1 pid=$2 path=$3 tag="portico${3//\//-}"
  local jfr="$OUT/$tag.jfr" series="$OUT/$tag-requests.txt" samples=()
  load "$port" "$path" $((WINDOW + 60)) /dev/null; local w=$!
  sleep 1.5
  counter_series 0.2 > "$series" & local s=$!
  jcmd "$pid" JFR.start name=profile settings="$here/profile/portico.jfc" filename="$jfr" > /dev/null
  [ -z "$ap_lib" ] || ap "$pid" "start,event=alloc,alloc=16k,jfr,file=$OUT/$tag-ap-alloc.jfr"
  sleep "$WINDOW"
  [ -z "$ap_lib" ] || ap "$pid" stop
  jcmd "$pid" JFR.stop name=profile > /dev/null
  kill "$s" "$w"; wait "$w" 2> /dev/null || true
  if [ -n "$ap_lib" ]; then
    load "$port" "$path" $((WINDOW + 60)) /dev/null; w=$!
    sleep 1.5
    ap "$pid" "start,event=cpu,interval=1ms,jfr,file=$OUT/$tag-ap-cpu.jfr"
    sleep "$WINDOW"
    ap "$pid" stop
    kill "$w"; wait "$w" 2> /dev/null || true
    samples=(--alloc "$OUT/$tag-ap-alloc.jfr" --cpu "$OUT/$tag-ap-cpu.jfr")
  fi
  java "$here/profile/ProfileReport.java" --thread portico-io --series "$series" --stats "$jfr" \
    "${samples[@]}" > "$OUT/$tag-alloc.txt"
}

wants() { [[ " $WINDOWS " == *" $1 "* ]]; }
touch "$run/cpu" "$run/syscalls"
for p in $PATHS; do
  if [ -n "${nginx_pid:-}" ]; then
    echo "nginx $p..." >&2
    taskset -c 0 wrk -t1 -c"$CONNS" -d2s "http://127.0.0.1:19101$p" > /dev/null
    if wants cpu; then cpu_window nginx 19101 "$nginx_pid" "$p"; fi
    if wants syscalls; then syscall_window nginx 19101 "$nginx_pid" "$p"; fi
  fi
  if [ -n "${portico_pid:-}" ]; then
    echo "portico $p..." >&2
    if wants cpu; then cpu_window portico 19104 "$portico_pid" "$p" "$portico_loop"; fi
    if wants syscalls; then syscall_window portico 19104 "$portico_pid" "$p"; fi
    if wants profile; then profile_window 19104 "$portico_pid" "$p"; fi
  fi
done

# ---------------------------------------------------------------- the summary

# CPU time and context switches per request, from the cpu windows' counters.
cpu_table() {
  echo "# CPU and context switches per request (rps and p99 are timing; the rest are counts)"
  printf '%-8s %-6s %7s %7s %8s %8s %8s %8s %10s %10s\n' target path rps p99_ms \
    user_us sys_us vcs inv_cs loop_usr loop_sys
  awk -v tick="$TICK_US" '{
      # name path rps p99 | a: req u s v n [lu ls lv ln] | b: the same
      half = (NF - 4) / 2; split("", a); split("", b)
      for (i = 1; i <= half; i++) { a[i] = $(4 + i); b[i] = $(4 + half + i) }
      req = b[1] - a[1]
      lu = "-"; ls = "-"
      if (half > 5) { lu = sprintf("%.2f", (b[6] - a[6]) * tick / req); ls = sprintf("%.2f", (b[7] - a[7]) * tick / req) }
      printf "%-8s %-6s %7d %7.2f %8.2f %8.2f %8.4f %8.4f %10s %10s\n", $1, $2, $3, $4,
        (b[2] - a[2]) * tick / req, (b[3] - a[3]) * tick / req, (b[4] - a[4]) / req, (b[5] - a[5]) / req, lu, ls
    }' "$run/cpu"
  echo "  user_us/sys_us: CPU µs per request of the whole process (nginx: the worker; Portico: the JVM);"
  echo "  the kernel splits user from sys by sampling at each tick, their sum is exact"
  echo "  vcs/inv_cs: voluntary/involuntary context switches per request; loop_*: Portico's event-loop thread"
  echo
}

# Calls per request by system call, one column per target, most frequent first.
syscall_table() {
  awk -v p="$1" '$2 == p {t[$1] = 1; c[$3] = 1; v[$1, $3] = $5; n[$1, $3] = $4; if ($5 > m[$3]) m[$3] = $5}
    END {
      nt = 0; for (x in t) names[++nt] = x; asort(names)
      printf "%-18s", "syscall"; for (i = 1; i <= nt; i++) printf " %12s", names[i]; print ""
      nc = 0; for (x in c) if (x != "(requests)") rows[++nc] = sprintf("%012.6f %s", m[x], x)
      asort(rows)
      for (j = nc; j >= 1; j--) {
        split(rows[j], r, " "); printf "%-18s", r[2]
        for (i = 1; i <= nt; i++) printf " %12.4f", v[names[i], r[2]]
        print ""
      }
      printf "%-18s", "(requests)"; for (i = 1; i <= nt; i++) printf " %12d", n[names[i], "(requests)"]
      print ""
    }' "$run/syscalls"
}

{
  if wants cpu; then cpu_table; fi
  if wants syscalls; then
    echo "# System calls per request (strace -f; every thread of the process; portico-loop: its event loop)"
    for p in $PATHS; do
      echo "## $p"
      syscall_table "$p"
    done
    echo
  fi
  if [ -n "${portico_pid:-}" ] && wants profile; then
    echo "# Portico allocation (details and stacks: $OUT/portico-*-alloc.txt)"
    for p in $PATHS; do
      echo "## $p"; sed -n '/^# Bytes per request/,/^$/p' "$OUT/portico${p//\//-}-alloc.txt"
    done
  fi
} | tee "$OUT/summary.txt"
echo "reports and raw files: $OUT" >&2
