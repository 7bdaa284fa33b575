package io.portico.upstream.h2;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.ReferenceCountUtil;
import io.portico.eventloop.BurstFlushingHttp2Handler;
import io.portico.eventloop.HeldFrames;
import io.portico.eventloop.StreamDeadlines;
import io.portico.upstream.Endpoint;
import io.portico.upstream.UnprocessedException;
import io.portico.upstream.UpstreamLease;
import io.portico.upstream.UpstreamListener;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP/2 stream to an upstream, the {@link UpstreamLease} its call holds: a plain object of its
 * {@link H2Connection}, found there by stream id (a property of Netty's {@code Http2Stream}), with
 * no channel or pipeline of its own. The call writes HTTP/1.1 objects, which {@link H2Messages}
 * turns into HEADERS and DATA frames on the connection's encoder (a {@code LastHttpContent}'s
 * trailers into a closing HEADERS frame); the connection hands the response frames here, and they
 * go to the listener as HTTP/1.1 objects.
 *
 * <pre>
 *   leased ─▶ head written: stream id taken, HEADERS ─▶ DATA ... ─▶ END_STREAM
 *      │                                   response ◀─ HEADERS ◀─ DATA ... ◀─ END_STREAM / trailers
 *      └─ release: both ends complete ─▶ nothing to do; anything less ─▶ RST_STREAM CANCEL
 * </pre>
 *
 * <p>Flow control, both ways. The request: {@link #isWritable()} is the stream's send window and
 * the connection's writability, and a change reaches the listener as {@code
 * onUpstreamWritabilityChanged}. The response: the window of a DATA frame is returned to the
 * upstream once the frame was handed to the listener, whose relay holds the stream ({@link
 * #readResponse} false) while its client cannot take more; a held stream keeps what arrives (at
 * most its 64 KiB window, as the upstream can send no more, in {@link HeldFrames}) and returns no
 * window until the client reads again, when the kept frames go on and their window back.
 *
 * <p>Ending: the connection's stream-closed event, whatever closed the stream (both ends complete,
 * a reset either way, a GOAWAY, the connection lost), is the one place the lease ends on its
 * connection. When it closed unanswered because the upstream went away without processing it (a
 * {@code GOAWAY} whose last stream id is below it, {@code REFUSED_STREAM}, or no stream created on
 * a connection already going away), the listener is told with an {@link UnprocessedException}, so
 * the call may retry it on another connection. Never from inside one of the call's own writes: a
 * close found there is told from the event loop's next task.
 *
 * <p>Confined to its event loop.
 */
public final class H2Stream extends StreamDeadlines.Entry
    implements UpstreamLease, BurstFlushingHttp2Handler.PlainStream {

  private final H2Connection connection;
  private final boolean reused;
  private @Nullable UpstreamListener listener;
  private @Nullable Http2Stream stream;
  private @Nullable HeldFrames held;
  private boolean writing;
  private boolean writable = true;
  private boolean readThisBurst;
  private boolean unprocessed;
  private boolean responseEnded;
  private boolean streamClosed;
  private boolean ended;
  private @Nullable Throwable cause;

  H2Stream(H2Connection connection, UpstreamListener listener, boolean reused) {
    super(connection.deadlines());
    this.connection = connection;
    this.listener = listener;
    this.reused = reused;
  }

  // ---------------------------------------------------------------- the lease

  @Override
  public Endpoint endpoint() {
    return connection.pool().endpoint();
  }

  @Override
  public boolean reused() {
    return reused;
  }

  @Override
  public EventLoop eventLoop() {
    return connection.channel().eventLoop();
  }

  @Override
  public long nanoTime() {
    return now();
  }

  @Override
  public void armDeadline(long nanoTime) {
    armAt(nanoTime);
  }

  @Override
  public void disarmDeadline() {
    disarm();
  }

  H2Connection connection() {
    return connection;
  }

  /** The stream's id, or 0 before its head was written. */
  int id() {
    Http2Stream s = stream;
    return s == null ? 0 : s.id();
  }

  @Override
  public void write(HttpObject message) {
    if (ended || streamClosed || (stream == null && !(message instanceof HttpRequest))) {
      ReferenceCountUtil.release(message);
      return;
    }
    writing = true;
    try {
      if (stream == null) {
        stream = connection.writeHead(this, (HttpRequest) message);
        if (stream == null) {
          // No stream was created: the connection is going away or gone.
          ReferenceCountUtil.release(message);
          onClosed();
          return;
        }
        if (message instanceof LastHttpContent last) {
          connection.writeEnd(stream, last, true);
        }
      } else if (message instanceof LastHttpContent last) {
        connection.writeEnd(stream, last, false);
      } else if (message instanceof HttpContent content) {
        connection.writeData(stream, content);
      } else {
        ReferenceCountUtil.release(message);
      }
    } finally {
      writing = false;
    }
  }

  @Override
  public void flush() {
    if (!ended) {
      connection.flushSoon();
    }
  }

  @Override
  public void beforeTurnFlush(Runnable work) {
    connection.beforeTurnFlush(work);
  }

  @Override
  public boolean isWritable() {
    Http2Stream s = stream;
    // What the caller saw: a change from it is what onWritabilityChanged reports.
    writable = s == null ? connection.channel().isWritable() : connection.isWritable(s);
    return writable;
  }

  @Override
  public void readResponse(boolean read) {
    HeldFrames h = held;
    if (h == null && read) {
      return;
    }
    // Not from inside the caller: the kept frames follow from the event loop's next task.
    heldFrames().hold(!read);
  }

  @Override
  public void release(boolean reusable) {
    listener = null;
    disarm();
    releaseHeld();
    Http2Stream s = stream;
    if (s != null && !streamClosed && !(reusable && responseEnded)) {
      // Still open on either side: reset the stream, not the connection. Its close ends the lease,
      // as it does a complete stream's (closed once its END_STREAM left).
      connection.reset(s, Http2Error.CANCEL);
    }
    if (s == null || streamClosed) {
      end();
    }
  }

  /** The call's deadline passed (the stream is its own entry in the connection's deadlines). */
  @Override
  protected void onDeadlinePassed() {
    UpstreamListener l = listener;
    if (l != null) {
      l.onDeadline();
    }
  }

  // ---------------------------------------------------------------- from the connection

  /** The response head, or an informational head before it. */
  void onHead(HttpResponse head) {
    deliver(head, 0);
  }

  /** A body piece or the response's end; {@code bytes}: its flow-controlled length, unreturned. */
  void onContent(HttpContent content, int bytes) {
    deliver(content, bytes);
  }

  /** The upstream reset the stream with {@code errorCode}. */
  void onReset(long errorCode) {
    if (errorCode == Http2Error.REFUSED_STREAM.code()) {
      unprocessed = true;
    } else if (cause == null) {
      Http2Error error = Http2Error.valueOf(errorCode);
      cause =
          new IOException(
              "the upstream reset the stream ("
                  + (error == null ? "error " + errorCode : error.name())
                  + ")");
    }
  }

  /** The connection failed the stream (a stream error it found). */
  void onError(Throwable error) {
    if (cause == null) {
      cause = error;
    }
  }

  /** The connection's writability or the stream's send window changed. */
  @Override
  public void onWritabilityChanged() {
    boolean was = writable;
    boolean now = isWritable();
    if (now != was) {
      UpstreamListener l = listener;
      if (l != null) {
        l.onUpstreamWritabilityChanged(now);
      }
    }
  }

  /** The connection's read burst ended: the listener flushes what it relayed. */
  @Override
  public void onReadComplete() {
    readThisBurst = false;
    UpstreamListener l = listener;
    if (l != null) {
      l.onReadComplete();
    }
  }

  /**
   * Netty closed the stream, for whatever reason; or no stream could be created. The listener
   * learns it once the frames it has not taken yet were handed on.
   */
  @Override
  public void onClosed() {
    if (streamClosed || ended) {
      return;
    }
    streamClosed = true;
    cancel();
    HeldFrames h = held;
    if (listener == null) {
      end();
    } else if ((h == null || h.isEmpty()) && !writing) {
      tellClosed();
    } else if (h == null || !h.held()) {
      heldFrames().scheduleDrain();
    }
  }

  // ---------------------------------------------------------------- inside

  private void deliver(HttpObject msg, int bytes) {
    UpstreamListener l = listener;
    if (l == null) {
      ReferenceCountUtil.release(msg);
      Http2Stream s = stream;
      if (bytes > 0 && s != null) {
        connection.consume(s, bytes);
      }
      return;
    }
    if (msg instanceof LastHttpContent) {
      responseEnded = true;
    }
    HeldFrames h = held;
    if (h != null && h.keep(msg, bytes)) {
      return;
    }
    if (!readThisBurst) {
      readThisBurst = true;
      connection.readBy(this);
    }
    hand(l, msg, bytes);
  }

  private void hand(UpstreamListener l, HttpObject msg, int bytes) {
    if (msg instanceof HttpResponse head) {
      l.onResponseHead(head);
    } else {
      l.onResponseContent((HttpContent) msg);
    }
    Http2Stream s = stream;
    if (bytes > 0 && s != null) {
      connection.consume(s, bytes);
    }
  }

  /** The stream's frames kept while its call holds it, made on its first hold. */
  private HeldFrames heldFrames() {
    HeldFrames h = held;
    if (h == null) {
      h = new HeldFrames(eventLoop(), this::drainHeld);
      held = h;
    }
    return h;
  }

  /**
   * The kept frames, from the event loop's task once the call reads again; then the close that
   * waited for them, or for the end of one of the call's own writes.
   */
  private void drainHeld() {
    HeldFrames h = heldFrames();
    boolean handed = false;
    UpstreamListener l;
    HeldFrames.Frame next;
    while ((l = listener) != null && (next = h.next()) != null) {
      hand(l, next.message(), next.bytes());
      handed = true;
    }
    if (listener == null) {
      h.releaseAll();
    }
    l = listener;
    if (handed && l != null) {
      l.onReadComplete();
    }
    if (streamClosed && h.isEmpty() && !ended) {
      if (listener == null) {
        end();
      } else {
        tellClosed();
      }
    }
  }

  private void releaseHeld() {
    HeldFrames h = held;
    if (h != null) {
      h.releaseAll();
    }
  }

  private void tellClosed() {
    if (writing) {
      heldFrames().scheduleDrain();
      return;
    }
    UpstreamListener l = listener;
    listener = null;
    boolean neverProcessed = unprocessed || connection.refusedByGoAway(id());
    end();
    if (l != null) {
      l.onUpstreamClosed(
          neverProcessed
              ? new UnprocessedException(endpoint() + " did not process the stream")
              : cause);
    }
  }

  /** The lease's end on its connection: counted once. */
  private void end() {
    if (ended) {
      return;
    }
    ended = true;
    streamClosed = true;
    cancel();
    releaseHeld();
    connection.streamEnded(this);
  }
}
