#!/usr/bin/env bash
# System calls per proxied request, Portico beside nginx, for the same exchange and the same load:
# each proxy in front of the same nginx origin, one event loop / one worker, driven by wrk on
# keep-alive connections for a fixed number of requests while strace counts the calls of the
# threads that serve them (Portico's event loops, nginx's worker). Prints, per system call, the
# calls per request of each, and the totals side by side.
#
# Requests are counted at the origin (nginx's stub_status), so the figures stay exact while strace
# slows the proxies down, by an order of magnitude: a run gives counts only, no throughput or
# latency. Needs nginx, wrk and strace (apt-get install -y nginx wrk strace) and ptrace rights over
# one's own processes (kernel.yama.ptrace_scope 0, or root). Builds Portico first if needed.
#
#   bench/syscalls.sh [--path /hello] [--requests 100000] [--conns 50] [--warmup 20000]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PATH_="/hello"; REQUESTS=100000; CONNS=50; WARMUP=20000
while [ $# -gt 0 ]; do
  case "$1" in
    --path) PATH_="$2"; shift 2;; --requests) REQUESTS="$2"; shift 2;;
    --conns) CONNS="$2"; shift 2;; --warmup) WARMUP="$2"; shift 2;;
    -h|--help) sed -n 2,13p "$0"; exit 0;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
for t in nginx wrk strace curl; do command -v "$t" >/dev/null || { echo "missing $t (apt-get install -y nginx wrk strace)" >&2; exit 2; }; done
[ "$CONNS" -le "$REQUESTS" ] || { echo "--conns must not exceed --requests" >&2; exit 2; }

JVM="-Xms512m -Xmx512m -XX:+UseParallelGC -Dio.netty.leakDetection.level=disabled"
"$root/portico" version > /dev/null   # builds the jar when it is missing or stale

run="$(mktemp -d -t portico-syscalls.XXXXXX)"; chmod 755 "$run"
mkdir -p "$run/up/tmp" "$run/up/www" "$run/px/tmp"
python3 -c 'import json,sys
items=[{"id":i,"name":"item-%04d"%i,"price":i*1.5+0.25,"tags":["alpha","beta"],"active":i%2==0} for i in range(49)]
doc=json.dumps({"status":"ok","count":49,"items":items},separators=(",",":"))
sys.stdout.write(doc+" "*(4096-len(doc)) if len(doc)<4096 else doc)' > "$run/up/www/json"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

nginx -p "$run/up/" -c "$root/bench/conf/nginx-upstream.conf" -g 'daemon off;' & pids+=($!)
nginx -p "$run/px/" -c "$root/bench/conf/nginx-proxy.conf" -g 'daemon off;' & pids+=($!)
PORTICO_BENCH_PORT=19104 PORTICO_BENCH_UPSTREAM=127.0.0.1:19001 \
  env PORTICO_JAVA_OPTS="$JVM" "$root/portico" run -c "$root/bench/conf/portico-bench.yaml" > "$run/portico.log" 2>&1 & pids+=($!)

ready() { for _ in $(seq 1 200); do [ "$(curl -s "http://127.0.0.1:$1/hello" || true)" = "Hello, World!" ] && return 0; sleep 0.05; done; return 1; }
ready 19101 || { echo "nginx proxy did not start" >&2; exit 3; }
ready 19104 || { echo "portico did not start; see $run/portico.log" >&2; exit 3; }

# Requests proxied = requests the origin served (its stub_status counter on 127.0.0.1:19002, which
# counts each read of itself too). wrk runs until the origin has served the number asked for.
origin_requests() { curl -s http://127.0.0.1:19002/status | awk 'NR == 3 {print $3}'; }
drive() {  # port requests -> the requests the origin served meanwhile
  local before after polls=1
  before=$(origin_requests)
  wrk -t1 -c"$CONNS" -d600s "http://127.0.0.1:$1$PATH_" > /dev/null & local w=$!
  while :; do
    after=$(origin_requests); polls=$((polls + 1))
    [ $((after - before - polls + 1)) -ge "$2" ] && break
    kill -0 "$w" 2>/dev/null || { echo "wrk stopped early" >&2; exit 3; }
    sleep 0.05
  done
  kill "$w" 2>/dev/null || true; wait "$w" 2>/dev/null || true
  after=$(origin_requests); polls=$((polls + 1))
  echo $((after - before - polls + 1))
}

# The threads that serve requests: nginx's worker process; Portico's event loop threads.
nginx_worker() { pgrep -P "$(cat "$run/px/proxy.pid")" | head -1; }
portico_java() { pgrep -f "portico-bench.yaml" | while read -r p; do [ "$(cat /proc/"$p"/comm)" = java ] && echo "$p"; done | head -1; }
portico_loops() { local p; p=$(portico_java); grep -l '^portico-io' /proc/"$p"/task/*/comm | awk -F/ '{print $5}'; }

count() {  # name port tids... -> "$run/<name>.strace" and "$run/<name>.requests"
  local name=$1 port=$2; shift 2
  local args=(); for t in "$@"; do args+=(-p "$t"); done
  drive "$port" "$WARMUP" > /dev/null            # warm-up: JIT, pooled upstream connections
  strace -c -o "$run/$name.strace" "${args[@]}" & local s=$!
  sleep 1                                         # strace attached
  drive "$port" "$REQUESTS" > "$run/$name.requests"
  sleep 0.5; kill -INT "$s"; wait "$s" 2>/dev/null || true
}

echo "warming up and counting ${REQUESTS} requests of $PATH_ on each..." >&2
count nginx 19101 "$(nginx_worker)"
# shellcheck disable=SC2046
count portico 19104 $(portico_loops)

# strace -c table: % time, seconds, usecs/call, calls, [errors], syscall
table() { awk 'NF >= 5 && $1 ~ /^[0-9.]+$/ && $NF != "total" {print $NF, $4}' "$1"; }
nr=$(cat "$run/nginx.requests"); pr=$(cat "$run/portico.requests")
join -a1 -a2 -e0 -o 0,1.2,2.2 <(table "$run/nginx.strace" | sort) <(table "$run/portico.strace" | sort) |
  awk -v nr="$nr" -v pr="$pr" '
    BEGIN {printf "requests: nginx %d, portico %d (%s, keep-alive)\n\n%-20s %12s %12s\n", nr, pr, "'"$PATH_"'", "syscall", "nginx/req", "portico/req"}
    {n=$2/nr; p=$3/pr; tn+=n; tp+=p; printf "%-20s %12.3f %12.3f\n", $1, n, p}
    END {printf "%-20s %12.3f %12.3f\n", "total", tn, tp}'
echo >&2; echo "raw strace tables: $run/nginx.strace $run/portico.strace" >&2
trap - EXIT; cleanup
