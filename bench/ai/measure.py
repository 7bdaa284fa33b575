#!/usr/bin/env python3
"""Clients for bench/ai/run.sh, each printing one line of figures.

  measure.py latency URL N        N sequential non-streamed completions on one keep-alive
                                  connection: p50, p90, p99 in ms
  measure.py ttft URL N           N sequential streamed completions, each on a new connection:
                                  time from sending the request to the first data event, p50/p90
  measure.py streams URL N        N concurrent streamed completions: how many completed with
                                  [DONE], and the wall time
URL is the base, such as http://127.0.0.1:19302/v1 (direct) or http://127.0.0.1:19106/v1."""
import asyncio, http.client, json, sys, time, urllib.parse

BODY = {"model": "bench", "messages": [{"role": "user", "content": "Say hello"}]}

def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))]

def target(url):
    u = urllib.parse.urlparse(url)
    return u.hostname, u.port, u.path.rstrip("/") + "/chat/completions"

def latency(url, n):
    host, port, path = target(url)
    conn = http.client.HTTPConnection(host, port)
    body = json.dumps(BODY)
    headers = {"Content-Type": "application/json", "Authorization": "Bearer bench-key"}
    times = []
    for i in range(n + n // 10):
        t = time.perf_counter()
        conn.request("POST", path, body, headers)
        r = conn.getresponse()
        r.read()
        if r.status != 200:
            sys.exit("status %d" % r.status)
        if i >= n // 10:  # the first tenth warms up
            times.append((time.perf_counter() - t) * 1000)
    print("p50 %.3f ms  p90 %.3f ms  p99 %.3f ms" % (pct(times, 50), pct(times, 90), pct(times, 99)))

async def one_stream(host, port, path, first=None):
    reader, writer = await asyncio.open_connection(host, port)
    body = json.dumps(dict(BODY, stream=True)).encode()
    t = time.perf_counter()
    writer.write(b"POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
                 b"Authorization: Bearer bench-key\r\nContent-Length: %d\r\n\r\n%s"
                 % (path.encode(), host.encode(), len(body), body))
    await writer.drain()
    seen = b""
    ttft = None
    while True:
        data = await reader.read(65536)
        if not data:
            break
        if ttft is None and b"data: " in seen + data:
            ttft = (time.perf_counter() - t) * 1000
            if first is not None:
                first.append(ttft)
        seen = (seen + data)[-64:]
        if b"[DONE]" in seen:
            break
    writer.close()
    return b"[DONE]" in seen

def ttft(url, n):
    host, port, path = target(url)
    first = []
    for _ in range(n + n // 10):
        asyncio.run(one_stream(host, port, path, first))
    first = first[n // 10:]
    print("ttft p50 %.3f ms  p90 %.3f ms" % (pct(first, 50), pct(first, 90)))

async def streams(url, n):
    host, port, path = target(url)
    t = time.perf_counter()
    done = await asyncio.gather(*(one_stream(host, port, path) for _ in range(n)),
                                return_exceptions=True)
    ok = sum(1 for d in done if d is True)
    print("%d of %d streams complete in %.1f s" % (ok, n, time.perf_counter() - t))

mode, url, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
if mode == "latency":
    latency(url, n)
elif mode == "ttft":
    ttft(url, n)
else:
    asyncio.run(streams(url, n))
