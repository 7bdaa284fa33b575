package io.portico.observe.trace;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceId;
import io.opentelemetry.api.trace.TraceState;
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
 * server span's context upstream. An unsampled new trace ({@link Tracing#begin} decided it) has no
 * span at all, only its ids as numbers: the hex text of its trace id and its {@code traceparent}
 * are made when first asked for, once.
 */
public final class RequestTrace {

  private static final AsciiString TRACEPARENT = AsciiString.cached("traceparent");

  private final Tracing tracing;

  /** The server span; null for an unsampled new trace until a propagator needs it. */
  private @Nullable Span server;

  private final boolean spanless;
  private final long traceHigh;
  private final long traceLow;
  private final long spanId;
  private final String method;
  private @Nullable Context context;
  private @Nullable ClientSpan unrecorded;
  private @Nullable String traceId;
  private @Nullable AsciiString traceparent;
  private boolean ended;

  RequestTrace(Tracing tracing, Span server, String method) {
    this.tracing = tracing;
    this.server = server;
    this.spanless = false;
    this.traceHigh = 0;
    this.traceLow = 0;
    this.spanId = 0;
    this.method = method;
  }

  /** An unsampled new trace: its ids, and no span. */
  RequestTrace(Tracing tracing, long traceHigh, long traceLow, long spanId, String method) {
    this.tracing = tracing;
    this.spanless = true;
    this.traceHigh = traceHigh;
    this.traceLow = traceLow;
    this.spanId = spanId;
    this.method = method;
  }

  /** The server span; for an unsampled new trace, a non-recording one with its ids. */
  private Span server() {
    Span s = server;
    if (s == null) {
      s =
          Span.wrap(
              SpanContext.create(
                  traceId(),
                  SpanId.fromLong(spanId),
                  TraceFlags.getDefault(),
                  TraceState.getDefault()));
      server = s;
    }
    return s;
  }

  /** Whether the server span records: never for an unsampled new trace. */
  private boolean records() {
    Span s = server;
    return !spanless && s != null && s.isRecording();
  }

  /** The server span as a parent, made when a recorded child first needs it. */
  private Context context() {
    Context c = context;
    if (c == null) {
      c = Context.root().with(server());
      context = c;
    }
    return c;
  }

  /** Whether this request's spans record attributes (and are exported). */
  public boolean recording() {
    return records();
  }

  /** The trace id (32 lower-case hex digits), for logs and error bodies. */
  public String traceId() {
    String id = traceId;
    if (id == null) {
      id =
          spanless
              ? TraceId.fromLongs(traceHigh, traceLow)
              : server().getSpanContext().getTraceId();
      traceId = id;
    }
    return id;
  }

  /** Whether this request's spans are recorded and exported. */
  public boolean sampled() {
    return !spanless && server().getSpanContext().isSampled();
  }

  /**
   * Writes the context of an unrecorded attempt into the upstream request's headers: the server
   * span's, not sampled. An unsampled new trace under W3C trace context alone writes its {@code
   * traceparent}, made once.
   */
  void injectUnrecorded(HttpHeaders headers) {
    if (spanless && tracing.w3cOnly()) {
      AsciiString value = traceparent;
      if (value == null) {
        value = traceparent(traceHigh, traceLow, spanId);
        traceparent = value;
      }
      headers.set(TRACEPARENT, value);
      return;
    }
    tracing.propagator().inject(Context.root().with(server()), headers, HeaderAccess.INSTANCE);
  }

  /** {@code 00-TRACEID-SPANID-00}: version 0, not sampled, as the W3C propagator writes it. */
  static AsciiString traceparent(long traceHigh, long traceLow, long spanId) {
    byte[] b = new byte[55];
    b[0] = '0';
    b[1] = '0';
    b[2] = '-';
    hex(traceHigh, b, 3);
    hex(traceLow, b, 19);
    b[35] = '-';
    hex(spanId, b, 36);
    b[52] = '-';
    b[53] = '0';
    b[54] = '0';
    return new AsciiString(b, false);
  }

  private static void hex(long v, byte[] into, int at) {
    for (int i = 15; i >= 0; i--) {
      int d = (int) (v & 0xf);
      into[at + i] = (byte) (d < 10 ? '0' + d : 'a' + d - 10);
      v >>>= 4;
    }
  }

  /** The request matched route {@code name}: the span's name and {@code http.route}. */
  public void routed(String name) {
    Span server = this.server;
    if (records() && server != null) {
      server.updateName(method + " " + name);
      server.setAttribute(Tracing.ROUTE, name);
    }
  }

  /**
   * The address the gateway took as the client's (from trusted forwarding headers, or the peer).
   */
  public void clientAddress(String address) {
    Span server = this.server;
    if (records() && server != null) {
      server.setAttribute(Tracing.CLIENT_ADDRESS, address);
    }
  }

  /** The gateway's request id, as an attribute, so a trace and a log line find each other. */
  public void requestId(String id) {
    Span server = this.server;
    if (records() && server != null) {
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
    if (!records()) {
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
    if (!records()) {
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
      c = new ClientSpan(this);
      unrecorded = c;
    }
    return c;
  }

  /**
   * Starts the span of one plugin's work in one phase, or returns null when {@code plugin-spans} is
   * off or the request is not sampled. End it with {@link #endPlugin}.
   */
  public @Nullable Span plugin(String plugin, String phase) {
    if (!tracing.pluginSpans() || !records()) {
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
    Span server = this.server;
    if (server == null) {
      return;
    }
    if (records()) {
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
