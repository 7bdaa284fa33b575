#!/usr/bin/env bash
# Bytes allocated per proxied request, by Portico's event loop and by its other threads, for the
# plain, metrics, observability and JSON-edit configs (io.portico.bench.AllocationPerRequest).
# Counts, not rates: they hold on a machine that other work shares. Needs no nginx or wrk.
#   bench/alloc.sh                                   # the default configs and paths
#   bench/alloc.sh --warmup 30000 --requests 10000 --rounds 3 bench/conf/portico-bench.yaml:/json
#   bench/alloc.sh --jfr /tmp/alloc-jfr                 # also the top allocation sites per config
#   bench/alloc.sh --upstream 127.0.0.1:19001 bench/conf/portico-h2c.yaml:/h2c/hello \
#     bench/conf/portico-h2c.yaml:/h1/hello   # an origin of one's own (HelloOrigin speaks h2c too)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
for a in "$@"; do
  if [[ "$a" == -h || "$a" == --help ]]; then
    sed -n 2,9p "$0"
    exit 0
  fi
done
jar=bench/target/benchmarks.jar
if [[ ! -f "$jar" ]]; then
  ./mvnw -q -B -o -pl bench -am package -DskipTests
fi
# With --jfr DIR, small TLABs give JFR's allocation samples a finer grain (the byte counts do not
# depend on them).
tlab=()
for a in "$@"; do
  if [[ "$a" == --jfr ]]; then
    tlab=(-XX:-ResizeTLAB -XX:TLABSize=2k -XX:MinTLABSize=2k)
  fi
done
exec java -Xms512m -Xmx512m -XX:+UseParallelGC -Dio.netty.leakDetection.level=disabled "${tlab[@]}" \
  -cp "$jar" io.portico.bench.AllocationPerRequest "$@"
