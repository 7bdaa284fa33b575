package io.portico.observe.trace;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * The trace of one exchange: its server span, from the request head to the end of the response, and
 * the parent of the exchange's client spans (one per upstream attempt) and plugin spans.
 *
 * <pre>
 *   SERVER "GET route-name"  ─┬─ INTERNAL "plugin key-auth access"   (plugin-spans: true)
 *                             ├─ CLIENT "GET" attempt 1 ─▶ error.type=upstream_connect_failed
 *                             └─ CLIENT "GET" attempt 2 ─▶ 200       (traceparent injected)
 * </pre>
 *
 * <p>Confined to the exchange's event loop; ended once by {@link #end}. For an unsampled request
 * the spans are non-recording ones: they carry the trace id and propagate it, and record nothing.
 * It makes no client spans (a child of an unsampled span is never sampled): its attempts carry the
 * server span's context upstream.
 */
public final class RequestTrace {

  private final Tracing tracing;
  private final Span server;
  private final String method;
  private @Nullable Context context;
  private @Nullable ClientSpan unrecorded;
  private boolean ended;

  RequestTrace(Tracing tracing, Span server, String method) {
    this.tracing = tracing;
    this.server = server;
    this.method = method;
  }

  /** The server span as a parent, made when a recorded child first needs it. */
  private Context context() {
    Context c = context;
    if (c == null) {
      c = Context.root().with(server);
      context = c;
    }
    return c;
  }

  /** Whether this request's spans record attributes (and are exported). */
  public boolean recording() {
    return server.isRecording();
  }

  /** The trace id (32 lower-case hex digits), for logs and error bodies. */
  public String traceId() {
    return server.getSpanContext().getTraceId();
  }

  /** Whether this request's spans are recorded and exported. */
  public boolean sampled() {
    return server.getSpanContext().isSampled();
  }

  /** The request matched route {@code name}: the span's name and {@code http.route}. */
  public void routed(String name) {
    if (server.isRecording()) {
      server.updateName(method + " " + name);
      server.setAttribute(Tracing.ROUTE, name);
    }
  }

  /**
   * The address the gateway took as the client's (from trusted forwarding headers, or the peer).
   */
  public void clientAddress(String address) {
    if (server.isRecording()) {
      server.setAttribute(Tracing.CLIENT_ADDRESS, address);
    }
  }

  /** The gateway's request id, as an attribute, so a trace and a log line find each other. */
  public void requestId(String id) {
    if (server.isRecording()) {
      server.setAttribute(Tracing.REQUEST_ID, id);
    }
  }

  /**
   * Starts the client span of one upstream attempt; the caller ends it with {@link ClientSpan#end}.
   *
   * @param method the upstream request's method
   * @param host the endpoint's host, as configured (a name or an address)
   * @param peerAddress the endpoint's resolved address, or null
   * @param attempt counting from 1; a retry has a {@code http.request.resend_count}
   */
  public ClientSpan attempt(
      String method,
      String service,
      String host,
      int port,
      @Nullable String peerAddress,
      int attempt) {
    if (!server.isRecording()) {
      return unrecorded();
    }
    io.opentelemetry.api.trace.SpanBuilder b =
        tracing
            .tracer()
            .spanBuilder(method)
            .setParent(context())
            .setSpanKind(SpanKind.CLIENT)
            .setAttribute(Tracing.METHOD, method)
            .setAttribute(Tracing.SERVICE, service)
            .setAttribute(Tracing.SERVER_ADDRESS, host)
            .setAttribute(Tracing.SERVER_PORT, (long) port);
    if (peerAddress != null) {
      b.setAttribute(Tracing.PEER_ADDRESS, peerAddress);
    }
    if (attempt > 1) {
      b.setAttribute(Tracing.RESEND_COUNT, (long) (attempt - 1));
    }
    return new ClientSpan(tracing, b.startSpan());
  }

  /**
   * Starts the client span of one upstream attempt to {@code endpoint}; the endpoint's address is
   * turned into attributes only when the span records. See {@link #attempt(String, String, String,
   * int, String, int)}.
   */
  public ClientSpan attempt(
      String method, String service, InetSocketAddress endpoint, int attempt) {
    if (!server.isRecording()) {
      return unrecorded();
    }
    return attempt(
        method,
        service,
        endpoint.getHostString(),
        endpoint.getPort(),
        endpoint.getAddress() == null ? null : endpoint.getAddress().getHostAddress(),
        attempt);
  }

  /**
   * The client span of every attempt of an unsampled request: the server span itself, which records
   * nothing and whose end is a no-op. Its context is what the upstream gets (not sampled, the
   * client's trace state): a valid W3C parent for a request nothing records, without a span id per
   * attempt.
   */
  private ClientSpan unrecorded() {
    ClientSpan c = unrecorded;
    if (c == null) {
      c = new ClientSpan(tracing, server);
      unrecorded = c;
    }
    return c;
  }

  /**
   * Starts the span of one plugin's work in one phase, or returns null when {@code plugin-spans} is
   * off or the request is not sampled. End it with {@link #endPlugin}.
   */
  public @Nullable Span plugin(String plugin, String phase) {
    if (!tracing.pluginSpans() || !server.isRecording()) {
      return null;
    }
    return tracing
        .tracer()
        .spanBuilder("plugin " + plugin + " " + phase)
        .setParent(context())
        .setSpanKind(SpanKind.INTERNAL)
        .setAttribute(Tracing.PLUGIN, plugin)
        .setAttribute(Tracing.PHASE, phase)
        .startSpan();
  }

  /** Ends a plugin span; {@code error} names what went wrong (a reply's status, an exception). */
  public static void endPlugin(@Nullable Span span, @Nullable String error) {
    if (span == null) {
      return;
    }
    if (error != null) {
      span.setAttribute(Tracing.ERROR_TYPE, error);
      span.setStatus(StatusCode.ERROR);
    }
    span.end();
  }

  /**
   * Ends the server span: the response is complete, or the exchange failed.
   *
   * @param status the status sent to the client, or 0 when none was
   * @param failure the failure code, or null when the exchange succeeded
   */
  public void end(int status, @Nullable String failure) {
    if (ended) {
      return;
    }
    ended = true;
    if (server.isRecording()) {
      if (status > 0) {
        server.setAttribute(Tracing.STATUS, (long) status);
      }
      if (failure != null) {
        server.setAttribute(Tracing.ERROR_TYPE, failure);
      }
      if (status >= 500 || (status == 0 && failure != null)) {
        server.setStatus(StatusCode.ERROR);
      }
    }
    server.end();
  }
}
