#!/usr/bin/env python3
"""An origin that answers every request after 50 ms (HTTP/1.1 keep-alive, one write per answer),
for bench/aggregate-latency.sh. Usage: slow-origin.py PORT [DELAY_MS]"""
import socketserver, time, sys
class H(socketserver.StreamRequestHandler):
    def handle(self):
        while True:
            line = self.rfile.readline()
            if not line: return
            while True:
                h = self.rfile.readline()
                if h in (b"\r\n", b"\n", b""): break
            time.sleep(DELAY)
            body = b'{"ok":true}'
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            self.wfile.flush()
DELAY = (int(sys.argv[2]) if len(sys.argv) > 2 else 50) / 1000

class S(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True; allow_reuse_address = True
S(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
