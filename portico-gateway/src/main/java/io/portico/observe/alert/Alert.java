package io.portico.observe.alert;

import io.portico.config.AlertsConfig;
import io.portico.config.AlertsConfig.Direction;
import io.portico.config.AlertsConfig.Kind;
import io.portico.config.AlertsConfig.Measure;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * One rule's alert and its state machine: inactive → pending → firing (after the rule's {@code
 * for}) → resolved (past the resolve threshold), with its labels, fingerprint and summary. Made,
 * carried across reloads and stepped by {@link Alerting}, always under its lock.
 */
final class Alert {

  enum State {
    INACTIVE,
    PENDING,
    FIRING,
    RESOLVED
  }

  /** Where a step hands a notification: firing (also each repeat) or resolved. */
  interface Sender {
    void send(Alert a, boolean firing, Instant now, long nanos);
  }

  final AlertsConfig.Rule rule;
  final Map<String, String> labels;
  final String fingerprint;
  State state = State.INACTIVE;
  double value = Double.NaN;
  Instant since;
  @Nullable Instant startsAt;
  @Nullable Instant lastNotified;
  long lastNotifiedNanos;
  long pendingNanos;
  boolean notified;
  List<String> silencedBy = List.of();

  Alert(AlertsConfig.Rule rule, Instant now) {
    this.rule = rule;
    this.labels = labels(rule);
    this.fingerprint = fingerprint(labels);
    this.since = now;
  }

  /** The alert of a changed rule with the same labels: the same alert, under new settings. */
  Alert(AlertsConfig.Rule rule, Alert old) {
    this(rule, old.since);
    state = old.state;
    value = old.value;
    startsAt = old.startsAt;
    lastNotified = old.lastNotified;
    lastNotifiedNanos = old.lastNotifiedNanos;
    pendingNanos = old.pendingNanos;
    notified = old.notified;
    silencedBy = old.silencedBy;
  }

  /**
   * Moves {@code a} through its states at {@code now} ({@code nanos} on the monotonic clock) and
   * hands {@code sender} what changed: firing, repeated, resolved, unless silenced.
   */
  static void step(Alert a, long nanos, Instant now, Sender sender) {
    AlertsConfig.Rule rule = a.rule;
    boolean above = rule.kind().direction() == Direction.ABOVE;
    boolean measured = !Double.isNaN(a.value);
    boolean bad = measured && (above ? a.value >= rule.threshold() : a.value < rule.threshold());
    boolean good =
        !measured
            || (above ? a.value < rule.resolveThreshold() : a.value >= rule.resolveThreshold());
    boolean silenced = !a.silencedBy.isEmpty();
    switch (a.state) {
      case INACTIVE, RESOLVED -> {
        if (bad) {
          a.state = State.PENDING;
          a.since = now;
          a.pendingNanos = nanos;
          step(a, nanos, now, sender);
        }
      }
      case PENDING -> {
        if (!bad) {
          a.state = State.INACTIVE;
          a.since = now;
        } else if (nanos - a.pendingNanos >= rule.forDuration().toNanos()) {
          a.state = State.FIRING;
          a.since = now;
          a.startsAt = now;
          a.notified = false;
          step(a, nanos, now, sender);
        }
      }
      case FIRING -> {
        if (good) {
          a.state = State.RESOLVED;
          a.since = now;
          if (a.notified && !silenced) {
            sender.send(a, false, now, nanos);
          }
          a.notified = false;
        } else if (!silenced
            && (!a.notified || nanos - a.lastNotifiedNanos >= rule.repeatInterval().toNanos())) {
          sender.send(a, true, now, nanos);
          a.notified = true;
        }
      }
    }
  }

  /** The rule's own summary, or one made of what it measures, where, the value and threshold. */
  static String summary(AlertsConfig.Rule rule, double value) {
    if (rule.summary() != null) {
      return rule.summary();
    }
    String of =
        rule.route() != null
            ? " of route " + rule.route()
            : rule.service() != null
                ? " of service " + rule.service()
                : rule.listener() != null
                    ? " of listener " + rule.listener()
                    : rule.sink() != null ? " by sink " + rule.sink() : "";
    String what =
        switch (rule.kind()) {
          case ERROR_RATE -> "5xx ratio";
          case LATENCY -> "p" + trim(rule.percentile() * 100) + " latency";
          case NO_HEALTHY_ENDPOINT -> "healthy endpoints";
          case RATE_LIMITED -> "rate-limited requests";
          case AUTH_FAILURES -> "authentication failures";
          case REDIS_UNREACHABLE -> "rate-limit decisions without Redis";
          case CERTIFICATE_EXPIRY -> "days before a certificate expires";
          case RELOAD_FAILED -> "last config reload rejected";
          case LOG_SINK_DROPS -> "access-log lines lost";
        };
    return rule.name()
        + ": "
        + what
        + of
        + " is "
        + format(rule, value)
        + " (threshold "
        + format(rule, rule.threshold())
        + ")";
  }

  private static String format(AlertsConfig.Rule rule, double v) {
    if (Double.isNaN(v)) {
      return "unknown";
    }
    boolean share =
        rule.kind() == Kind.ERROR_RATE
            || (rule.measure() == Measure.RATIO
                && (rule.kind() == Kind.RATE_LIMITED
                    || rule.kind() == Kind.AUTH_FAILURES
                    || rule.kind() == Kind.REDIS_UNREACHABLE));
    if (share) {
      return trim(v * 100) + "%";
    }
    if (rule.kind() == Kind.LATENCY) {
      return trim(v * 1000) + "ms";
    }
    if (rule.kind() == Kind.CERTIFICATE_EXPIRY) {
      return trim(v) + "d";
    }
    return trim(v);
  }

  private static String trim(double v) {
    String s = String.format(Locale.ROOT, "%.2f", v);
    return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
  }

  static Map<String, String> labels(AlertsConfig.Rule rule) {
    Map<String, String> l = new TreeMap<>(rule.labels());
    l.put("rule", rule.name());
    l.put("kind", rule.kind().configName());
    if (rule.route() != null) {
      l.put("route", rule.route());
    }
    if (rule.service() != null) {
      l.put("service", rule.service());
    }
    if (rule.listener() != null) {
      l.put("listener", rule.listener());
    }
    if (rule.sink() != null) {
      l.put("sink", rule.sink());
    }
    return Map.copyOf(l);
  }

  static String fingerprint(Map<String, String> labels) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (Map.Entry<String, String> e : new TreeMap<>(labels).entrySet()) {
        md.update((e.getKey() + "=" + e.getValue() + "\n").getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(md.digest(), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
