package io.portico.observe.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.ipc.http.HttpUrlConnectionSender;
import io.micrometer.registry.otlp.OtlpConfig;
import io.micrometer.registry.otlp.OtlpHttpMetricsSender;
import io.micrometer.registry.otlp.OtlpMeterRegistry;
import io.micrometer.registry.otlp.OtlpMetricsSender;
import io.portico.config.OtlpMetricsConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The push of every meter to an OpenTelemetry collector ({@code metrics.otlp}): Micrometer's OTLP
 * registry, a child of the gateway's composite registry beside the Prometheus one, so each meter is
 * recorded once into both.
 *
 * <pre>
 *   every interval, on the registry's own thread "portico-otlp-metrics":
 *     meters ─▶ ExportMetricsServiceRequest (protobuf) ─▶ POST endpoint (connect, read: timeout)
 *            ─▶ pushed or failed counted; one warning when pushes start failing, one line on recovery
 *            ─▶ afterPush: the gauges sampled at scrape time refreshed for the next push
 * </pre>
 *
 * <p>The event loops only record into the meters; nothing on the data path waits for the collector.
 * A collector that is down, slow or refusing costs one thread blocked for at most twice {@code
 * timeout} per interval, and that push's data (the next push carries the cumulative values).
 */
final class OtlpPush implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(OtlpPush.class);

  private final OtlpMeterRegistry registry;
  private final CountingSender sender;

  private OtlpPush(OtlpMetricsConfig config, Runnable afterPush) {
    Map<String, String> resource = new LinkedHashMap<>();
    resource.put("service.name", "portico");
    resource.putAll(config.resourceAttributes());
    OtlpConfig otlp =
        new OtlpConfig() {
          @Override
          public @Nullable String get(String key) {
            return null;
          }

          @Override
          public String url() {
            return config.endpoint().toString();
          }

          @Override
          public Duration step() {
            return config.interval();
          }

          @Override
          public Map<String, String> headers() {
            return config.headers();
          }

          @Override
          public Map<String, String> resourceAttributes() {
            return resource;
          }

          @Override
          public TimeUnit baseTimeUnit() {
            return TimeUnit.SECONDS;
          }
        };
    this.sender =
        new CountingSender(
            new OtlpHttpMetricsSender(
                new HttpUrlConnectionSender(config.timeout(), config.timeout())),
            config.endpoint().toString(),
            afterPush);
    this.registry =
        OtlpMeterRegistry.builder(otlp)
            .metricsSender(sender)
            .threadFactory(
                r -> {
                  Thread t = new Thread(r, "portico-otlp-metrics");
                  t.setDaemon(true);
                  return t;
                })
            .build();
  }

  /**
   * Starts pushing to the collector of {@code config}.
   *
   * @param afterPush runs on the push thread after each push (failed or not)
   */
  static OtlpPush start(OtlpMetricsConfig config, Runnable afterPush) {
    return new OtlpPush(config, afterPush);
  }

  MeterRegistry registry() {
    return registry;
  }

  /** Counts the pushes into {@code into} (the composite, so both registries show them). */
  void bindTo(MeterRegistry into) {
    FunctionCounter.builder("portico.metrics.pushes", sender, s -> s.pushed.get())
        .description("Pushes of the meters that the OTLP collector accepted")
        .register(into);
    FunctionCounter.builder("portico.metrics.push.failures", sender, s -> s.failed.get())
        .description("Pushes of the meters that failed: collector down, slow or refusing")
        .register(into);
  }

  /** Pushes once more (bounded by the timeouts) and stops the push thread. */
  @Override
  public void close() {
    registry.close();
  }

  /** Counts what the collector accepted and refused, and logs once per outage. */
  private static final class CountingSender implements OtlpMetricsSender {
    private final OtlpMetricsSender delegate;
    private final String endpoint;
    private final Runnable afterPush;
    private final AtomicLong pushed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicBoolean failing = new AtomicBoolean();

    CountingSender(OtlpMetricsSender delegate, String endpoint, Runnable afterPush) {
      this.delegate = delegate;
      this.endpoint = endpoint;
      this.afterPush = afterPush;
    }

    @Override
    public void send(Request request) {
      try {
        delegate.send(request);
        pushed.incrementAndGet();
        if (failing.compareAndSet(true, false)) {
          log.info("metrics push to {} recovered", endpoint);
        }
      } catch (Exception e) {
        failed.incrementAndGet();
        if (failing.compareAndSet(false, true)) {
          log.warn(
              "metrics push to {} failed ({}); retrying every interval until the collector"
                  + " answers",
              endpoint,
              e.toString());
        }
      } finally {
        afterPush.run();
      }
    }
  }
}
