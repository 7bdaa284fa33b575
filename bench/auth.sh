#!/usr/bin/env bash
# Authentication overhead: requests/s of the same proxied route with no plugin, key-auth, jwt
# (HS256) and jwt (RS256), in one Portico process pinned to CPU 1 (wrk on CPU 0), against an
# origin that answers GET /hello on 127.0.0.1:9001 (start one with bench/load.sh's nginx config,
# or the shared harness's upstream). Needs python3, openssl and wrk.
#
#   bench/auth.sh [--rounds 3] [--duration 8] [--warmup 10]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS=3; DURATION=8; WARMUP=10; UPSTREAM=${UPSTREAM:-127.0.0.1:9001}
while [ $# -gt 0 ]; do
  case "$1" in --rounds) ROUNDS="$2"; shift 2;; --duration) DURATION="$2"; shift 2;;
    --warmup) WARMUP="$2"; shift 2;; *) sed -n 2,8p "$0"; exit 2;; esac
done
[ "$(curl -s "http://$UPSTREAM/hello" || true)" = "Hello, World!" ] || { echo "no origin answering http://$UPSTREAM/hello" >&2; exit 3; }
# The flags the benchmark runs with; the launcher adds its class-data sharing archive.
JVM="-Xms512m -Xmx512m -XX:+UseParallelGC -Dio.netty.leakDetection.level=disabled"
"$root/portico" version > /dev/null   # builds the jar when it is missing or stale

dir="$(mktemp -d -t portico-auth.XXXXXX)"; cd "$dir"
openssl genrsa -out rsa.pem 2048 2>/dev/null; openssl rsa -in rsa.pem -pubout -out pub.pem 2>/dev/null
python3 - <<'PY'
import base64, json, hmac, hashlib, subprocess, time
def b64(b): return base64.urlsafe_b64encode(b).rstrip(b'=').decode()
now = int(time.time())
def claims(iss): return b64(json.dumps({"iss": iss, "sub": "bench", "iat": now, "exp": now + 86400}).encode())
h = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()); p = claims("https://hs.example")
sig = hmac.new(b"0123456789abcdef0123456789abcdef-bench", (h + "." + p).encode(), hashlib.sha256).digest()
open("hs.jwt", "w").write(h + "." + p + "." + b64(sig))
h = b64(json.dumps({"alg": "RS256", "typ": "JWT"}).encode()); p = claims("https://rs.example")
sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", "rsa.pem"], input=(h + "." + p).encode(), capture_output=True).stdout
open("rs.jwt", "w").write(h + "." + p + "." + b64(sig))
open("key.sha", "w").write("sha256:" + hashlib.sha256(b"bench-key-0123456789").hexdigest())
PY
cat > auth.yaml <<YAML
listeners: [ { address: 127.0.0.1:19105 } ]
admin: off
services: [ { name: upstream, targets: [ "$UPSTREAM" ] } ]
routes:
  - { name: plain, paths: [ /plain ], strip-prefix: true, service: upstream }
  - name: key
    paths: [ /key ]
    strip-prefix: true
    service: upstream
    plugins: { key-auth: { header-names: [ apikey ] } }
  - name: hs
    paths: [ /hs ]
    strip-prefix: true
    service: upstream
    plugins:
      jwt:
        algorithms: [ HS256 ]
        issuers: [ { issuer: "https://hs.example", secret: "0123456789abcdef0123456789abcdef-bench" } ]
  - name: rs
    paths: [ /rs ]
    strip-prefix: true
    service: upstream
    plugins:
      jwt:
        algorithms: [ RS256 ]
        issuers:
          - issuer: "https://rs.example"
            public-key: |
$(sed 's/^/              /' pub.pem)
consumers: [ { name: bench, credentials: { key-auth: [ { key: "$(cat key.sha)" } ] } } ]
runtime: { io-threads: 1, access-log: off, watch-config: false }
YAML
taskset -c 1 env PORTICO_JAVA_OPTS="$JVM" "$root/portico" run -c auth.yaml > portico.log 2>&1 &
pid=$!; trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -s -o /dev/null http://127.0.0.1:19105/plain/hello && break; sleep 0.1; done

hdr() { case "$1" in key) echo "apikey: bench-key-0123456789";; hs) echo "Authorization: Bearer $(cat hs.jwt)";;
        rs) echo "Authorization: Bearer $(cat rs.jwt)";; *) echo "X-None: 1";; esac; }
for r in plain key hs rs; do taskset -c 0 wrk -t1 -c50 -d"${WARMUP}s" -H "$(hdr $r)" "http://127.0.0.1:19105/$r/hello" > /dev/null; done
for n in $(seq 1 "$ROUNDS"); do
  for r in plain key hs rs; do
    rps=$(taskset -c 0 wrk -t1 -c50 -d"${DURATION}s" -H "$(hdr $r)" "http://127.0.0.1:19105/$r/hello" | awk '/Non-2xx/ {bad=1} /Requests\/sec/ {print $2} END {if (bad) print "NON-2XX" > "/dev/stderr"}')
    echo "$r $rps" | tee -a results
  done
done
echo
for r in plain key hs rs; do
  m=$(awk -v r="$r" '$1 == r {print $2}' results | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "$r $m"
done | awk 'NR == 1 {base = $2} {printf "%-6s %10.0f rps  %.2fx\n", $1, $2, $2 / base}'
