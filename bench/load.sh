#!/usr/bin/env bash
# Portico beside nginx as reverse proxies, in one run, on this machine; prints rps, latency and
# the ratio to nginx.
#
# Placement: the upstream (nginx, 1 worker) and wrk on CPU 0; each proxy alone on CPU 1 with one
# event loop / one worker, so the figures are "requests per proxy core". Needs nginx and wrk
# (apt-get install -y nginx wrk). Builds Portico first if needed.
#
#   bench/load.sh [--paths "/hello /json"] [--conns 50] [--duration 15] [--warmup 40] [--rounds 3]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PATHS="/hello /json"; CONNS=50; DURATION=15; WARMUP=40; ROUNDS=3
while [ $# -gt 0 ]; do
  case "$1" in
    --paths) PATHS="$2"; shift 2;; --conns) CONNS="$2"; shift 2;;
    --duration) DURATION="$2"; shift 2;; --warmup) WARMUP="$2"; shift 2;;
    --rounds) ROUNDS="$2"; shift 2;; -h|--help) sed -n 2,9p "$0"; exit 0;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
for t in nginx wrk taskset curl; do command -v "$t" >/dev/null || { echo "missing $t (apt-get install -y nginx wrk)" >&2; exit 2; }; done

# The flags the benchmark runs with; the launcher adds its class-data sharing archive.
JVM="-Xms512m -Xmx512m -XX:+UseParallelGC -Dio.netty.leakDetection.level=disabled"
"$root/portico" version > /dev/null   # builds the jar when it is missing or stale

run="$(mktemp -d -t portico-load.XXXXXX)"; chmod 755 "$run"
mkdir -p "$run/up/tmp" "$run/up/www" "$run/px/tmp"
# /json: a 4 KiB JSON document of 49 items (the one of ../shared/bench, so JSON edits have work to do)
python3 -c 'import json,sys
items=[{"id":i,"name":"item-%04d"%i,"price":i*1.5+0.25,"tags":["alpha","beta"],"active":i%2==0} for i in range(49)]
doc=json.dumps({"status":"ok","count":49,"items":items},separators=(",",":"))
sys.stdout.write(doc+" "*(4096-len(doc)) if len(doc)<4096 else doc)' > "$run/up/www/json"
# /xml: the same 49 items as an XML document, for json-xml (portico-bench-json-xml.yaml)
python3 -c 'import sys
items="".join("<item id=\"%d\"><name>item-%04d</name><price>%s</price><tag>alpha</tag><tag>beta</tag><active>%s</active></item>"%(i,i,i*1.5+0.25,"true" if i%2==0 else "false") for i in range(49))
sys.stdout.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?><catalogue status=\"ok\" count=\"49\">"+items+"</catalogue>")' > "$run/up/www/xml"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

taskset -c 0 nginx -p "$run/up/" -c "$root/bench/conf/nginx-upstream.conf" -g 'daemon off;' & pids+=($!)
taskset -c 1 nginx -p "$run/px/" -c "$root/bench/conf/nginx-proxy.conf" -g 'daemon off;' & pids+=($!)
PORTICO_BENCH_PORT=19104 PORTICO_BENCH_UPSTREAM=127.0.0.1:19001 taskset -c 1 \
  env PORTICO_JAVA_OPTS="$JVM" "$root/portico" run -c "$root/bench/conf/portico-bench.yaml" > "$run/portico.log" 2>&1 & pids+=($!)

ready() { for _ in $(seq 1 200); do [ "$(curl -s "http://127.0.0.1:$1/hello" || true)" = "Hello, World!" ] && return 0; sleep 0.05; done; return 1; }
ready 19101 || { echo "nginx proxy did not start" >&2; exit 3; }
ready 19104 || { echo "portico did not start; see $run/portico.log" >&2; exit 3; }

echo "warming up portico for ${WARMUP}s (JIT)..." >&2
for p in $PATHS; do taskset -c 0 wrk -t1 -c"$CONNS" -d"$((WARMUP / $(echo $PATHS | wc -w)))s" "http://127.0.0.1:19104$p" > /dev/null; done

measure() {  # port path -> "rps p99ms"
  taskset -c 0 wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency "http://127.0.0.1:$1$2" |
    awk '/Requests\/sec/ {r=$2} /^ +99%/ {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; p=v} END {printf "%d %.2f\n", r, p}'
}
printf '%-8s %-6s %6s %10s %8s\n' target path round rps p99_ms
declare -A sum
for p in $PATHS; do
  for r in $(seq 1 "$ROUNDS"); do
    for t in nginx:19101 portico:19104; do
      name=${t%%:*}; port=${t##*:}
      read -r rps p99 < <(measure "$port" "$p")
      printf '%-8s %-6s %6s %10s %8s\n' "$name" "$p" "$r" "$rps" "$p99"
      echo "$rps $p99" >> "$run/$name-${p//\//_}"
    done
  done
done
echo
printf '%-6s %12s %12s %8s %14s %14s %8s\n' path nginx_rps portico_rps ratio nginx_p99 portico_p99 p99_x
for p in $PATHS; do
  f="${p//\//_}"
  med() { sort -n -k"$2" "$1" | awk -v c="$2" '{a[NR]=$c} END {print a[int((NR+1)/2)]}'; }
  nr=$(med "$run/nginx-$f" 1); pr=$(med "$run/portico-$f" 1)
  np=$(med "$run/nginx-$f" 2); pp=$(med "$run/portico-$f" 2)
  awk -v p="$p" -v nr="$nr" -v pr="$pr" -v np="$np" -v pp="$pp" \
    'BEGIN {printf "%-6s %12d %12d %8.2f %14.2f %14.2f %8.2f\n", p, nr, pr, pr/nr, np, pp, pp/np}'
done
