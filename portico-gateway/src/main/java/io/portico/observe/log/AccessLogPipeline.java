package io.portico.observe.log;

import io.portico.config.AccessLogConfig;
import io.portico.config.AccessLogConfig.SinkConfig;
import io.portico.observe.ExchangeObserver;
import io.portico.observe.ExchangeRecord;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * The access log: decides whether an exchange is logged, formats its line once and offers it to
 * every sink's queue. See the package documentation for the flow.
 *
 * <p>{@link #onExchangeComplete} runs on the exchange's event loop and does only cheap work: a set
 * lookup for the route, one random number for sampling, a {@link LogLine} that holds the finished
 * record (and a copy of the headers when the line shows them), and one non-blocking offer per sink.
 * The JSON is built on a sink's thread; a line that sampling drops is never built. The routes whose
 * logging is off and the plugins' credential places follow reloads ({@link #routesOff}, {@link
 * #credentialPlaces}); everything else is fixed for the pipeline's life.
 */
public final class AccessLogPipeline implements ExchangeObserver, AutoCloseable {

  private final List<QueuedSink> sinks;
  private final LineFormatter configured;
  private volatile LineFormatter formatter;
  private final double sampleRatio;
  private final boolean keepErrors;
  private volatile Set<String> routesOff = Set.of();

  AccessLogPipeline(AccessLogConfig config, List<QueuedSink> sinks) {
    this.sinks = List.copyOf(sinks);
    this.configured = formatter(config);
    this.formatter = configured;
    this.sampleRatio = config.sampleRatio();
    this.keepErrors = config.keepErrors();
  }

  /**
   * The line format of {@code config}: its fields and its redaction, shared with {@link LogTail}.
   */
  static LineFormatter formatter(AccessLogConfig config) {
    return new LineFormatter(
        config.fields(),
        new Redaction(
            config.redactHeaders(),
            config.redactQuery(),
            config.redactBody(),
            AccessLogConfig.REDACTED));
  }

  /**
   * Opens every sink of {@code config} and starts their threads; null when the log is off. A sink
   * that cannot open (a file that cannot be created) fails the whole call, closing those opened.
   */
  public static @Nullable AccessLogPipeline open(AccessLogConfig config) throws IOException {
    if (!config.enabled()) {
      return null;
    }
    List<QueuedSink> sinks = new ArrayList<>();
    try {
      for (SinkConfig sink : config.sinks()) {
        sinks.add(LogSinks.start(sink));
      }
    } catch (IOException | RuntimeException e) {
      sinks.forEach(QueuedSink::close);
      throw e;
    }
    return new AccessLogPipeline(config, sinks);
  }

  /** Sets the routes (by name) whose exchanges are not logged; any thread. */
  public void routesOff(Set<String> routes) {
    this.routesOff = Set.copyOf(routes);
  }

  /**
   * Sets the headers and query parameters where the active config's plugins read credentials; their
   * values are redacted on top of the config's own {@code redact} lists. Any thread; follows
   * reloads.
   */
  public void credentialPlaces(Set<String> headers, Set<String> query) {
    this.formatter = configured.withCredentials(headers, query);
  }

  /**
   * Keeps a copy of the record without its headers in the line it queues ({@link
   * ExchangeRecord#withoutHeaders}), never the record itself.
   */
  @Override
  public boolean keepsRecords() {
    return false;
  }

  @Override
  public boolean readsRequestHeaders() {
    return formatter.readsRequestHeaders();
  }

  @Override
  public void onExchangeComplete(ExchangeRecord record) {
    if (record.route() != null && routesOff.contains(record.route())) {
      return;
    }
    boolean error = record.failure() != null || record.status() >= 400;
    if (sampleRatio < 1.0
        && !(keepErrors && error)
        && ThreadLocalRandom.current().nextDouble() >= sampleRatio) {
      return;
    }
    LogLine line = formatter.line(record);
    for (QueuedSink sink : sinks) {
      sink.offer(line);
    }
  }

  /** Each sink's counts, in config order. */
  public List<SinkStats> sinks() {
    return List.copyOf(sinks);
  }

  /** Delivers what is queued (a few seconds at most in all), then closes every sink. */
  @Override
  public void close() {
    long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    for (QueuedSink sink : sinks) {
      long left = Math.max(1, deadline - System.nanoTime());
      sink.close(Duration.ofNanos(left));
    }
  }
}
