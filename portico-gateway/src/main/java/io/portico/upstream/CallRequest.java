package io.portico.upstream;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import org.jspecify.annotations.Nullable;

/**
 * The request of an {@link UpstreamCall} on its way upstream: the head, and the body the caller
 * sends piece by piece ({@link #send}). Until a connection is leased the pieces queue (and the
 * caller's source is paused); on the lease the request is written ({@link #writeRequest}): a
 * body-less request in one write (over HTTP/1.1 the connection's reusable body-less view of its
 * head, no message made per request; over HTTP/2 one HEADERS frame with {@code END_STREAM}), an
 * HTTP/2 head with no body yet held for the rest of the event loop's turn so that an end arriving
 * in the same read burst goes with it, otherwise the head, a resend's {@link ReplayBuffer} and the
 * queue. Afterwards pieces are written as they come, and the caller paused while the connection is
 * not writable.
 *
 * <p>The layer of {@link UpstreamCall} under its attempts and response: the same object, so a call
 * allocates nothing for its request side; the queue and the replay buffer are made only when
 * needed.
 *
 * <p>Buffers: a piece passed to {@link #send} is owned here until written upstream, or released
 * ({@link #releasePending}) when the call ends first; the replay buffer keeps its own duplicates.
 * Confined to the event loop of the call's pools.
 */
abstract class CallRequest {

  UpstreamService service;
  HttpRequest head;
  @Nullable ArrayDeque<HttpContent> pending;
  boolean requestComplete;
  boolean bodySent;
  @Nullable ReplayBuffer replay;
  boolean replayLost;
  boolean headHeld;

  CallRequest(UpstreamService service, HttpRequest head) {
    this.service = service;
    this.head = head;
    this.replayLost = !service.protocol().http2();
  }

  /**
   * Sets the request side for another request of the same caller, as the constructor does: only for
   * a call whose last request ended with its response ({@link UpstreamCall#reusable}), so nothing
   * is queued or held.
   */
  void resetRequest(UpstreamService service, HttpRequest head) {
    this.service = service;
    this.head = head;
    releasePending();
    requestComplete = false;
    bodySent = false;
    releaseReplay();
    replayLost = !service.protocol().http2();
    headHeld = false;
  }

  /**
   * Sends a piece of the request body (a {@link LastHttpContent} ends it): written at once when a
   * connection is leased, queued until then. Ownership passes to the call.
   */
  public void send(HttpContent content) {
    if (!takesContent()) {
      content.release();
      return;
    }
    boolean last = content instanceof LastHttpContent;
    if (last) {
      requestComplete = true;
    }
    UpstreamLease connection = lease();
    if (connection != null) {
      UpstreamLease up = connection;
      if (headHeld) {
        headHeld = false;
        if (last && !bodySent && !carriesBody(content)) {
          // A body-less request after all: its head ends the stream (HEADERS with END_STREAM).
          content.release();
          up.write(bodylessHead());
          up.flush();
          onRequestSent();
          return;
        }
        up.write(head);
      }
      writeBody(up, content);
      if (last) {
        up.flush();
        onRequestSent();
      } else if (!up.isWritable()) {
        requestFlow(false);
      }
      return;
    }
    if (content == LastHttpContent.EMPTY_LAST_CONTENT
        && !bodySent
        && (pending == null || pending.isEmpty())) {
      // A body-less request: the attempt writes the head as the whole request, nothing to queue.
      return;
    }
    if (pending == null) {
      pending = new ArrayDeque<>(4);
    }
    pending.add(content);
    if (!last) {
      requestFlow(false);
    }
  }

  /** Flushes request content written during the caller's read burst. */
  public void flush() {
    UpstreamLease connection = lease();
    if (connection != null && !requestComplete) {
      UpstreamLease up = connection;
      if (headHeld) {
        headHeld = false;
        up.write(head);
      }
      up.flush();
    }
  }

  /**
   * Writes the request on a connection just leased: whole when body-less, the head held when an
   * HTTP/2 request has no body yet, else the head, what a resend replays and what queued.
   */
  void writeRequest(UpstreamLease up) {
    boolean pendingBody = pendingCarriesBody();
    if (requestComplete && !bodySent && !pendingBody) {
      // Body-less: the head is the whole request, which over HTTP/2 is one HEADERS frame with
      // END_STREAM rather than HEADERS and an empty DATA frame.
      releasePending();
      writeBodyless(up);
    } else if (!requestComplete
        && !bodySent
        && !pendingBody
        && (pending == null || pending.isEmpty())
        && service.protocol().http2()) {
      // No body yet: hold the head for the rest of this event-loop turn, so that the request's end
      // arriving in the same read burst goes with it (END_STREAM on HEADERS).
      headHeld = true;
      up.beforeTurnFlush(this::flush);
    } else {
      up.write(head);
      if (replay != null) {
        // A resend: the body the refused stream carried, from the replay buffer.
        replay.writeTo(up);
      }
      if (pending != null) {
        HttpContent content;
        while ((content = pending.poll()) != null) {
          writeBody(up, content);
        }
      }
    }
    up.flush();
    if (requestComplete) {
      onRequestSent();
    } else {
      requestFlow(up.isWritable());
    }
  }

  /**
   * Retrying after the head was written is safe only for a complete, body-less, idempotent request.
   */
  boolean retrySafeAfterSend() {
    return requestComplete && !bodySent && isIdempotent(head.method());
  }

  /** Writes a piece of the body on the leased connection, keeping a copy for a resend. */
  private void writeBody(UpstreamLease up, HttpContent content) {
    bodySent |= carriesBody(content);
    keepForReplay(content);
    up.write(content);
  }

  /**
   * Keeps a duplicate of {@code content} in the replay buffer (an HTTP/2 service's only) while the
   * whole body so far fits; past it, a refused stream can no longer be resent.
   */
  private void keepForReplay(HttpContent content) {
    if (replayLost) {
      return;
    }
    if (replay == null) {
      replay = new ReplayBuffer(service.protocol().replayBuffer());
    }
    if (!replay.keep(content)) {
      replayLost = true;
      replay = null;
    }
  }

  void releaseReplay() {
    if (replay != null) {
      replay.release();
      replay = null;
    }
  }

  private boolean pendingCarriesBody() {
    if (pending != null) {
      for (HttpContent c : pending) {
        if (carriesBody(c)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Writes the head as the whole request. Over HTTP/1.1 the connection writes it through its
   * reusable body-less view ({@link UpstreamConnection#writeBodyless}): one pass through the codec
   * and no message made per request; an HTTP/2 stream needs one {@code FullHttpRequest} for a
   * HEADERS frame with {@code END_STREAM}.
   */
  private void writeBodyless(UpstreamLease up) {
    if (up instanceof UpstreamConnection connection) {
      connection.writeBodyless(head);
    } else {
      up.write(bodylessHead());
    }
  }

  /** The head as a complete body-less request, sharing the head's headers. */
  private FullHttpRequest bodylessHead() {
    return new DefaultFullHttpRequest(
        head.protocolVersion(),
        head.method(),
        head.uri(),
        Unpooled.EMPTY_BUFFER,
        head.headers(),
        EmptyHttpHeaders.INSTANCE);
  }

  void releasePending() {
    if (pending != null) {
      HttpContent c;
      while ((c = pending.poll()) != null) {
        ReferenceCountUtil.release(c);
      }
    }
  }

  static boolean carriesBody(HttpContent content) {
    return content.content().isReadable()
        || (content instanceof LastHttpContent last && !last.trailingHeaders().isEmpty());
  }

  private static boolean isIdempotent(HttpMethod m) {
    return m == HttpMethod.GET
        || m == HttpMethod.HEAD
        || m == HttpMethod.OPTIONS
        || m == HttpMethod.PUT
        || m == HttpMethod.DELETE
        || m == HttpMethod.TRACE;
  }

  // ---------------------------------------------------------------- what the call provides

  /** Whether the call still takes request content (it neither ended nor was upgraded). */
  abstract boolean takesContent();

  /** The leased connection, or null while none is. */
  abstract @Nullable UpstreamLease lease();

  /** The request is completely sent: the response timeout starts. */
  abstract void onRequestSent();

  /** Tells the caller whether the call takes request content without queueing it now. */
  abstract void requestFlow(boolean accepting);
}
