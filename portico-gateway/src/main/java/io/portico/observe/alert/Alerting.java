package io.portico.observe.alert;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.portico.config.AlertsConfig;
import io.portico.config.AlertsConfig.Kind;
import io.portico.config.AlertsConfig.Measure;
import io.portico.config.GatewayConfig;
import io.portico.config.ListenerConfig;
import io.portico.config.ServiceConfig;
import io.portico.config.TlsConfig;
import io.portico.observe.ExchangeObserver;
import io.portico.observe.alert.Alert.State;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Built-in alerting: the rules of the {@code alerts} section evaluated over the gateway's own
 * measurements, their alerts' states, silences, and notifications.
 *
 * <pre>
 *   exchanges ─▶ observer() (AlertFeed: running totals per route, service, gateway)
 *   every evaluation-interval, on the portico-alerts thread:
 *     sample totals ─▶ History (per scope) ─▶ each rule's value over its window
 *     AlertSource (healthy endpoints), certificate files, the last reload ─▶ the other values
 *     inactive ─▶ pending ─(for)─▶ firing ─(resolve threshold)─▶ resolved
 *     firing / repeat / resolved, unless silenced ─▶ Delivery per notifier (bounded queue, thread)
 * </pre>
 *
 * <p>Made once by the composition root when the config has an {@code alerts} section; {@link
 * #apply} takes each config that becomes active. A rule whose settings did not change keeps its
 * alert (state, start, last notification), as does a notifier its queue and counts, so a reload
 * neither repeats nor loses a notification. Nothing here runs on an event loop but the feed's
 * increments; notifiers deliver on their own threads.
 */
public final class Alerting implements AutoCloseable, MeterBinder {

  private static final Logger log = LoggerFactory.getLogger(Alerting.class);

  private record ScopeKey(AlertFeed.Scope scope, String name) {}

  private final AlertFeed feed = new AlertFeed();
  private final AlertSource source;
  private final Silences silences;
  private final Certificates certificates = new Certificates();
  private final ScheduledExecutorService evaluator;
  private final Object lock = new Object();
  private final Map<String, Alert> alerts = new LinkedHashMap<>();
  private final Map<ScopeKey, History> histories = new HashMap<>();

  /** Lines lost by each sink selected by a rule ("" for all sinks): one count per sample. */
  private final Map<String, History> sinkHistories = new HashMap<>();

  private final Map<String, Delivery> deliveries = new LinkedHashMap<>();
  private final Map<String, Delivery.Stats> stats = new LinkedHashMap<>();
  private @Nullable AlertsConfig config;
  private @Nullable GatewayConfig gateway;
  private @Nullable ScheduledFuture<?> task;
  private @Nullable Duration interval;
  private @Nullable MeterRegistry registry;
  private @Nullable Instant evaluatedAt;
  private volatile boolean reloadRejected;
  private volatile boolean closed;

  private Alerting(AlertSource source, @Nullable Path silencesFile) {
    this.source = source;
    this.silences = new Silences(silencesFile);
    this.evaluator =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "portico-alerts");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Starts evaluating the rules of {@code config}, which must have an {@code alerts} section.
   * Silences created through the admin API are kept in {@value #SILENCES_FILE} in the admin store's
   * directory (when the config has one), and read back from there.
   */
  public static Alerting start(GatewayConfig config, AlertSource source) {
    Path store = config.admin().store();
    Alerting a = new Alerting(source, store == null ? null : store.resolve(SILENCES_FILE));
    a.apply(config);
    return a;
  }

  /** The file of the silences created through the admin API, in the admin store's directory. */
  public static final String SILENCES_FILE = "silences.json";

  /** What the proxy tells about every finished exchange. */
  public ExchangeObserver observer() {
    return feed;
  }

  /**
   * {@code config} became active: its rules, notifiers and silences replace the previous ones; the
   * alerts of unchanged rules and the queues of unchanged notifiers are kept. A config without an
   * {@code alerts} section leaves no rule.
   */
  public void apply(GatewayConfig next) {
    AlertsConfig c =
        next.alerts() != null
            ? next.alerts()
            : new AlertsConfig(
                Duration.ofSeconds(5), Duration.ofHours(4), List.of(), List.of(), List.of());
    Instant now = Instant.now();
    long nanos = System.nanoTime();
    synchronized (lock) {
      if (closed) {
        return;
      }
      Map<String, Alert> kept = new LinkedHashMap<>();
      List<Alert> carried = new ArrayList<>();
      for (AlertsConfig.Rule rule : c.rules()) {
        Alert old = alerts.get(rule.name());
        Alert alert;
        if (old == null) {
          alert = new Alert(rule, now);
        } else if (old.rule.equals(rule)) {
          alert = old;
          carried.add(old);
        } else if (old.fingerprint.equals(Alert.fingerprint(Alert.labels(rule)))) {
          alert = new Alert(rule, old);
          carried.add(old);
        } else {
          alert = new Alert(rule, now);
        }
        kept.put(rule.name(), alert);
      }
      // An alert whose rule is gone (removed, or changed so that its labels differ) ends: if it
      // fired and its firing was notified, its notifiers are told it resolved, as Alertmanager
      // resolves an alert that Prometheus stops sending.
      List<Notification> ended = new ArrayList<>();
      List<List<String>> endedTo = new ArrayList<>();
      for (Alert old : alerts.values()) {
        if (!carried.contains(old) && old.state == State.FIRING && old.notified) {
          ended.add(
              new Notification(
                  false,
                  old.rule.name(),
                  old.rule.kind().configName(),
                  old.labels,
                  old.value,
                  old.rule.threshold(),
                  old.rule.name() + ": rule removed from the config",
                  old.startsAt,
                  now,
                  old.fingerprint));
          endedTo.add(old.rule.notifiers());
          old.lastNotified = now;
          old.lastNotifiedNanos = nanos;
        }
      }
      alerts.clear();
      alerts.putAll(kept);
      Map<String, Delivery> nextDeliveries = new LinkedHashMap<>();
      List<Delivery> retired = new ArrayList<>();
      for (AlertsConfig.Notifier n : c.notifiers()) {
        Delivery old = deliveries.get(n.name());
        if (old != null && old.config().equals(n)) {
          nextDeliveries.put(n.name(), old);
        } else {
          if (old != null) {
            retired.add(old);
          }
          nextDeliveries.put(n.name(), Delivery.of(n, statsOf(n)));
        }
      }
      for (Delivery d : deliveries.values()) {
        if (!nextDeliveries.containsKey(d.config().name())) {
          retired.add(d);
        }
      }
      // A notifier that the new config still has gets the ending notifications; one it removed
      // sends them before its thread ends.
      for (int i = 0; i < ended.size(); i++) {
        for (String name : endedTo.get(i)) {
          Delivery d = nextDeliveries.getOrDefault(name, deliveries.get(name));
          if (d != null) {
            d.offer(ended.get(i));
          }
        }
      }
      retired.forEach(Delivery::closeWhenDelivered);
      deliveries.clear();
      deliveries.putAll(nextDeliveries);
      histories.keySet().retainAll(c.rules().stream().map(Alerting::scope).toList());
      sinkHistories.keySet().retainAll(c.rules().stream().map(Alerting::sinkKey).toList());
      startHistories(c.rules(), nanos);
      silences.configure(c.silences(), now);
      this.config = c;
      this.gateway = next;
      if (!c.evaluationInterval().equals(interval)) {
        if (task != null) {
          task.cancel(false);
        }
        interval = c.evaluationInterval();
        long ms = Math.max(1, interval.toMillis());
        task = evaluator.scheduleWithFixedDelay(this::evaluateSafely, 0, ms, TimeUnit.MILLISECONDS);
      }
    }
  }

  private Delivery.Stats statsOf(AlertsConfig.Notifier n) {
    Delivery.Stats s = stats.get(n.name());
    if (s == null) {
      s = new Delivery.Stats();
      stats.put(n.name(), s);
      if (registry != null) {
        register(registry, n.name(), s);
      }
    }
    return s;
  }

  /** A reload of the config file was rejected ({@code reload-failed} rules fire). */
  public void reloadRejected() {
    reloadRejected = true;
  }

  /** A reload of the config file was applied ({@code reload-failed} rules resolve). */
  public void reloadApplied() {
    reloadRejected = false;
  }

  /** Evaluates every rule now, on the caller's thread; the evaluator thread does it on its own. */
  void evaluate() {
    long nanos = System.nanoTime();
    Instant now = Instant.now();
    synchronized (lock) {
      if (closed) {
        return;
      }
      evaluatedAt = now;
      sample(nanos);
      List<Silence> inForce = silences.active(now);
      for (Alert a : alerts.values()) {
        a.value = measure(a.rule, nanos, now);
        a.silencedBy = Silences.matching(inForce, a.labels);
        Alert.step(a, nanos, now, this::notify);
      }
    }
  }

  private void evaluateSafely() {
    try {
      evaluate();
    } catch (RuntimeException e) {
      log.warn("alert evaluation failed", e);
    }
  }

  private static String sinkKey(AlertsConfig.Rule rule) {
    return rule.sink() == null ? "" : rule.sink();
  }

  private void sample(long nanos) {
    Map<ScopeKey, Long> keep = new HashMap<>();
    Map<String, Long> keepSinks = new HashMap<>();
    for (Alert a : alerts.values()) {
      if (a.rule.kind() == Kind.LOG_SINK_DROPS) {
        keepSinks.merge(sinkKey(a.rule), a.rule.window().toNanos(), Math::max);
        continue;
      }
      keep.merge(scope(a.rule), a.rule.window().toNanos(), Math::max);
    }
    for (Map.Entry<String, Long> e : keepSinks.entrySet()) {
      long lost = source.logLinesLost(e.getKey().isEmpty() ? null : e.getKey());
      if (lost >= 0) {
        sinkHistories
            .computeIfAbsent(e.getKey(), k -> new History())
            .add(nanos, new long[] {lost}, e.getValue());
      }
    }
    for (Map.Entry<ScopeKey, Long> e : keep.entrySet()) {
      histories
          .computeIfAbsent(e.getKey(), k -> new History())
          .add(nanos, feed.totals(e.getKey().scope(), e.getKey().name()), e.getValue());
    }
  }

  /**
   * Gives each scope and sink that a rule reads for the first time its first sample now, when the
   * rule is created: the feed's totals (zero at gateway start, when the feed is made) or the sink's
   * lost lines (zero when the sink does not exist yet). The first evaluation's window then counts
   * what happened since the rule exists, not only what happens after that evaluation.
   */
  private void startHistories(List<AlertsConfig.Rule> rules, long nanos) {
    for (AlertsConfig.Rule rule : rules) {
      long keep = rule.window().toNanos();
      if (rule.kind() == Kind.LOG_SINK_DROPS) {
        String key = sinkKey(rule);
        if (!sinkHistories.containsKey(key)) {
          long lost = source.logLinesLost(key.isEmpty() ? null : key);
          History h = new History();
          h.add(nanos, new long[] {Math.max(0, lost)}, keep);
          sinkHistories.put(key, h);
        }
        continue;
      }
      ScopeKey scope = scope(rule);
      if (!histories.containsKey(scope)) {
        History h = new History();
        h.add(nanos, feed.totals(scope.scope(), scope.name()), keep);
        histories.put(scope, h);
      }
    }
  }

  private static ScopeKey scope(AlertsConfig.Rule rule) {
    if (rule.route() != null) {
      return new ScopeKey(AlertFeed.Scope.ROUTE, rule.route());
    }
    if (rule.service() != null) {
      return new ScopeKey(AlertFeed.Scope.SERVICE, rule.service());
    }
    return new ScopeKey(AlertFeed.Scope.ALL, "");
  }

  /** The rule's value now; NaN when there is nothing to measure. */
  private double measure(AlertsConfig.Rule rule, long nanos, Instant now) {
    switch (rule.kind()) {
      case NO_HEALTHY_ENDPOINT -> {
        String service = rule.service();
        int healthy = service == null ? -1 : source.healthyEndpoints(service);
        return healthy < 0 ? Double.NaN : healthy;
      }
      case CERTIFICATE_EXPIRY -> {
        return certificateDays(rule, now);
      }
      case RELOAD_FAILED -> {
        return reloadRejected ? 1 : 0;
      }
      case LOG_SINK_DROPS -> {
        History h = sinkHistories.get(sinkKey(rule));
        return h == null ? Double.NaN : h.delta(rule.window().toNanos())[0];
      }
      default -> {}
    }
    History history = histories.get(scope(rule));
    if (history == null) {
      return Double.NaN;
    }
    long[] d = history.delta(rule.window().toNanos());
    long total = d[AlertFeed.TOTAL];
    return switch (rule.kind()) {
      case ERROR_RATE ->
          total < rule.minRequests() ? Double.NaN : (double) d[AlertFeed.ERRORS] / total;
      case LATENCY ->
          total < rule.minRequests() ? Double.NaN : History.percentile(d, rule.percentile());
      case RATE_LIMITED -> counted(rule, d[AlertFeed.LIMITED], total);
      case AUTH_FAILURES -> counted(rule, d[AlertFeed.AUTH_FAILED], total);
      case REDIS_UNREACHABLE -> counted(rule, d[AlertFeed.LIMIT_FAILED], total);
      default -> Double.NaN;
    };
  }

  private static double counted(AlertsConfig.Rule rule, long count, long total) {
    if (rule.measure() == Measure.COUNT) {
      return count;
    }
    return total < rule.minRequests() ? Double.NaN : (double) count / total;
  }

  private double certificateDays(AlertsConfig.Rule rule, Instant now) {
    GatewayConfig g = gateway;
    if (g == null) {
      return Double.NaN;
    }
    List<Path> files = new ArrayList<>();
    for (ListenerConfig l : g.listeners()) {
      if (l.tls() != null
          && (rule.listener() == null || rule.listener().equals(l.name()))
          && rule.service() == null) {
        for (TlsConfig.Certificate c : l.tls().certificates()) {
          files.add(c.certFile());
        }
      }
    }
    for (ServiceConfig s : g.services()) {
      if (s.tls() != null
          && s.tls().clientCert() != null
          && rule.listener() == null
          && (rule.service() == null || rule.service().equals(s.name()))) {
        files.add(s.tls().clientCert());
      }
    }
    double days = Double.NaN;
    for (Path f : files) {
      Instant notAfter = certificates.notAfter(f);
      if (notAfter != null) {
        double left = Duration.between(now, notAfter).toSeconds() / 86_400.0;
        days = Double.isNaN(days) ? left : Math.min(days, left);
      }
    }
    return days;
  }

  private void notify(Alert a, boolean firing, Instant now, long nanos) {
    AlertsConfig.Rule rule = a.rule;
    Notification n =
        new Notification(
            firing,
            rule.name(),
            rule.kind().configName(),
            a.labels,
            a.value,
            rule.threshold(),
            Alert.summary(rule, a.value),
            a.startsAt,
            firing ? null : now,
            a.fingerprint);
    a.lastNotified = now;
    a.lastNotifiedNanos = nanos;
    for (String name : rule.notifiers()) {
      Delivery d = deliveries.get(name);
      if (d != null) {
        d.offer(n);
      }
    }
  }

  // ---- silences and status, for the admin API

  /** Creates a silence until {@code endsAt} (null: until restart). */
  public Silence silence(
      Map<String, String> matchers, Instant endsAt, String comment, String createdBy) {
    Silence s = silences.add(matchers, Instant.now(), endsAt, comment, createdBy);
    log.info("silence {} created by {}: {} until {}", s.id(), createdBy, matchers, endsAt);
    return s;
  }

  /** What deleting a silence did. */
  public enum Unsilenced {
    DELETED,
    NOT_FOUND,
    FROM_CONFIG
  }

  public Unsilenced unsilence(String id) {
    return switch (silences.remove(id)) {
      case REMOVED -> Unsilenced.DELETED;
      case NOT_FOUND -> Unsilenced.NOT_FOUND;
      case FROM_CONFIG -> Unsilenced.FROM_CONFIG;
    };
  }

  /** Every rule's alert, the silences in force and the notifiers' counts. */
  public AlertStatus status() {
    Instant now = Instant.now();
    synchronized (lock) {
      List<AlertStatus.Rule> rules = new ArrayList<>();
      for (Alert a : alerts.values()) {
        rules.add(
            new AlertStatus.Rule(
                a.rule.name(),
                a.rule.kind().configName(),
                a.state.name().toLowerCase(Locale.ROOT),
                a.value,
                a.rule.threshold(),
                a.rule.resolveThreshold(),
                a.labels,
                a.since,
                a.state == State.FIRING || a.state == State.RESOLVED ? a.startsAt : null,
                a.lastNotified,
                a.rule.notifiers(),
                a.silencedBy));
      }
      List<AlertStatus.NotifierCounts> counts = new ArrayList<>();
      for (Delivery d : deliveries.values()) {
        // statsOf made every delivery's stats before the delivery
        Delivery.Stats s = Objects.requireNonNull(stats.get(d.config().name()));
        counts.add(
            new AlertStatus.NotifierCounts(
                d.config().name(),
                d.config().type().name().toLowerCase(Locale.ROOT),
                s.sent.get(),
                s.failed.get(),
                s.dropped.get(),
                s.retried.get()));
      }
      return new AlertStatus(evaluatedAt, rules, silences.active(now), counts);
    }
  }

  // ---- metrics

  @Override
  public void bindTo(MeterRegistry registry) {
    synchronized (lock) {
      this.registry = registry;
      stats.forEach((name, s) -> register(registry, name, s));
      for (State st : List.of(State.PENDING, State.FIRING)) {
        Gauge.builder("portico.alerts", this, a -> a.count(st))
            .description("Alerts by state (pending, firing)")
            .tag("state", st.name().toLowerCase(Locale.ROOT))
            .register(registry);
      }
    }
  }

  private double count(State st) {
    synchronized (lock) {
      return alerts.values().stream().filter(a -> a.state == st).count();
    }
  }

  private static void register(MeterRegistry registry, String notifier, Delivery.Stats s) {
    counter(registry, notifier, "sent", s.sent);
    counter(registry, notifier, "failed", s.failed);
    counter(registry, notifier, "dropped", s.dropped);
    counter(registry, notifier, "retried", s.retried);
  }

  private static void counter(
      MeterRegistry registry,
      String notifier,
      String outcome,
      java.util.concurrent.atomic.AtomicLong n) {
    FunctionCounter.builder(
            "portico.alert.notifications", n, java.util.concurrent.atomic.AtomicLong::get)
        .description(
            "Alert notifications by notifier and outcome: sent, failed (after retries), dropped"
                + " (queue full), retried (attempts that were retried)")
        .tags("notifier", notifier, "outcome", outcome)
        .register(registry);
  }

  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      deliveries.values().forEach(Delivery::close);
      deliveries.clear();
    }
    evaluator.shutdownNow();
  }
}
