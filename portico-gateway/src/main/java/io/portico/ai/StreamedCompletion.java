package io.portico.ai;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A streamed answer on its way to the client: the response head before the first event, then each
 * internal chunk (an OpenAI payload, from a provider's stream or replayed from the cache) turned
 * into the client's server-sent events by its {@link Front.Stream}, written and flushed at once;
 * the end, after an error event when the stream was cut. Each chunk's events go out in one buffer
 * handed to the exchange, which owns it from then on.
 *
 * <p>Confined to the exchange's event loop. Ordering: {@link #write} any number of times, then
 * {@link #end} once; the head goes with the first write (or with the end of a stream that wrote
 * nothing).
 */
final class StreamedCompletion {

  /** What the stream needs of its run. */
  interface Owner {
    /** Adds the run's headers (cache status, limits) to a response head. */
    void decorate(HttpResponse head);

    /** The answer is about to end: settle the call's accounting. */
    void finishing();
  }

  private final AiRun.Host host;
  private final Front.Stream frames;
  private final Owner owner;
  private final long startNanos;
  private final List<String> out = new ArrayList<>(4);
  private boolean started;
  private boolean ended;
  private double firstEventMillis = -1;

  StreamedCompletion(AiRun.Host host, Front.Stream frames, Owner owner, long startNanos) {
    this.host = host;
    this.frames = frames;
    this.owner = owner;
    this.startNanos = startNanos;
  }

  /** Whether the client has received the head (and so, no fallback is possible). */
  boolean started() {
    return started;
  }

  /** From the request to the first event written, or -1. */
  double firstEventMillis() {
    return firstEventMillis;
  }

  /** Writes one internal chunk as the client's events, flushed. */
  void write(String data) {
    frames.onData(data, out);
    flush();
  }

  /** Ends the stream: after an error event when {@code error} is set. */
  void end(@Nullable AiError error) {
    if (ended) {
      return;
    }
    if (error != null) {
      frames.onError(error, out);
      flush();
    } else if (!started) {
      head();
    }
    ended = true;
    owner.finishing();
    host.onResponseContent(LastHttpContent.EMPTY_LAST_CONTENT);
  }

  private void flush() {
    if (out.isEmpty()) {
      return;
    }
    if (!started) {
      head();
    }
    int size = 0;
    for (String f : out) {
      size += f.length();
    }
    ByteBuf buf = host.alloc().buffer(size + 16);
    for (String f : out) {
      buf.writeCharSequence(f, StandardCharsets.UTF_8);
    }
    out.clear();
    host.onResponseContent(new DefaultHttpContent(buf));
    host.onResponseReadComplete();
  }

  private void head() {
    started = true;
    firstEventMillis = (host.nanoTime() - startNanos) / 1e6;
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
    head.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
    owner.decorate(head);
    host.onResponseHead(head);
  }
}
