# System calls per request from a timestamped strace log, for bench/profile.sh.
#
#   awk -f syscalls.awk -v target=NAME -v path=PATH [-v loop=THREAD_PREFIX] SERIES THREADS LOG
#
# SERIES: "<epoch seconds before> <after> <origin requests served>" lines, the counter read
# between the two times, sampled during the trace; THREADS:
# "<tid> <thread name>" lines; LOG: `strace -f -ttt -o LOG` output. Calls are counted between
# half a second after the first and half a second before the last traced call (attaching to and
# detaching from many threads takes a while), and divided by the requests the origin served in
# that interval (interpolated from SERIES). Prints "TARGET PATH SYSCALL CALLS CALLS_PER_REQUEST"
# rows, a "(requests)" row, and with `loop` the same rows for that thread alone as TARGET-loop.

FILENAME == ARGV[1] { if (NF == 3) { st[++ns] = ($1 + $2) / 2; sc[ns] = $3 }; next }
FILENAME == ARGV[2] { tname[$1] = $2; next }
{
  # "TID TIMESTAMP call(..." with several threads, "TIMESTAMP call(..." with one
  if ($1 ~ /^[0-9]+$/ && $2 ~ /^[0-9]+\.[0-9]+$/) { tid = $1; ts = $2; call = $3 }
  else if ($1 ~ /^[0-9]+\.[0-9]+$/) { tid = "-"; ts = $1; call = $2 }
  else next
  if (call !~ /^[a-z0-9_]+\(/) next            # "<... resumed>", "+++ exited", "--- SIG..."
  sub(/\(.*/, "", call)
  n++; t[n] = ts; c[n] = call; th[n] = tid
  if (first == "" || ts < first) first = ts
  if (ts > last) last = ts
}

function requests_at(x,    i) {
  for (i = 2; i <= ns; i++)
    if (x <= st[i] || i == ns) return sc[i - 1] + (sc[i] - sc[i - 1]) * (x - st[i - 1]) / (st[i] - st[i - 1])
}

END {
  from = first + 0.5; to = last - 0.5
  req = requests_at(to) - requests_at(from)
  if (ns < 2 || req <= 0) { print "syscalls.awk: no requests in the traced interval" > "/dev/stderr"; exit 1 }
  for (i = 1; i <= n; i++) {
    if (t[i] < from || t[i] > to) continue
    all[c[i]]++
    if (loop != "" && index(tname[th[i]], loop) == 1) mine[c[i]]++
  }
  for (k in all) printf "%s %s %s %d %.4f\n", target, path, k, all[k], all[k] / req
  printf "%s %s (requests) %d 1\n", target, path, req
  if (loop != "") {
    for (k in mine) printf "%s-loop %s %s %d %.4f\n", target, path, k, mine[k], mine[k] / req
    printf "%s-loop %s (requests) %d 1\n", target, path, req
  }
}
