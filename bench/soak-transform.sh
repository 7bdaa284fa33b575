#!/usr/bin/env bash
# Memory soak of a transforming route: wrk drives a route with response-transformer (a JSON edit:
# deny two fields, rename one) and compression (gzip) against a local upstream serving a 4 KiB
# JSON document, while the gateway's RSS is sampled every 10 s into a CSV. It measures memory, not
# throughput: the rate is kept low and steady (one wrk thread, few connections).
#
#   bench/soak-transform.sh [DURATION_SECONDS] [--conns 8] [--out soak.csv] [--port 19204]
#
# DURATION_SECONDS defaults to 600 (10 minutes); 20 gives a short smoke run. The CSV has one row
# per sample: elapsed seconds, RSS in KiB, and the requests wrk had completed by then is in the
# summary printed at the end. Needs wrk, curl and python3. Builds Portico first if needed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION=600; CONNS=8; OUT=""; PORT=19204; UPORT=19201
if [ $# -gt 0 ] && [[ "$1" =~ ^[0-9]+$ ]]; then DURATION="$1"; shift; fi
while [ $# -gt 0 ]; do
  case "$1" in
    --conns) CONNS="$2"; shift 2;; --out) OUT="$2"; shift 2;; --port) PORT="$2"; shift 2;;
    -h|--help) sed -n 2,11p "$0"; exit 0;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
for t in wrk curl python3; do command -v "$t" >/dev/null || { echo "missing $t" >&2; exit 2; }; done
"$root/portico" version > /dev/null   # builds the jar when it is missing or stale

run="$(mktemp -d -t portico-soak.XXXXXX)"
OUT="${OUT:-$run/rss.csv}"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# The upstream: a 4 KiB JSON document with fields to deny and rename.
cat > "$run/upstream.py" <<'PY'
import json, sys
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
doc = json.dumps({"id": 7, "name": "Ada", "password": "p", "token": "t",
                  "items": [{"n": i, "text": "x" * 40} for i in range(60)]}).encode()
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(doc)))
        self.end_headers()
        self.wfile.write(doc)
    def log_message(self, *a):
        pass
ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
python3 "$run/upstream.py" "$UPORT" & pids+=($!)

cat > "$run/portico.yaml" <<YAML
listeners:
  - address: 127.0.0.1:$PORT
admin: off
services:
  - name: upstream
    targets: [ "127.0.0.1:$UPORT" ]
routes:
  - name: soak
    paths: [ "/" ]
    service: upstream
    plugins:
      response-transformer:
        json: { deny: [ password, token ], rename: { name: fullName } }
      compression: { min-size: 1 }
runtime:
  io-threads: 1
  access-log: off
  watch-config: false
YAML
PORTICO_JAVA_OPTS="-Xms256m -Xmx256m -XX:+UseSerialGC -Dio.netty.leakDetection.level=simple" \
  "$root/portico" run -c "$run/portico.yaml" > "$run/portico.log" 2>&1 & gw=$!; pids+=($gw)

for _ in $(seq 1 400); do
  curl -sf -H 'Accept-Encoding: gzip' -o /dev/null "http://127.0.0.1:$PORT/doc" && break; sleep 0.05
done
body="$(curl -sf --compressed "http://127.0.0.1:$PORT/doc")" ||
  { echo "portico did not start; see $run/portico.log" >&2; exit 3; }
case "$body" in *password*|*'"name"'*) echo "the route does not transform: $body" >&2; exit 3;; esac

echo "elapsed_s,rss_kib" > "$OUT"
sample() { echo "$1,$(ps -o rss= -p "$gw" | tr -d ' ')" >> "$OUT"; }
wrk -t1 -c"$CONNS" -d"${DURATION}s" -H 'Accept-Encoding: gzip' "http://127.0.0.1:$PORT/doc" \
  > "$run/wrk.txt" 2>&1 & load=$!; pids+=($load)
start=$SECONDS
sample 0
while kill -0 "$load" 2>/dev/null; do
  sleep 10
  kill -0 "$gw" 2>/dev/null || { echo "portico exited; see $run/portico.log" >&2; exit 4; }
  sample $((SECONDS - start))
done
wait "$load" || true
[ "$(tail -1 "$OUT" | cut -d, -f1)" = "$((SECONDS - start))" ] || sample $((SECONDS - start))

if grep -q "LEAK" "$run/portico.log"; then echo "buffer leak reported; see $run/portico.log" >&2; fi
echo "samples: $OUT"
grep -E "Requests/sec|requests in|Non-2xx|Socket errors" "$run/wrk.txt" || true
awk -F, 'NR==2 {first=$2} NR>1 {last=$2; if ($2>max) max=$2} END {printf "rss KiB: first %d, last %d, max %d\n", first, last, max}' "$OUT"
