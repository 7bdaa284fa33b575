#!/usr/bin/env bash
# Times GET /metrics on a gateway with many routes that all carried traffic.
#   bench/scrape-1000.sh                       # 1,000 routes over 10 services, 200 timed scrapes
#   bench/scrape-1000.sh --routes 2000 --scrapes 500 --warmup 50
# Starts a small Python origin (200 on .../ok, 404 on .../missing) and Portico (./portico, one event
# loop) with a generated config, sends GET .../ok to every route and GET .../missing to every tenth,
# scrapes /metrics --warmup times, then times --scrapes scrapes one after the other with curl
# (time_total: connect, request, the whole body) and prints median, p90, p99, max, the body size,
# the number of series and the CPU time the gateway process spent per scrape (/proc, user + system:
# unlike the wall-clock times, it hardly grows when other work shares the machine). Needs python3
# and curl.
set -euo pipefail
routes=1000
services=10
scrapes=200
warmup=30
port=19105
admin=19905
origin=19006
while [ $# -gt 0 ]; do
  case "$1" in
    --routes) routes=$2; shift 2 ;;
    --services) services=$2; shift 2 ;;
    --scrapes) scrapes=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --admin-port) admin=$2; shift 2 ;;
    --origin-port) origin=$2; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d /tmp/portico-scrape.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

cat >"$work/origin.py" <<'EOF'
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        status = 404 if self.path.endswith("/missing") else 200
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass

ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
EOF
python3 "$work/origin.py" "$origin" &
pids+=($!)

{
  echo "listeners:"
  echo "  - address: 127.0.0.1:$port"
  echo "admin:"
  echo "  address: 127.0.0.1:$admin"
  echo "services:"
  for s in $(seq 1 "$services"); do
    echo "  - name: service-$s"
    echo "    targets: [ \"127.0.0.1:$origin\" ]"
  done
  echo "routes:"
  for r in $(seq 1 "$routes"); do
    echo "  - name: route-$r"
    echo "    paths: [ /r$r ]"
    echo "    service: service-$(( (r - 1) % services + 1 ))"
  done
  echo "runtime:"
  echo "  io-threads: 1"
  echo "  access-log: off"
  echo "  watch-config: false"
} >"$work/portico.yaml"

PORTICO_JAVA_OPTS="${PORTICO_JAVA_OPTS:--Xms256m -Xmx512m -XX:+UseParallelGC -Dio.netty.leakDetection.level=disabled}" \
  "$here/portico" run -c "$work/portico.yaml" >"$work/portico.log" 2>&1 &
gateway=$!
pids+=("$gateway")
for _ in $(seq 300); do
  curl -sf -o /dev/null "http://127.0.0.1:$admin/metrics" && break
  sleep 0.2
done

# One curl for all the traffic: every URL on kept-alive connections.
for r in $(seq 1 "$routes"); do
  echo "url = \"http://127.0.0.1:$port/r$r/ok\""
  echo "output = /dev/null"
  if [ $((r % 10)) -eq 0 ]; then
    echo "url = \"http://127.0.0.1:$port/r$r/missing\""
    echo "output = /dev/null"
  fi
done >"$work/traffic.curl"
curl -s -K "$work/traffic.curl"

for _ in $(seq "$warmup"); do
  curl -s -o /dev/null "http://127.0.0.1:$admin/metrics"
done
curl -s -o "$work/scrape.txt" "http://127.0.0.1:$admin/metrics"
cpu() { awk '{print $14 + $15}' "/proc/$gateway/stat"; }
cpu_before=$(cpu)
for _ in $(seq "$scrapes"); do
  curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$admin/metrics"
done >"$work/times.txt"
cpu_after=$(cpu)
cpu_ms=$(awk -v a="$cpu_before" -v b="$cpu_after" -v hz="$(getconf CLK_TCK)" -v n="$scrapes" \
  'BEGIN {printf "%.1f", (b - a) * 1000 / hz / n}')

series=$(grep -vc '^#' "$work/scrape.txt")
requests=$(grep '^portico_requests_total{' "$work/scrape.txt" | awk '{s += $2} END {print s}')
sort -g "$work/times.txt" | awk -v n="$scrapes" -v bytes="$(wc -c <"$work/scrape.txt")" \
  -v series="$series" -v routes="$routes" -v requests="$requests" '
  { t[NR] = $1 * 1000 }
  function at(q,   i) { i = int(q * n + 0.999999); if (i < 1) i = 1; if (i > n) i = n; return t[i] }
  END {
    printf "routes=%d requests_counted=%d series=%d body=%d bytes scrapes=%d\n", routes, requests, series, bytes, n
    printf "scrape ms: median=%.1f p90=%.1f p99=%.1f max=%.1f\n", at(0.5), at(0.9), at(0.99), t[n]
  }'
echo "gateway CPU per scrape: $cpu_ms ms"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "(config, scrape and times in $work)"
