package io.portico.observe.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.portico.observe.ExchangeObserver;
import io.portico.observe.ExchangeRecord;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Records every finished exchange into the meters of its route ({@link RouteMeters}), the
 * per-consumer counters when they are on ({@link ConsumerMeters}) and the authentication outcomes.
 *
 * <pre>
 *   ExchangeRecord ─▶ route name ─▶ RouteMeters (prepared when the config was activated)
 *                 ├─▶ consumer  ─▶ ConsumerMeters (capped; AI tokens too)
 *                 ├─▶ AI call   ─▶ AiMeters (per provider and model)
 *                 └─▶ identity / plugin reply ─▶ portico_auth_total{outcome, reason}
 * </pre>
 *
 * <p>Runs on the exchange's event loop, through {@link ExchangeObserver}: a map lookup by the
 * route's name (its hash is cached in the config's string), array reads and lock-free increments.
 * Meters are registered the first time a label combination is seen.
 */
final class ExchangeMeters implements ExchangeObserver {

  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, RouteMeters> routes = new ConcurrentHashMap<>();
  private final RouteMeters unmatched;
  private final @Nullable ConsumerMeters consumers;
  private final ConcurrentHashMap<String, AuthMeters> auth = new ConcurrentHashMap<>();
  private final AiMeters ai;
  final AiUsageTable aiUsage = new AiUsageTable();

  /**
   * @param consumers the per-consumer counters, or null when they are off
   */
  ExchangeMeters(MeterRegistry registry, @Nullable ConsumerMeters consumers) {
    this.registry = registry;
    this.consumers = consumers;
    this.unmatched = new RouteMeters(registry, Labels.UNMATCHED, Labels.NO_SERVICE);
    this.ai = new AiMeters(registry);
  }

  /**
   * Makes the meters of every route of the config just activated and removes those of routes it no
   * longer has, so that a renamed or deleted route leaves no series behind. Called off the event
   * loops.
   *
   * @param now each route's name with its service's name, or null
   */
  void activate(Map<String, String> now) {
    for (Map.Entry<String, String> route : now.entrySet()) {
      String service = route.getValue() == null ? Labels.NO_SERVICE : route.getValue();
      RouteMeters existing = routes.get(route.getKey());
      if (existing == null || !existing.service().equals(service)) {
        RouteMeters fresh = new RouteMeters(registry, route.getKey(), service);
        RouteMeters old = routes.put(route.getKey(), fresh);
        if (old != null) {
          old.remove();
        }
      }
    }
    Iterator<Map.Entry<String, RouteMeters>> it = routes.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, RouteMeters> e = it.next();
      if (!now.containsKey(e.getKey())) {
        it.remove();
        e.getValue().remove();
      }
    }
  }

  /**
   * Reads the record during {@link #onExchangeComplete}, on the event loop, and keeps nothing of
   * it.
   */
  @Override
  public boolean keepsRecords() {
    return false;
  }

  /** Reads counts and times, never headers. */
  @Override
  public boolean readsRequestHeaders() {
    return false;
  }

  /** Reads counts and times, never the request id. */
  @Override
  public boolean readsRequestId() {
    return false;
  }

  @Override
  public void onExchangeComplete(ExchangeRecord r) {
    routeMeters(r).record(r);
    if (consumers != null) {
      consumers.record(r.consumer(), r.status(), r.durationMillis());
    }
    if (r.ai() != null) {
      ai.record(r.ai());
      aiUsage.record(r.consumer(), r.ai());
      if (consumers != null) {
        consumers.tokens(r.consumer(), r.ai().promptTokens(), r.ai().completionTokens());
        if (r.ai().cost() > 0) {
          consumers.cost(r.consumer(), r.ai().cost());
        }
      }
    }
    if (r.authenticatedBy() != null) {
      AuthMeters m = authMeters(r.authenticatedBy());
      (r.consumer() == null ? m.noConsumer : m.consumer).increment();
    } else if (r.repliedBy() != null && (r.status() == 401 || r.status() == 403)) {
      authMeters(r.repliedBy()).rejected(r.failure()).increment();
    } else if (r.repliedBy() != null && r.repliedByAuthentication() && r.status() == 503) {
      authMeters(r.repliedBy()).unavailable(r.failure()).increment();
    }
  }

  private RouteMeters routeMeters(ExchangeRecord r) {
    if (r.route() == null) {
      return unmatched;
    }
    String service = r.service() == null ? Labels.NO_SERVICE : r.service();
    RouteMeters m = routes.get(r.route());
    if (m != null && Objects.equals(m.service(), service)) {
      return m;
    }
    // A route of a snapshot replaced while the exchange ran: meters of its own until the next
    // activation removes them.
    return routes.compute(
        r.route(),
        (name, current) ->
            current != null && current.service().equals(service)
                ? current
                : new RouteMeters(registry, name, service));
  }

  private AuthMeters authMeters(String plugin) {
    AuthMeters m = auth.get(plugin);
    return m != null ? m : auth.computeIfAbsent(plugin, p -> new AuthMeters(registry, p));
  }

  /**
   * The {@code portico_auth_total} counters of one plugin: a consumer identified, a caller without
   * a consumer (both {@code reason="none"}), the refusals by reason ({@code rejected}: 401 or 403
   * of any plugin) and the 503 answers of an authentication plugin whose dependency is down by
   * reason ({@code unavailable}: a JWKS or introspection endpoint unreachable, for instance). The
   * reasons are the plugin's reply reasons (the built-in plugins' {@code AuthFailure} codes, a
   * closed list); past {@link #MAX_REASONS} distinct ones a plugin's further reasons count as
   * {@code (other)}, so a third-party plugin cannot grow the series without bound.
   */
  private static final class AuthMeters {

    static final int MAX_REASONS = 128;
    static final String OTHER_REASON = "(other)";
    static final String NO_REASON = "(unknown)";

    private final MeterRegistry registry;
    private final String plugin;
    final Counter consumer;
    final Counter noConsumer;
    private final ConcurrentHashMap<String, Counter> rejected = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> unavailable = new ConcurrentHashMap<>();

    AuthMeters(MeterRegistry registry, String plugin) {
      this.registry = registry;
      this.plugin = plugin;
      this.consumer = counter("consumer", Labels.NO_FAILURE);
      this.noConsumer = counter("no-consumer", Labels.NO_FAILURE);
    }

    Counter rejected(@Nullable String reason) {
      return byReason(rejected, "rejected", reason);
    }

    Counter unavailable(@Nullable String reason) {
      return byReason(unavailable, "unavailable", reason);
    }

    private Counter byReason(
        ConcurrentHashMap<String, Counter> counters, String outcome, @Nullable String reason) {
      String key = reason == null ? NO_REASON : reason;
      Counter c = counters.get(key);
      if (c != null) {
        return c;
      }
      if (counters.size() >= MAX_REASONS) {
        key = OTHER_REASON;
      }
      return counters.computeIfAbsent(key, k -> counter(outcome, k));
    }

    private Counter counter(String outcome, String reason) {
      return Counter.builder("portico.auth")
          .description(
              "Authentication outcomes by plugin: a consumer identified, a caller without a"
                  + " consumer, a 401/403 answer of the plugin, or an authentication plugin's 503"
                  + " when what it depends on is down, with its reason")
          .tags("plugin", plugin, "outcome", outcome, "reason", reason)
          .register(registry);
    }
  }
}
