package io.portico.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The top-level {@code alerts} section: rules evaluated by the gateway over its own measurements,
 * where their notifications go, and silences. Absent, nothing is evaluated.
 *
 * @param evaluationInterval how often every rule is evaluated
 * @param repeatInterval how long a firing alert waits before it is notified again, unless its rule
 *     says otherwise
 * @param notifiers where notifications go, by name
 * @param rules the rules, in config order
 * @param silences silences that hold while this config is active
 */
public record AlertsConfig(
    Duration evaluationInterval,
    Duration repeatInterval,
    List<Notifier> notifiers,
    List<Rule> rules,
    List<Silence> silences) {

  public AlertsConfig {
    notifiers = List.copyOf(notifiers);
    rules = List.copyOf(rules);
    silences = List.copyOf(silences);
  }

  /** The kinds of rule, each over one measurement. */
  public enum Kind {
    /** The share of 5xx answers of a route or service over the window (0 to 1). */
    ERROR_RATE(Direction.ABOVE),
    /** A percentile of the request duration of a route or service over the window, in seconds. */
    LATENCY(Direction.ABOVE),
    /** The endpoints of a service that health checking lets through. */
    NO_HEALTHY_ENDPOINT(Direction.BELOW),
    /** Requests refused by rate limiting over the window (a count or a share). */
    RATE_LIMITED(Direction.ABOVE),
    /** Requests an authentication plugin answered with 401 or 403 (a count or a share). */
    AUTH_FAILURES(Direction.ABOVE),
    /** Rate-limit decisions taken without Redis: failed open, failed closed, local fallback. */
    REDIS_UNREACHABLE(Direction.ABOVE),
    /** The days left before the first listener or upstream client certificate expires. */
    CERTIFICATE_EXPIRY(Direction.BELOW),
    /** 1 while the last reload of the config file was rejected, 0 once one is applied. */
    RELOAD_FAILED(Direction.ABOVE),
    /**
     * Access-log lines lost over the window by one sink (or all): dropped on a full queue, or
     * failed after the sink's retries.
     */
    LOG_SINK_DROPS(Direction.ABOVE);

    private final Direction direction;

    Kind(Direction direction) {
      this.direction = direction;
    }

    /** Whether the rule fires on a value at or above its threshold, or below it. */
    public Direction direction() {
      return direction;
    }

    /** The name in the config: {@code error-rate}, {@code no-healthy-endpoint}, ... */
    public String configName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /** Which side of the threshold is bad. */
  public enum Direction {
    ABOVE,
    BELOW
  }

  /** What a count-or-share rule measures. */
  public enum Measure {
    COUNT,
    RATIO
  }

  /**
   * One rule.
   *
   * @param route the route measured, or null (the service's or the whole gateway's traffic)
   * @param service the service measured, or null
   * @param listener the listener whose certificates a certificate rule reads, or null
   * @param measure a count or a share of the requests, for the kinds that count requests
   * @param percentile the latency percentile, from 0 to 1 (latency rules)
   * @param threshold the value that fires the rule: at or above it ({@link Direction#ABOVE}), or
   *     below it ({@link Direction#BELOW}); seconds for latency, days for certificates
   * @param resolveThreshold the value that resolves a firing alert: below it (above kinds) or at or
   *     above it (below kinds); equal to {@code threshold} without hysteresis
   * @param window how far back the measurement looks
   * @param forDuration how long the condition must hold before the alert fires
   * @param minRequests requests the window must hold before a share or percentile counts
   * @param repeatInterval how long a firing alert waits before it is notified again
   * @param notifiers names of {@link Notifier}s, in the order given
   * @param labels the rule's labels, {@code severity} included
   */
  public record Rule(
      String name,
      Kind kind,
      @Nullable String route,
      @Nullable String service,
      @Nullable String listener,
      Measure measure,
      double percentile,
      double threshold,
      double resolveThreshold,
      Duration window,
      Duration forDuration,
      long minRequests,
      Duration repeatInterval,
      List<String> notifiers,
      Map<String, String> labels,
      @Nullable String summary,
      @Nullable String sink) {

    public Rule {
      notifiers = List.copyOf(notifiers);
      labels = Map.copyOf(labels);
    }

    public String severity() {
      return labels.getOrDefault("severity", "warning");
    }
  }

  /** The kinds of notifier. */
  public enum NotifierType {
    WEBHOOK,
    SLACK,
    LOG
  }

  /**
   * Where notifications go.
   *
   * @param url the webhook's URL (webhook, slack); null for log
   * @param secret the HMAC-SHA256 key a webhook signs its bodies with; null for unsigned
   * @param secretFile the file {@code secret} was read from, or null
   * @param headers sent with each request
   * @param timeout bounds connecting and each request
   * @param retries further attempts after a failed delivery
   * @param backoff the wait before the first retry, doubled for each next one
   * @param queue notifications waiting for delivery; beyond it new ones are dropped and counted
   */
  public record Notifier(
      String name,
      NotifierType type,
      @Nullable URI url,
      @Nullable String secret,
      @Nullable Path secretFile,
      Map<String, String> headers,
      Duration timeout,
      int retries,
      Duration backoff,
      int queue) {

    public Notifier {
      headers = Map.copyOf(headers);
    }

    @Override
    public String toString() {
      return "Notifier[" + name + ", " + type + ", " + url + "]";
    }
  }

  /**
   * A silence from the config.
   *
   * @param matchers label names to values; an alert whose labels hold them all is not notified
   * @param endsAt when the silence ends, or null for as long as the config is active
   */
  public record Silence(Map<String, String> matchers, @Nullable Instant endsAt, String comment) {
    public Silence {
      matchers = Map.copyOf(matchers);
    }
  }
}
