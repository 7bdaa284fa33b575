#!/usr/bin/env bash
# The console with 1,000 routes and 1,000 consumers: what each page costs, and what an open
# console costs the proxied traffic.
#   bench/console.sh                          # --routes 1000 --consumers 1000 --calls 20 --duration 15 --rounds 3
#   bench/console.sh --duration 2 --rounds 1 --calls 3    # a smoke test of a few seconds
#   bench/console.sh --origin-port 19011                  # beside a running bench/load.sh
# Starts the nginx origin of bench/load.sh (bench/conf/nginx-upstream.conf, 127.0.0.1:19001) and
# Portico (./portico, one event loop, per-consumer metrics on) with a generated config of --routes
# routes over 10 services and --consumers key-auth consumers, sends one request per route and one
# per consumer, then:
#  (a) times the admin calls each console page makes (--calls times each, one after the other, with
#      curl; median and max of the page's calls together), and loads the overview in headless
#      Chromium (Debian's chromium) until its route table is drawn;
#  (b) measures proxied requests/s with wrk, without and then with the overview open in headless
#      Chromium (refreshing as it does), alternating, --rounds times, and prints the ratio.
# Placement: Portico alone on CPU 1; the origin, wrk and curl on CPU 0, as in load.sh; Chromium on
# CPUs 2 and up when the machine has them, else on CPU 0: never on Portico's CPU. Needs nginx,
# python3, curl, wrk, taskset and chromium (apt-get install -y nginx wrk chromium). The origin
# listens on load.sh's ports (19001 and 19002) unless --origin-port names others.
set -euo pipefail
routes=1000
services=10
consumers=1000
calls=20
duration=15
rounds=3
conns=50
port=19107
admin=19907
origin=19001   # bench/conf/nginx-upstream.conf's listener; its status listener is the next port
while [ $# -gt 0 ]; do
  case "$1" in
    --routes) routes=$2; shift 2 ;;
    --consumers) consumers=$2; shift 2 ;;
    --calls) calls=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --conns) conns=$2; shift 2 ;;
    --origin-port) origin=$2; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
for t in nginx python3 curl wrk taskset chromium; do
  command -v "$t" >/dev/null || { echo "missing $t (apt-get install -y nginx wrk chromium)" >&2; exit 2; }
done
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d /tmp/portico-console.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

# CPUs: Portico alone on 1; the origin, wrk and curl on 0; Chromium on 2 and up when there are
# more than two, else on 0 with the load (a browser on Portico's CPU would measure the browser).
cpus=$(nproc)
if [ "$cpus" -ge 3 ]; then browser_cpus="2-$((cpus - 1))"; else browser_cpus=0; fi
echo "placement: portico on CPU 1; origin (nginx), wrk and curl on CPU 0; chromium on CPU $browser_cpus ($cpus CPUs)"

# The origin of bench/load.sh: nginx, one worker, its config with the listeners moved to --origin-port
# and the next port; GET /hello answers 13 bytes.
for p in "$origin" "$((origin + 1))"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "port $p is in use (bench/load.sh running?); choose others with --origin-port" >&2
    exit 3
  fi
done
mkdir -p "$work/up/tmp" "$work/up/www"
chmod 755 "$work"
sed -e "s/127\.0\.0\.1:19001/127.0.0.1:$origin/" -e "s/127\.0\.0\.1:19002/127.0.0.1:$((origin + 1))/" \
  "$here/bench/conf/nginx-upstream.conf" >"$work/up/nginx.conf"
taskset -c 0 nginx -p "$work/up/" -c "$work/up/nginx.conf" -g 'daemon off;' 2>"$work/origin.log" &
pids+=($!)
for _ in $(seq 100); do
  [ "$(curl -s "http://127.0.0.1:$origin/hello" || true)" = "Hello, World!" ] && break
  sleep 0.05
done
[ "$(curl -s "http://127.0.0.1:$origin/hello" || true)" = "Hello, World!" ] ||
  { echo "the nginx origin did not start; see $work/origin.log" >&2; exit 3; }

# No account and no admin token: the loopback admin API and console are open, so curl and the
# browser need no sign-in. Consumer keys are key-1 ... key-N.
python3 - "$routes" "$services" "$consumers" "$port" "$admin" "$origin" >"$work/portico.yaml" <<'EOF'
import hashlib, sys
routes, services, consumers, port, admin, origin = map(int, sys.argv[1:])
# Each route strips its prefix, so /r7/hello reaches the origin as /hello.
print(f"listeners:\n  - address: 127.0.0.1:{port}\nadmin:\n  address: 127.0.0.1:{admin}")
print(f"metrics:\n  per-consumer: true\n  max-consumers: {max(consumers, 1)}")
print("services:")
for s in range(1, services + 1):
    print(f"  - name: service-{s}\n    targets: [ \"127.0.0.1:{origin}\" ]")
print("routes:")
for r in range(1, routes + 1):
    print(f"  - name: route-{r}\n    paths: [ /r{r} ]\n    strip-prefix: true\n    service: service-{(r - 1) % services + 1}")
print(f"  - name: keyed\n    paths: [ /keyed ]\n    strip-prefix: true\n    service: service-1\n    plugins:\n      key-auth: {{}}")
print("consumers:")
for c in range(1, consumers + 1):
    h = hashlib.sha256(f"key-{c}".encode()).hexdigest()
    print(f"  - name: consumer-{c}\n    credentials:\n      key-auth: {{ key: \"sha256:{h}\" }}")
print("runtime:\n  io-threads: 1\n  access-log: off\n  watch-config: false")
EOF

env -u PORTICO_ADMIN_PASSWORD \
  PORTICO_JAVA_OPTS="${PORTICO_JAVA_OPTS:--Xms256m -Xmx512m -XX:+UseParallelGC -Dio.netty.leakDetection.level=disabled}" \
  taskset -c 1 "$here/portico" run -c "$work/portico.yaml" >"$work/portico.log" 2>&1 &
pids+=($!)
for _ in $(seq 300); do
  curl -sf -o /dev/null "http://127.0.0.1:$admin/status" && break
  sleep 0.2
done
curl -sf -o /dev/null "http://127.0.0.1:$admin/status" || { echo "portico did not start; see $work/portico.log" >&2; exit 3; }
[ "$(curl -s "http://127.0.0.1:$port/r1/hello")" = "Hello, World!" ] ||
  { echo "the nginx origin does not answer through portico; see $work/origin.log and $work/portico.log" >&2; exit 3; }

# Traffic on every route and from every consumer, on kept-alive connections.
{
  for r in $(seq 1 "$routes"); do printf 'url = "http://127.0.0.1:%s/r%s/hello"\noutput = /dev/null\n' "$port" "$r"; done
} >"$work/routes.curl"
taskset -c 0 curl -s -K "$work/routes.curl"
for c in $(seq 1 "$consumers"); do
  printf 'url = "http://127.0.0.1:%s/keyed/hello"\nheader = "apikey: key-%s"\noutput = /dev/null\n' "$port" "$c"
done >"$work/consumers.curl"
taskset -c 0 curl -s -K "$work/consumers.curl"

# (a) The admin calls of each page, as the console makes them (overview: one refresh, with the
# health of the 10 services it shows; the list pages: their last page, and a search).
a="http://127.0.0.1:$admin"
health=""
for s in $(seq 1 "$services"); do health="$health /services/service-$s/health"; done
declare -A pages=(
  [overview]="/metrics/summary /status /alerts$health"
  [overview-first]="/config /auth/me"
  [alerts]="/alerts"
  [audit]="/audit?limit=50"
  [accounts]="/auth/accounts"
  [my-account]="/auth/me /auth/sessions /auth/tokens"
  [services]="/services?q=&limit=50&offset=0"
  [routes]="/routes?q=&limit=50&offset=950"
  [routes-search]="/routes?q=route-99&limit=50&offset=0"
  [consumers]="/consumers?q=&limit=20&offset=980"
  [consumers-search]="/consumers?q=consumer-99&limit=20&offset=0"
)
printf '%-16s %10s %10s %12s\n' page median_ms max_ms bytes
for page in overview overview-first services routes routes-search consumers consumers-search \
  alerts audit accounts my-account; do
  : >"$work/page-$page.txt"
  bytes=0
  for _ in $(seq "$calls"); do
    total=0
    bytes=0
    for path in ${pages[$page]}; do
      out=$(taskset -c 0 curl -s -o /dev/null -w '%{time_total} %{size_download}' "$a$path")
      total=$(awk -v t="$total" -v x="${out% *}" 'BEGIN {print t + x}')
      bytes=$((bytes + ${out#* }))
    done
    echo "$total" >>"$work/page-$page.txt"
  done
  sort -g "$work/page-$page.txt" | awk -v page="$page" -v bytes="$bytes" \
    '{ t[NR] = $1 * 1000 } END { printf "%-16s %10.1f %10.1f %12d\n", page, t[int((NR + 1) / 2)], t[NR], bytes }'
done

# The overview in a real browser: from start to the route table drawn (includes Chromium's start).
start=$(date +%s%N)
taskset -c "$browser_cpus" chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
  --user-data-dir="$work/chromium-dump" --virtual-time-budget=5000 --dump-dom "$a/console/#/overview" \
  >"$work/overview.html" 2>/dev/null || true
end=$(date +%s%N)
if grep -q 'data-testid="route-row"' "$work/overview.html"; then
  echo "overview in headless Chromium: $(( (end - start) / 1000000 )) ms to the route table, Chromium's start included"
else
  echo "overview in headless Chromium: the route table was not drawn (see $work/overview.html)"
fi

# (b) Proxied requests/s without and with the console open.
measure() {
  taskset -c 0 wrk -t1 -c"$conns" -d"${duration}s" "http://127.0.0.1:$port/r1/hello" |
    awk '/Requests\/sec/ {print $2}'
}
taskset -c 0 wrk -t1 -c"$conns" -d"$duration"s "http://127.0.0.1:$port/r1/hello" >/dev/null   # warm-up
: >"$work/rps.txt"
for round in $(seq 1 "$rounds"); do
  without=$(measure)
  taskset -c "$browser_cpus" chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --user-data-dir="$work/chromium-open" "$a/console/#/overview" >/dev/null 2>&1 &
  browser=$!
  pids+=("$browser")
  sleep 3
  with=$(measure)
  kill "$browser" 2>/dev/null || true
  wait "$browser" 2>/dev/null || true
  echo "$without $with" >>"$work/rps.txt"
  awk -v r="$round" -v a="$without" -v b="$with" \
    'BEGIN {printf "round %d: without console %.0f req/s, with the overview open %.0f req/s, ratio %.3f\n", r, a, b, b / a}'
done
median() { cut -d' ' -f"$1" "$work/rps.txt" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
awk -v a="$(median 1)" -v b="$(median 2)" \
  'BEGIN {printf "median: without %.0f req/s, with the overview open %.0f req/s, ratio %.3f\n", a, b, b / a}'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "(config and results in $work)"
