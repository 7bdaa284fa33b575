#!/usr/bin/env bash
# Compares Portico configs on one path, alternating them: Portico alone on CPU 1, wrk on CPU 0,
# 8 s of warm-up and 15 s measured per config and round. Needs the upstream of bench/load.sh (or
# any origin) on 127.0.0.1:9001.
#   bench/compare-configs.sh ROUNDS PATH CONFIG...
#   bench/compare-configs.sh 3 /hello bench/conf/portico-bench-plain.yaml bench/conf/portico-bench.yaml
set -u
rounds=$1
path=$2
shift 2
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
for r in $(seq "$rounds"); do
  for c in "$@"; do
    PORTICO_BENCH_PORT=19104 \
      PORTICO_JAVA_OPTS='-Xms512m -Xmx512m -XX:+UseParallelGC -Dio.netty.leakDetection.level=disabled' \
      taskset -c 1 "$here/portico" run -c "$c" >/tmp/portico-compare.log 2>&1 &
    pid=$!
    for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:19104$path" && break; sleep 0.1; done
    taskset -c 0 wrk -t1 -c50 -d8s "http://127.0.0.1:19104$path" >/dev/null
    out=$(taskset -c 0 wrk -t1 -c50 -d15s --latency "http://127.0.0.1:19104$path")
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '$1=="50%" {print $2}')
    p99=$(echo "$out" | awk '$1=="99%" {print $2}')
    err=$(echo "$out" | grep -E "Non-2xx|Socket errors" | tr '\n' ' ')
    echo "round $r $(basename "$c") requests/s=$rps p50=$p50 p99=$p99 $err"
    kill "$pid"
    wait "$pid" 2>/dev/null
    sleep 1
  done
done
