# Sourced by bench/grpc-unary.sh and bench/grpc-transcode.sh: the gRPC load client of a round,
# h2load (nghttp2's HTTP/2 load generator, in C) or io.portico.bench.GrpcUnaryLoad (grpc-java),
# and the checks that make a run fail loudly rather than time errors.
#
# h2load posts one request file, a gRPC request body: the 5-byte prefix (uncompressed flag, length)
# and a bench.Payload message {bytes data = 1} of BYTES zero bytes, with content-type
# application/grpc and te: trailers, to /bench.Echo/Unary over h2c with prior knowledge, IN_FLIGHT
# streams on one connection (-c1 -m IN_FLIGHT), a closed loop per stream as GrpcUnaryLoad keeps
# IN_FLIGHT calls on one channel. --log-file writes every call's status and microseconds from its
# start to the end of its answer, from which p50 and p99 are exact (the nearest rank of the sorted
# times, as GrpcUnaryLoad computes them).
#
# h2load counts only non-2xx answers as failed, and a gRPC error is a 200 with grpc-status in the
# trailers. So every run also checks that each call got its echoed message (the DATA bytes h2load
# received against calls x answer size: an error answers with trailers only), and after each run a
# sample of calls is made with curl, whose trailers must say grpc-status: 0. Both count as errors.
#
# Needs from the caller: $root, $jar, $JVM, $run, $INFLIGHT, $BYTES, $CLIENT.

GRPC_SAMPLE=5

# Writes the request file ($run/request.grpc) and sets REQUEST_BYTES (its size: also the size of
# each answer, the server echoing the message).
grpc_request_file() {
  local n=$BYTES varint=""
  while [ "$n" -ge 128 ]; do varint+=$(printf '\\x%02x' $(( (n & 127) | 128 ))); n=$(( n >> 7 )); done
  varint+=$(printf '\\x%02x' "$n")
  local message_len=$(( 1 + ${#varint} / 4 + BYTES ))
  {
    printf '\x00'
    printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(( message_len >> 24 & 255 )) \
      $(( message_len >> 16 & 255 )) $(( message_len >> 8 & 255 )) $(( message_len & 255 )))"
    printf '\x0a'
    printf "$varint"
    head -c "$BYTES" /dev/zero
  } > "$run/request.grpc"
  REQUEST_BYTES=$(stat -c %s "$run/request.grpc")
  [ "$REQUEST_BYTES" = $(( 5 + message_len )) ] || { echo "bad request file" >&2; exit 3; }
}

# One call with the request file from a real grpc-java client: status 0 and the message echoed.
grpc_check() {  # host:port -> exit status; prints the call's status
  taskset -c 0 java $JVM -cp "$jar" io.portico.bench.GrpcUnaryLoad check "$1" "$run/request.grpc"
}

# GRPC_SAMPLE calls with curl, each answer's grpc-status trailer read; prints how many were not 0.
grpc_status_sample() {  # host:port -> bad count
  local bad=0 status
  for _ in $(seq 1 "$GRPC_SAMPLE"); do
    status="$(curl -s --http2-prior-knowledge --max-time 10 -o /dev/null -D - \
        -H 'content-type: application/grpc' -H 'te: trailers' --data-binary "@$run/request.grpc" \
        "http://$1/bench.Echo/Unary" | tr -d '\r' | awk -F': ' 'tolower($1) == "grpc-status" {print $2}')"
    [ "$status" = 0 ] || bad=$((bad + 1))
  done
  echo "$bad"
}

# One measured run of the chosen client.
grpc_load() {  # host:port seconds -> "calls_per_s p50_ms p99_ms errors"
  if [ "$CLIENT" = java ]; then
    taskset -c 0 java $JVM -cp "$jar" io.portico.bench.GrpcUnaryLoad client "$1" "$2" "$INFLIGHT" "$BYTES"
    return
  fi
  local log="$run/h2load.$(date +%s%N)" out
  out="$(taskset -c 0 h2load -t1 -c1 -m"$INFLIGHT" -D "$2" -d "$run/request.grpc" \
      -H 'content-type: application/grpc' -H 'te: trailers' --log-file "$log.tsv" \
      "http://$1/bench.Echo/Unary" 2>&1)" || { echo "$out" >&2; echo "h2load failed" >&2; exit 3; }
  echo "$out" > "$log.out"
  local sampled
  sampled="$(grpc_status_sample "$1")"
  # req/s from h2load's summary; failed calls and those answered without a message from its
  # counts; percentiles from the log's 2xx rows, sorted.
  awk -F'\t' '$2 >= 200 && $2 < 300 {print $3}' "$log.tsv" | sort -n |
  awk -v out="$log.out" -v answer="$REQUEST_BYTES" -v sampled="$sampled" '
    BEGIN {
      while ((getline line < out) > 0) {
        if (line ~ /^finished in/) { split(line, f, ", "); rps = f[2] + 0 }
        if (line ~ /^requests:/) { split(line, f, /[ ,]+/); total = f[2]; ok = f[8] }
        if (line ~ /^traffic:/) { n = split(line, f, /[()]/)
                                  for (i = 1; i < n; i++) if (f[i + 1] ~ /^ data/) data = f[i] + 0 }
      }
    }
    { t[c++] = $1 }
    END {
      if (c == 0) { print "0 0 0 " total + sampled; exit }
      i99 = int(c * 0.99); if (i99 > c - 1) i99 = c - 1
      unanswered = ok - int(data / answer); if (unanswered < 0) unanswered = 0
      printf "%d %.3f %.3f %d\n", rps, t[int(c / 2)] / 1000, t[i99] / 1000, (total - ok) + unanswered + sampled
    }'
}

# Prints the p99 (and p50) that Portico adds: per round and the median of the rounds.
grpc_added() {  # "direct_p50 portico_p50 direct_p99 portico_p99" per line on stdin
  awk '{ a50[NR] = $2 - $1; a99[NR] = $4 - $3 }
       function median(a, n,   s, i, j, v) {
         for (i = 1; i <= n; i++) { v = a[i]; for (j = i - 1; j >= 1 && s[j] > v; j--) s[j + 1] = s[j]; s[j + 1] = v }
         return n % 2 ? s[(n + 1) / 2] : (s[n / 2] + s[n / 2 + 1]) / 2 }
       END { if (NR == 0) exit
             r50 = ""; r99 = ""
             for (i = 1; i <= NR; i++) { r50 = r50 sprintf("%s%+.3f", i > 1 ? " / " : "", a50[i])
                                         r99 = r99 sprintf("%s%+.3f", i > 1 ? " / " : "", a99[i]) }
             printf "p50 added (portico - direct) by round: %s ms; median %+.3f ms\n", r50, median(a50, NR)
             printf "p99 added (portico - direct) by round: %s ms; median %+.3f ms (issue 15 asks < 1 ms)\n", r99, median(a99, NR) }'
}
