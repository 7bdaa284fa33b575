package io.portico.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.ReferenceCountUtil;
import io.portico.eventloop.BurstFlushingHttp2Handler;
import io.portico.eventloop.HeldFrames;
import io.portico.eventloop.StreamDeadlines;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request stream of an HTTP/2 client connection: a plain object of its {@link
 * Http2ClientConnection} (kept on Netty's {@code Http2Stream}), with no channel or pipeline of its
 * own. It carries one exchange, run by its {@link DownstreamHandler}.
 *
 * <pre>
 *   HEADERS ─▶ HttpRequest ─┐
 *   DATA    ─▶ HttpContent  ├─▶ DownstreamHandler ─▶ HttpExchange
 *   END / trailers ─▶ Last ─┘                            │
 *   HEADERS ◀─ HttpResponse ◀─ write ◀───────────────────┘
 *   DATA    ◀─ HttpContent, trailers ◀─ LastHttpContent
 * </pre>
 *
 * <p>Inbound flow control: the window of a DATA frame goes back to the client once the frame was
 * handed to the exchange. While the exchange holds the stream ({@link #setAutoRead} false, its
 * upstream cannot take more), what arrives is kept (at most the stream's window, as the client can
 * send no more, in {@link HeldFrames}) and no window is returned; the kept frames go on from the
 * event loop's next task when the exchange reads again. Outbound: {@link #isWritable()} is the
 * stream's send window and the connection's writability; a change reaches the exchange through
 * {@link DownstreamHandler#onClientWritable()}.
 *
 * <p>A response to {@code HEAD} carries no body: its bytes are dropped here (an HTTP/1.1 client's
 * codec drops them there). A stream's end, whatever ended it (both ends complete, a reset either
 * way, the connection lost), reaches the handler once, never from inside one of its own calls.
 *
 * <p>The exchange's deadline is the stream itself, an entry in its connection's {@link
 * StreamDeadlines}.
 *
 * <p>Confined to the connection's event loop.
 */
final class Http2ClientStream extends StreamDeadlines.Entry
    implements BurstFlushingHttp2Handler.PlainStream {

  private static final Logger log = LoggerFactory.getLogger(Http2ClientStream.class);

  private final Http2ClientConnection connection;
  private final Http2Stream stream;
  private final boolean head;
  private @Nullable DownstreamHandler handler;
  private @Nullable HeldFrames held;
  private boolean readThisBurst;
  private boolean responseStarted;
  private boolean writable = true;
  private boolean inCall;
  private boolean closed;
  private boolean told;

  Http2ClientStream(Http2ClientConnection connection, Http2Stream stream, boolean head) {
    super(connection.deadlines());
    this.connection = connection;
    this.stream = stream;
    this.head = head;
  }

  void attach(DownstreamHandler handler) {
    this.handler = handler;
  }

  Http2ClientConnection connection() {
    return connection;
  }

  int id() {
    return stream.id();
  }

  // ---------------------------------------------------------------- what the exchange does

  /** Writes a response object as frames; its buffers pass to the encoder. */
  void write(Object msg) {
    writeFrames(msg, connection.voidPromise());
  }

  /**
   * The response's last object, flushed; {@code close}: the stream ends after it (reset when the
   * client is still sending), once it has left.
   */
  void writeLast(Object msg, boolean close) {
    if (!close) {
      writeFrames(msg, connection.voidPromise());
      flush();
      return;
    }
    ChannelPromise written = connection.newPromise();
    writeFrames(msg, written);
    flush();
    written.addListener(f -> close());
  }

  void flush() {
    if (!closed) {
      connection.flushSoon();
    }
  }

  boolean isActive() {
    return !closed && connection.channel().isActive();
  }

  boolean isWritable() {
    // What the exchange saw: a change from it is what onWritabilityChanged reports.
    writable = !closed && connection.isWritable(stream);
    return writable;
  }

  /**
   * Ends the stream unless it already closed: RST_STREAM NO_ERROR when the response is complete and
   * the client is still sending (RFC 9113 section 8.1: the client is asked to stop sending, and
   * keeps the response), CANCEL when the response is not complete.
   */
  void close() {
    Http2Stream.State state = stream.state();
    if (!closed && state != Http2Stream.State.CLOSED) {
      inCall = true;
      try {
        connection.reset(
            stream,
            state == Http2Stream.State.HALF_CLOSED_LOCAL ? Http2Error.NO_ERROR : Http2Error.CANCEL);
      } finally {
        inCall = false;
      }
    }
  }

  /** Holds ({@code false}) or resumes the request's frames. */
  void setAutoRead(boolean read) {
    HeldFrames h = held;
    if (h == null) {
      if (read) {
        return;
      }
      h = new HeldFrames(connection.channel().eventLoop(), this::drainHeld);
      held = h;
    }
    h.hold(!read);
  }

  /** The exchange's deadline passed. */
  @Override
  protected void onDeadlinePassed() {
    DownstreamHandler h = handler;
    if (h != null) {
      h.onDeadline();
    }
  }

  // ---------------------------------------------------------------- frames out

  private void writeFrames(Object msg, ChannelPromise last) {
    if (closed || stream.state() == Http2Stream.State.CLOSED || !stream.state().localSideOpen()) {
      ReferenceCountUtil.release(msg);
      last.trySuccess();
      return;
    }
    inCall = true;
    try {
      if (msg instanceof HttpResponse response) {
        writeHead(response, last);
      } else if (msg instanceof LastHttpContent end) {
        writeEnd(end, last);
      } else if (msg instanceof HttpContent content) {
        if (head && responseStarted) {
          content.release();
          last.trySuccess();
        } else {
          connection.writeData(stream, content.content(), false, last);
        }
      } else {
        ReferenceCountUtil.release(msg);
        last.trySuccess();
      }
    } finally {
      inCall = false;
    }
  }

  private void writeHead(HttpResponse response, ChannelPromise last) {
    boolean informational = response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    if (!informational) {
      responseStarted = true;
    }
    if (!(response instanceof FullHttpResponse full)) {
      // A response to HEAD has no body: its HEADERS end the stream, and what follows is dropped.
      connection.writeHeaders(
          stream, Http2HeadConversion.response(response), head && !informational, last);
      return;
    }
    try {
      if (informational) {
        connection.writeHeaders(stream, Http2HeadConversion.response(full), false, last);
        return;
      }
      boolean body = !head && full.content().isReadable();
      boolean trailers = !full.trailingHeaders().isEmpty();
      connection.writeHeaders(
          stream,
          Http2HeadConversion.response(full),
          !body && !trailers,
          !body && !trailers ? last : connection.voidPromise());
      if (body) {
        connection.writeData(
            stream, full.content().retain(), !trailers, trailers ? connection.voidPromise() : last);
      }
      if (trailers) {
        writeTrailers(full.trailingHeaders(), last);
      }
    } finally {
      full.release();
    }
  }

  /** The response's end: DATA with END_STREAM, or its trailers (after a DATA with bytes). */
  private void writeEnd(LastHttpContent end, ChannelPromise last) {
    ByteBuf data = end.content();
    HttpHeaders trailers = end.trailingHeaders();
    boolean hasTrailers = !trailers.isEmpty();
    if (head && responseStarted) {
      data.release();
      data = Unpooled.EMPTY_BUFFER;
    }
    if (data.isReadable() || !hasTrailers) {
      connection.writeData(
          stream, data, !hasTrailers, hasTrailers ? connection.voidPromise() : last);
    } else {
      data.release();
    }
    if (hasTrailers) {
      writeTrailers(trailers, last);
    }
  }

  private void writeTrailers(HttpHeaders trailers, ChannelPromise last) {
    connection.writeHeaders(stream, Http2HeadConversion.trailers(trailers), true, last);
  }

  // ---------------------------------------------------------------- frames in

  /** A request object from the connection; {@code bytes}: its flow-controlled length. */
  void onRequest(HttpObject msg, int bytes) {
    if (handler == null || closed) {
      ReferenceCountUtil.release(msg);
      if (bytes > 0) {
        connection.consume(stream, bytes);
      }
      return;
    }
    HeldFrames h = held;
    if (h != null && h.keep(msg, bytes)) {
      return;
    }
    if (!readThisBurst) {
      readThisBurst = true;
      connection.readBy(this);
    }
    hand(msg, bytes);
  }

  private void hand(HttpObject msg, int bytes) {
    DownstreamHandler h = handler;
    if (h == null) {
      ReferenceCountUtil.release(msg);
    } else {
      try {
        h.onClientMessage(msg);
      } catch (RuntimeException e) {
        log.warn("HTTP/2 stream {} of {} failed", id(), connection.channel().remoteAddress(), e);
        close();
      }
    }
    if (bytes > 0 && !closed) {
      connection.consume(stream, bytes);
    }
  }

  /** The connection's read burst ended: the exchange flushes what it relayed upstream. */
  @Override
  public void onReadComplete() {
    readThisBurst = false;
    DownstreamHandler h = handler;
    if (h != null && !closed) {
      h.onClientReadComplete();
    }
  }

  /** The stream's send window or the connection's writability changed. */
  @Override
  public void onWritabilityChanged() {
    boolean was = writable;
    if (isWritable() && !was) {
      DownstreamHandler h = handler;
      if (h != null) {
        h.onClientWritable();
      }
    }
  }

  /** Netty closed the stream, for whatever reason. */
  @Override
  public void onClosed() {
    if (closed) {
      return;
    }
    closed = true;
    HeldFrames h = held;
    if (h != null) {
      h.releaseAll();
    }
    if (inCall || (h != null && h.drainScheduled())) {
      connection.channel().eventLoop().execute(this::tellClosed);
    } else {
      tellClosed();
    }
  }

  private void tellClosed() {
    if (told) {
      return;
    }
    told = true;
    DownstreamHandler h = handler;
    handler = null;
    if (h != null) {
      h.onClientClosed();
    }
  }

  /** The kept frames, from the event loop's task once the exchange reads again. */
  private void drainHeld() {
    HeldFrames h = held;
    if (h == null) {
      return;
    }
    boolean handed = false;
    HeldFrames.Frame next;
    while (!closed && (next = h.next()) != null) {
      hand(next.message(), next.bytes());
      handed = true;
    }
    if (closed) {
      h.releaseAll();
      tellClosed();
      return;
    }
    DownstreamHandler d = handler;
    if (handed && d != null) {
      d.onClientReadComplete();
      connection.flushSoon();
    }
  }
}
