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
 *                 └─▶ identity / plugin reply ─▶ portico_auth_total
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
  private final ConcurrentHashMap<String, Counter[]> auth = new ConcurrentHashMap<>();
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

  /** Reads counts and times, never headers. */
  @Override
  public boolean readsRequestHeaders() {
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
      authCounters(r.authenticatedBy())[r.consumer() == null ? 1 : 0].increment();
    } else if (r.repliedBy() != null && (r.status() == 401 || r.status() == 403)) {
      authCounters(r.repliedBy())[2].increment();
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

  /** Authenticated with a consumer, authenticated without one, rejected. */
  private Counter[] authCounters(String plugin) {
    Counter[] c = auth.get(plugin);
    if (c == null) {
      c =
          auth.computeIfAbsent(
              plugin,
              p ->
                  new Counter[] {
                    authCounter(p, "consumer"),
                    authCounter(p, "no-consumer"),
                    authCounter(p, "rejected")
                  });
    }
    return c;
  }

  private Counter authCounter(String plugin, String outcome) {
    return Counter.builder("portico.auth")
        .description(
            "Authentication outcomes by plugin: a consumer identified, a caller without a"
                + " consumer, or a 401/403 answer of the plugin")
        .tags("plugin", plugin, "outcome", outcome)
        .register(registry);
  }
}
