package io.portico.observe.trace;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceId;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.portico.config.TracingConfig;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's tracer: made once at start-up from {@code tracing}, shared by every event loop,
 * closed at shutdown after the exchanges drained.
 *
 * <pre>
 *  event loop:   begin() ─▶ RequestTrace ─▶ client spans, plugin spans ─▶ end()
 *                                                                          │ span.end()
 *  SDK:          BatchSpanProcessor queue (max-queue-size; full ─▶ dropped, counted)
 *                                                                          │ every export-interval
 *  exporter:     OTLP/HTTP protobuf POST to endpoint (JDK HTTP client, export-timeout)
 * </pre>
 *
 * <p>Sampling is parent-based: a request whose client sent a trace context follows its sampled
 * flag; a new trace is recorded with probability {@code sample-ratio}. An unsampled request still
 * has a trace id, propagated upstream with the sampled flag off, and costs no span data. A new
 * trace is decided before the SDK is asked for anything (its ids drawn as the SDK draws them, the
 * SDK's ratio rule applied to its trace id): an unsampled one is only its three ids, written
 * upstream as a {@code traceparent} made once, and only a sampled one builds a span.
 *
 * <p>Thread-safe. Every span is made with an explicit parent: the data path never reads the
 * thread's current context.
 */
public final class Tracing implements AutoCloseable {

  static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
  static final AttributeKey<String> URL_SCHEME = AttributeKey.stringKey("url.scheme");
  static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
  static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  static final AttributeKey<String> PEER_ADDRESS = AttributeKey.stringKey("network.peer.address");
  static final AttributeKey<Long> PEER_PORT = AttributeKey.longKey("network.peer.port");
  static final AttributeKey<String> CLIENT_ADDRESS = AttributeKey.stringKey("client.address");
  static final AttributeKey<String> PROTOCOL_VERSION =
      AttributeKey.stringKey("network.protocol.version");
  static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  static final AttributeKey<String> USER_AGENT = AttributeKey.stringKey("user_agent.original");
  static final AttributeKey<Long> RESEND_COUNT = AttributeKey.longKey("http.request.resend_count");
  static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("portico.request_id");
  static final AttributeKey<String> SERVICE = AttributeKey.stringKey("portico.service");
  static final AttributeKey<String> PLUGIN = AttributeKey.stringKey("portico.plugin");
  static final AttributeKey<String> PHASE = AttributeKey.stringKey("portico.phase");

  private static final String SCOPE = "io.portico";
  private static final Logger log = LoggerFactory.getLogger(Tracing.class);

  private final SdkTracerProvider provider;
  private final SdkMeterProvider meters;
  private final QueueDrops drops;
  private final CountingExporter exporter;
  private final Tracer tracer;
  private final TextMapPropagator propagator;
  private final boolean pluginSpans;
  private final PinnedIds ids = new PinnedIds();

  /** The headers any configured propagator reads; a request with none of them starts a trace. */
  private final AsciiString[] contextHeaders;

  /** A new trace is sampled when its id's random part (absolute) is below this (the SDK's rule). */
  private final long idUpperBound;

  /** Whether W3C trace context is the only format written upstream. */
  private final boolean w3cOnly;

  /** Kept so the level set on it outlives a collection of unused loggers. */
  private final java.util.logging.Logger exporterLog;

  private Tracing(TracingConfig config) {
    OtlpHttpSpanExporterBuilder otlp =
        OtlpHttpSpanExporter.builder()
            .setEndpoint(config.endpoint().toString())
            .setTimeout(config.exportTimeout());
    config.headers().forEach(otlp::addHeader);
    this.exporter = new CountingExporter(otlp.build(), config.endpoint().toString());
    // The exporter logs every failed batch; CountingExporter says it once per outage instead.
    this.exporterLog = java.util.logging.Logger.getLogger("io.opentelemetry.exporter");
    exporterLog.setLevel(java.util.logging.Level.OFF);
    this.drops = new QueueDrops();
    this.meters = SdkMeterProvider.builder().registerMetricReader(drops).build();
    BatchSpanProcessor batch =
        BatchSpanProcessor.builder(exporter)
            .setMaxQueueSize(config.maxQueueSize())
            .setMaxExportBatchSize(Math.min(512, config.maxQueueSize()))
            .setScheduleDelay(config.exportInterval())
            .setExporterTimeout(config.exportTimeout())
            .setMeterProvider(meters)
            .build();
    AttributesBuilder resource =
        Attributes.builder().put(AttributeKey.stringKey("service.name"), config.serviceName());
    for (Map.Entry<String, String> e : config.resourceAttributes().entrySet()) {
      resource.put(AttributeKey.stringKey(e.getKey()), e.getValue());
    }
    this.provider =
        SdkTracerProvider.builder()
            .setResource(Resource.getDefault().merge(Resource.create(resource.build())))
            .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(config.sampleRatio())))
            .setIdGenerator(ids)
            .addSpanProcessor(batch)
            .build();
    this.tracer = provider.get(SCOPE);
    this.propagator = Propagation.of(config.propagators());
    this.pluginSpans = config.pluginSpans();
    this.contextHeaders =
        propagator.fields().stream().map(AsciiString::of).toArray(AsciiString[]::new);
    double ratio = config.sampleRatio();
    this.idUpperBound =
        ratio == 0.0
            ? Long.MIN_VALUE
            : ratio == 1.0 ? Long.MAX_VALUE : (long) (ratio * Long.MAX_VALUE);
    this.w3cOnly = config.propagators().equals(List.of("tracecontext"));
  }

  /** The tracer for {@code config}, or null when tracing is off. */
  public static @Nullable Tracing start(TracingConfig config) {
    return config.enabled() ? new Tracing(config) : null;
  }

  /**
   * Starts the server span of a request whose head just arrived, continuing the client's trace when
   * its headers carry one. Called on the exchange's event loop.
   *
   * <p>The sampling decision comes first, with no attributes (the parent-based ratio sampler reads
   * none); only a span that records gets its attributes, so an unsampled request builds none.
   *
   * @param target the request-target; its query is not recorded
   * @param host the Host the client asked for, or null
   * @param peer the address of the connection's peer
   */
  public RequestTrace begin(
      HttpHeaders headers,
      String method,
      String target,
      @Nullable String host,
      @Nullable InetSocketAddress peer,
      boolean secure,
      String protocolVersion) {
    Context parent =
        carriesContext(headers)
            ? propagator.extract(Context.root(), headers, HeaderAccess.INSTANCE)
            : Context.root();
    boolean pinned = false;
    if (!Span.fromContext(parent).getSpanContext().isValid()) {
      // A new trace: drawn and decided here as the SDK's generator and ratio sampler would, so an
      // unsampled one makes no span builder, span or context, only its ids.
      ThreadLocalRandom random = ThreadLocalRandom.current();
      long high = random.nextLong();
      long low;
      do {
        low = random.nextLong();
      } while (low == 0);
      if (Math.abs(low) >= idUpperBound) {
        long spanId;
        do {
          spanId = random.nextLong();
        } while (spanId == 0);
        return new RequestTrace(this, high, low, spanId, method);
      }
      ids.pin(TraceId.fromLongs(high, low));
      pinned = true;
    }
    Span span;
    try {
      span = tracer.spanBuilder(method).setParent(parent).setSpanKind(SpanKind.SERVER).startSpan();
    } finally {
      if (pinned) {
        ids.unpin();
      }
    }
    if (span.isRecording()) {
      int q = target.indexOf('?');
      span.setAttribute(METHOD, method);
      span.setAttribute(URL_PATH, q < 0 ? target : target.substring(0, q));
      span.setAttribute(URL_SCHEME, secure ? "https" : "http");
      span.setAttribute(PROTOCOL_VERSION, protocolVersion);
      if (host != null) {
        int colon = host.lastIndexOf(':');
        if (colon > 0 && host.indexOf(']') < colon) {
          span.setAttribute(SERVER_ADDRESS, host.substring(0, colon));
          long port = parsePort(host.substring(colon + 1));
          if (port > 0) {
            span.setAttribute(SERVER_PORT, port);
          }
        } else {
          span.setAttribute(SERVER_ADDRESS, host);
        }
      }
      if (peer != null && peer.getAddress() != null) {
        span.setAttribute(PEER_ADDRESS, peer.getAddress().getHostAddress());
        span.setAttribute(PEER_PORT, (long) peer.getPort());
      }
      String userAgent = headers.get(io.netty.handler.codec.http.HttpHeaderNames.USER_AGENT);
      if (userAgent != null) {
        span.setAttribute(USER_AGENT, userAgent);
      }
    }
    return new RequestTrace(this, span, method);
  }

  private boolean carriesContext(HttpHeaders headers) {
    for (AsciiString name : contextHeaders) {
      if (headers.contains(name)) {
        return true;
      }
    }
    return false;
  }

  /** Whether W3C trace context is the only format written upstream. */
  boolean w3cOnly() {
    return w3cOnly;
  }

  Tracer tracer() {
    return tracer;
  }

  TextMapPropagator propagator() {
    return propagator;
  }

  boolean pluginSpans() {
    return pluginSpans;
  }

  /** Spans the export queue had no room for. */
  public long droppedSpans() {
    return drops.dropped();
  }

  /** Spans the collector accepted. */
  public long exportedSpans() {
    return exporter.exported();
  }

  /** Spans lost because an export failed or timed out (collector down, slow or refusing). */
  public long failedSpans() {
    return exporter.failed();
  }

  /** Exports what is queued, waiting at most {@code millis}. Off the event loops only. */
  public void flush(long millis) {
    provider.forceFlush().join(millis, TimeUnit.MILLISECONDS);
  }

  /** Exports what is still queued (bounded by a few seconds) and stops the exporter thread. */
  @Override
  public void close() {
    provider.shutdown().join(5, TimeUnit.SECONDS);
    long dropped = droppedSpans();
    long failed = failedSpans();
    if (dropped > 0 || failed > 0) {
      log.warn(
          "tracing: {} spans exported, {} dropped with the export queue full, {} lost in failed"
              + " exports",
          exportedSpans(),
          dropped,
          failed);
    }
    meters.shutdown().join(1, TimeUnit.SECONDS);
  }

  private static long parsePort(String s) {
    if (s.isEmpty() || s.length() > 5) {
      return -1;
    }
    long v = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v <= 65535 ? v : -1;
  }
}
