package io.portico.traffic;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.portico.upstream.CallFailure;
import io.portico.upstream.Endpoint;
import io.portico.upstream.UpstreamCall;
import io.portico.upstream.UpstreamHooks;
import io.portico.upstream.UpstreamPools;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One mirrored request: a copy of the head, the body copied as the primary's passes (up to the
 * cap), then its own {@link UpstreamCall} to the shadow service on the same event loop's pools (so
 * its own connections), whose answer is read and dropped.
 *
 * <pre>
 *   COPYING ─ last chunk ─▶ SENT ─ answer or failure ─▶ DONE (counted)
 *      └── body over the cap, or abandon() ─▶ DROPPED (copy released, counted as skipped)
 * </pre>
 *
 * <p>The primary never waits for it: the copy is sent only once the request is complete (so the
 * shadow's speed cannot hold back the client's body), nothing of the shadow's answer reaches the
 * exchange, and its failures are only counted and logged at debug level. Bounded by the shadow
 * service's own timeouts.
 *
 * <p>Buffers: the copied body is the mirror's own (the primary's chunks are copied, never retained)
 * until handed to the call, or released when dropped. Confined to the exchange's event loop.
 */
public final class MirrorCall implements UpstreamCall.Receiver {

  private static final Logger LOG = LoggerFactory.getLogger(MirrorCall.class);

  private enum State {
    COPYING,
    SENT,
    DONE,
    DROPPED
  }

  private final MirrorPlan plan;
  private final HttpRequest head;
  private final @Nullable String preservedHost;
  private final UpstreamPools pools;
  private final UpstreamHooks hooks;
  private final ByteBufAllocator alloc;
  private State state = State.COPYING;
  private @Nullable ByteBuf body;

  MirrorCall(
      MirrorPlan plan,
      HttpRequest primary,
      @Nullable String preservedHost,
      UpstreamPools pools,
      UpstreamHooks hooks,
      ByteBufAllocator alloc) {
    this.plan = plan;
    HttpHeaders headers = primary.headers().copy();
    headers.remove(HttpHeaderNames.EXPECT);
    headers.set(MirrorPlan.MIRROR_HEADER, "1");
    this.head =
        new DefaultHttpRequest(HttpVersion.HTTP_1_1, primary.method(), primary.uri(), headers);
    this.preservedHost = preservedHost;
    this.pools = pools;
    this.hooks = hooks;
    this.alloc = alloc;
  }

  /**
   * A piece of the request body as it goes to the primary: its bytes are copied (the caller keeps
   * ownership of {@code content}); the last piece sends the copy.
   */
  public void copy(HttpContent content) {
    if (state != State.COPYING) {
      return;
    }
    ByteBuf src = content.content();
    int n = src.readableBytes();
    if (n > 0) {
      long held = body == null ? 0 : body.readableBytes();
      if (held + n > plan.maxBodySize()) {
        drop("its body exceeds " + plan.maxBodySize() + " bytes");
        return;
      }
      if (body == null) {
        body = alloc.buffer(n);
      }
      body.writeBytes(src, src.readerIndex(), n);
    }
    if (content instanceof LastHttpContent) {
      send();
    }
  }

  /** The exchange ended before the request was complete: nothing is mirrored. */
  public void abandon() {
    if (state == State.COPYING) {
      drop("the exchange ended before its body was complete");
    }
  }

  private void drop(String why) {
    state = State.DROPPED;
    releaseBody();
    plan.onSkipped();
    LOG.debug("request not mirrored to {}: {}", plan.service().name(), why);
  }

  private void send() {
    state = State.SENT;
    ByteBuf b = body;
    body = null;
    HttpHeaders h = head.headers();
    boolean framed =
        h.contains(HttpHeaderNames.CONTENT_LENGTH) || HttpUtil.isTransferEncodingChunked(head);
    h.remove(HttpHeaderNames.TRANSFER_ENCODING);
    int length = b == null ? 0 : b.readableBytes();
    if (framed || length > 0) {
      h.set(HttpHeaderNames.CONTENT_LENGTH, length);
    }
    plan.onSent();
    UpstreamCall call =
        new UpstreamCall(
            pools, plan.service(), plan.service().timeouts(), head, false, hooks, this);
    call.send(b == null ? LastHttpContent.EMPTY_LAST_CONTENT : new DefaultLastHttpContent(b));
    call.start();
  }

  private void releaseBody() {
    if (body != null) {
      body.release();
      body = null;
    }
  }

  @Override
  public void prepareHead(HttpRequest h, Endpoint endpoint, int attempt) {
    String base =
        preservedHost != null
            ? preservedHost
            : plan.service().hostHeader() != null
                ? plan.service().hostHeader()
                : endpoint.authority();
    h.headers().set(HttpHeaderNames.HOST, withSuffix(base, plan.hostSuffix()));
  }

  /**
   * {@code host[:port]} with the suffix appended to the host name ({@code a.b:80} → {@code
   * a.b-shadow:80}).
   */
  static String withSuffix(String authority, String suffix) {
    if (suffix.isEmpty()) {
      return authority;
    }
    int colon = authority.lastIndexOf(':');
    int bracket = authority.lastIndexOf(']');
    boolean port = colon > bracket && (bracket >= 0 || authority.indexOf(':') == colon);
    return port
        ? authority.substring(0, colon) + suffix + authority.substring(colon)
        : authority + suffix;
  }

  @Override
  public void onResponseHead(HttpResponse response) {}

  @Override
  public void onResponseContent(HttpContent content) {
    boolean last = content instanceof LastHttpContent;
    content.release();
    if (last && state == State.SENT) {
      state = State.DONE;
      plan.onAnswered();
    }
  }

  @Override
  public void onResponseReadComplete() {}

  @Override
  public void onRequestFlowChanged(boolean accepting) {}

  @Override
  public void onFailed(CallFailure failure, String detail) {
    if (state == State.SENT) {
      state = State.DONE;
      plan.onFailed();
      LOG.debug("mirror to {} failed: {} {}", plan.service().name(), failure, detail);
    }
  }
}
