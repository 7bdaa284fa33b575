#!/usr/bin/env python3
"""A fake OpenAI-compatible LLM for bench/ai/run.sh: POST /v1/chat/completions answers a fixed
chat completion at once, or with "stream": true a server-sent event stream of CHUNKS chunks
(default 20) INTERVAL_MS apart (default 0; the concurrency run holds streams open longer), then
the usage chunk and [DONE]. HTTP/1.1 keep-alive; asyncio, so thousands of open streams cost one
thread. Usage: fake_llm.py PORT [CHUNKS] [INTERVAL_MS]"""
import asyncio, json, sys

PORT = int(sys.argv[1])
CHUNKS = int(sys.argv[2]) if len(sys.argv) > 2 else 20
INTERVAL = (int(sys.argv[3]) if len(sys.argv) > 3 else 0) / 1000

ANSWER = json.dumps({
    "id": "chatcmpl-bench", "object": "chat.completion", "created": 0, "model": "bench",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello from the bench."},
                 "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 9, "completion_tokens": 5, "total_tokens": 14}}).encode()

def chunk(delta, reason=None):
    return ("data: " + json.dumps({
        "id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 0, "model": "bench",
        "choices": [{"index": 0, "delta": delta, "finish_reason": reason}]}) + "\n\n").encode()

USAGE = ("data: " + json.dumps({
    "id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 0, "model": "bench",
    "choices": [], "usage": {"prompt_tokens": 9, "completion_tokens": CHUNKS,
                             "total_tokens": 9 + CHUNKS}}) + "\n\n").encode()

def framed(data):
    return b"%x\r\n%s\r\n" % (len(data), data)

async def serve(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            body = await reader.readexactly(length) if length else b""
            if b'"stream":true' in body.replace(b" ", b""):
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                             b"Transfer-Encoding: chunked\r\n\r\n")
                writer.write(framed(chunk({"role": "assistant", "content": ""})))
                await writer.drain()
                for i in range(CHUNKS):
                    if INTERVAL:
                        await asyncio.sleep(INTERVAL)
                    writer.write(framed(chunk({"content": "tok%d " % i})))
                    await writer.drain()
                writer.write(framed(chunk({}, "stop")) + framed(USAGE) + framed(b"data: [DONE]\n\n")
                             + b"0\r\n\r\n")
            else:
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: %d\r\n\r\n%s" % (len(ANSWER), ANSWER))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()

async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", PORT, backlog=4096)
    async with server:
        await server.serve_forever()

asyncio.run(main())
