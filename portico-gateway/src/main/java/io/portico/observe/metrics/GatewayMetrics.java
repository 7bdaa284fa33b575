package io.portico.observe.metrics;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.util.internal.PlatformDependent;
import io.portico.config.ListenerConfig;
import io.portico.config.MetricsConfig;
import io.portico.observe.ExchangeObserver;
import io.portico.observe.log.SinkStats;
import io.portico.observe.trace.Tracing;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The gateway's metrics: one Prometheus registry, what records into it, and the scrape that the
 * admin listener serves at {@code /metrics}. Made by the composition root when {@code
 * metrics.enabled} is true (the default), which then:
 *
 * <pre>
 *   start(config, loops) ─▶ observer() into the proxy's ExchangeObserver (every finished exchange)
 *                        ─▶ attach(source, loops, listeners) once the listeners are bound
 *                        ─▶ delivery(sinks, tracing): access-log and span drops and failures
 *   activated(version…)  ─▶ per-route meters made (and removed routes' meters dropped), config gauge
 *   reloaded(applied)    ─▶ portico_config_reloads_total{result}
 *   scrape(accept)       ─▶ sampled gauges refreshed, then the registry written as text
 * </pre>
 *
 * <p>With {@code metrics.otlp} on, meters are registered in a composite of the Prometheus registry
 * and Micrometer's OTLP registry ({@link OtlpPush}), which pushes them every interval on its own
 * thread; without it, in the Prometheus registry alone.
 *
 * <p>Threading: {@link #observer()} records on the event loops without locks; {@link #scrape}
 * blocks (it waits for the loops' samples) and must be called off the event loops; scrapes are
 * serialised. The JVM meters are Micrometer's binders: memory pools and buffer pools (direct and
 * mapped), GC pauses, threads, class loading, CPU and uptime.
 */
public final class GatewayMetrics implements AutoCloseable {

  /** The Prometheus text format, the default answer. */
  public static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  /** OpenMetrics, when {@code Accept} names {@code application/openmetrics-text}. */
  public static final String OPENMETRICS_TEXT =
      "application/openmetrics-text; version=1.0.0; charset=utf-8";

  /** A rendered scrape. */
  public record Scrape(String contentType, byte[] body) {}

  private final MetricsConfig config;
  private final PrometheusMeterRegistry prometheus;
  private final @Nullable OtlpPush otlp;
  private final MeterRegistry registry;
  private final ExchangeMeters exchanges;
  private final EventLoopDelay loopDelay;
  private final JvmGcMetrics gc;
  private final Counter reloadsApplied;
  private final Counter reloadsRejected;
  private final MultiGauge configInfo;
  private volatile @Nullable TrafficSampler sampler;
  private volatile double lastLoaded;
  private long lastSampledNanos;

  private GatewayMetrics(MetricsConfig config, EventLoopGroup loops) {
    this.config = config;
    this.prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.lastSampledNanos = System.nanoTime() - TimeUnit.SECONDS.toNanos(2);
    if (config.otlp().enabled()) {
      this.otlp = OtlpPush.start(config.otlp(), this::sampleForPush);
      this.registry =
          new CompositeMeterRegistry(Clock.SYSTEM, List.of(prometheus, otlp.registry()));
      otlp.bindTo(registry);
    } else {
      this.otlp = null;
      this.registry = prometheus;
    }
    new JvmMemoryMetrics().bindTo(registry);
    this.gc = new JvmGcMetrics();
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    Gauge.builder("portico.netty.direct.memory", PlatformDependent::usedDirectMemory)
        .description("Direct memory Netty has reserved (-1 when it does not count it)")
        .baseUnit("bytes")
        .register(registry);
    Gauge.builder(
            "portico.netty.pooled.direct.memory",
            () -> PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory())
        .description("Direct memory held by Netty's pooled buffer allocator")
        .baseUnit("bytes")
        .register(registry);
    this.exchanges =
        new ExchangeMeters(
            registry,
            config.perConsumer() ? new ConsumerMeters(registry, config.maxConsumers()) : null);
    this.loopDelay = new EventLoopDelay(loops, registry);
    this.reloadsApplied = reloads("applied");
    this.reloadsRejected = reloads("rejected");
    this.configInfo =
        MultiGauge.builder("portico.config.info")
            .description("1 for the active config version")
            .register(registry);
    Gauge.builder("portico.config.loaded.timestamp", () -> lastLoaded)
        .description("When the active config was loaded, in seconds since the epoch")
        .baseUnit("seconds")
        .register(registry);
  }

  /** The metrics of a gateway with {@code config}, recording on {@code loops}. */
  public static GatewayMetrics start(MetricsConfig config, EventLoopGroup loops) {
    return new GatewayMetrics(config, loops);
  }

  private Counter reloads(String result) {
    return Counter.builder("portico.config.reloads")
        .description("Config reloads (file, signal, admin API) by result: applied or rejected")
        .tag("result", result)
        .register(registry);
  }

  /** What the proxy tells about every finished exchange. */
  public ExchangeObserver observer() {
    return exchanges;
  }

  /** The AI gateway's usage per consumer and model since start. */
  public AiUsageTable aiUsage() {
    return exchanges.aiUsage;
  }

  /** Whether {@code /metrics} answers without an admin token ({@code metrics.public}). */
  public boolean isPublic() {
    return config.isPublic();
  }

  /**
   * Starts sampling, at scrape time, the connections, pools and services that {@code source}
   * reports.
   */
  public void attach(TrafficSource source, EventLoopGroup loops, List<ListenerConfig> listeners) {
    this.sampler = new TrafficSampler(source, loops, listeners, registry);
  }

  /**
   * Publishes what the access log's sinks and the span exporter delivered, dropped and failed to
   * deliver: counters read from their own atomics when the registry is read, so the data path
   * records nothing more.
   *
   * @param tracing the tracer, or null when tracing is off (then no span meters)
   */
  public void delivery(List<? extends SinkStats> sinks, @Nullable Tracing tracing) {
    for (SinkStats sink : sinks) {
      Tags tags = Tags.of("sink", sink.name(), "type", sink.type());
      FunctionCounter.builder("portico.log.sink.delivered", sink, SinkStats::delivered)
          .description("Access-log lines the sink delivered")
          .tags(tags)
          .register(registry);
      FunctionCounter.builder("portico.log.sink.dropped", sink, SinkStats::dropped)
          .description("Access-log lines dropped because the sink's queue was full")
          .tags(tags)
          .register(registry);
      FunctionCounter.builder("portico.log.sink.failures", sink, SinkStats::failed)
          .description("Access-log lines lost because their delivery failed after retries")
          .tags(tags)
          .register(registry);
      Gauge.builder("portico.log.sink.queued", sink, SinkStats::queued)
          .description("Access-log lines waiting in the sink's queue")
          .tags(tags)
          .register(registry);
    }
    if (tracing != null) {
      FunctionCounter.builder("portico.trace.spans.exported", tracing, Tracing::exportedSpans)
          .description("Spans the collector accepted")
          .register(registry);
      FunctionCounter.builder("portico.trace.spans.dropped", tracing, Tracing::droppedSpans)
          .description("Spans dropped because the export queue was full")
          .register(registry);
      FunctionCounter.builder("portico.trace.export.failures", tracing, Tracing::failedSpans)
          .description("Spans lost because their export failed or timed out")
          .register(registry);
    }
  }

  /**
   * A config became active: its routes' meters and the config version gauge.
   *
   * @param serviceByRoute every route's name, in config order, with its service's name (null for a
   *     route that plugins answer)
   */
  public void activated(String version, Instant loadedAt, Map<String, String> serviceByRoute) {
    exchanges.activate(serviceByRoute);
    configInfo.register(List.of(MultiGauge.Row.of(Tags.of("version", version), 1)), true);
    lastLoaded = loadedAt.toEpochMilli() / 1000.0;
  }

  /** Registers the meters of another part of the gateway (alerting's notification counts). */
  public void bind(MeterBinder binder) {
    binder.bindTo(registry);
  }

  /** A reload (or admin write) was applied, or rejected. */
  public void reloaded(boolean applied) {
    (applied ? reloadsApplied : reloadsRejected).increment();
  }

  /**
   * Renders every meter in the format {@code accept} asks for: OpenMetrics when it names {@code
   * application/openmetrics-text}, else the Prometheus text format. Blocks; call off the event
   * loops.
   */
  public synchronized Scrape scrape(String accept) throws IOException {
    refreshSampled();
    String type = wantsOpenMetrics(accept) ? OPENMETRICS_TEXT : PROMETHEUS_TEXT;
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
    prometheus.scrape(out, type);
    return new Scrape(type, out.toByteArray());
  }

  /**
   * The traffic per route and per consumer, read from the registry without sampling the event
   * loops; for the console's overview ({@code GET /metrics/summary}). Call off the event loops.
   */
  public TrafficSummary summary() {
    return TrafficSummary.of(prometheus);
  }

  private void refreshSampled() {
    TrafficSampler s = sampler;
    if (s != null) {
      s.refresh();
      lastSampledNanos = System.nanoTime();
    }
  }

  /**
   * After an OTLP push, on its thread: the sampled gauges refreshed for the next push, unless a
   * scrape or a push did it within the last second (a push may be sent in several batches).
   */
  private synchronized void sampleForPush() {
    if (System.nanoTime() - lastSampledNanos >= TimeUnit.SECONDS.toNanos(1)) {
      refreshSampled();
    }
  }

  /**
   * Whether {@code accept} prefers OpenMetrics to the Prometheus text format, by q-value: the
   * highest q of an {@code application/openmetrics-text} range against that of {@code text/plain}
   * (or {@code text/*}); on a tie, the one listed first. {@code q=0} refuses a type. So
   * Prometheus's default header (OpenMetrics first) gets OpenMetrics, and one configured to prefer
   * the text format ({@code scrape_protocols}) gets text.
   */
  static boolean wantsOpenMetrics(String accept) {
    if (accept == null) {
      return false;
    }
    double open = -1;
    double text = -1;
    int openAt = Integer.MAX_VALUE;
    int textAt = Integer.MAX_VALUE;
    String[] ranges = accept.split(",");
    for (int i = 0; i < ranges.length; i++) {
      String[] parts = ranges[i].split(";");
      String type = parts[0].trim().toLowerCase(Locale.ROOT);
      double q = 1;
      for (int p = 1; p < parts.length; p++) {
        String param = parts[p].trim();
        if (param.length() > 2 && param.regionMatches(true, 0, "q=", 0, 2)) {
          try {
            q = Double.parseDouble(param.substring(2).trim());
          } catch (NumberFormatException e) {
            q = 0;
          }
        }
      }
      if (type.equals("application/openmetrics-text")) {
        if (q > open) {
          open = q;
          openAt = Math.min(openAt, i);
        }
      } else if (type.equals("text/plain") || type.equals("text/*")) {
        if (q > text) {
          text = q;
          textAt = Math.min(textAt, i);
        }
      }
    }
    if (open <= 0) {
      return false;
    }
    return open > text || (open == text && openAt < textAt);
  }

  @Override
  public void close() {
    loopDelay.close();
    gc.close();
    if (otlp != null) {
      otlp.close();
    }
    registry.close();
    prometheus.close();
  }
}
