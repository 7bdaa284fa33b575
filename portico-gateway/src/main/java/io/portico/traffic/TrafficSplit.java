package io.portico.traffic;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.portico.config.TimeoutsConfig;
import io.portico.config.TrafficConfig;
import io.portico.upstream.HashKey;
import io.portico.upstream.UpstreamService;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Which service serves a request on a route with a {@code traffic-split}: the first rule whose
 * conditions all hold chooses among its services by weight; no rule holding leaves the route's own
 * service. Without {@code hash-on} the choice walks the rule's {@link WeightedSequence}, so the
 * split is exact over every cycle of the weights (90/10 sends exactly 900 of 1,000 requests to the
 * first); with it, the request's key hashes to a position of that sequence, so the same key always
 * gets the same service while the shares hold over many keys (a request without the key gets a
 * random position).
 *
 * <p>Immutable but for each rule's counter; {@link #choose} runs on the exchange's event loop,
 * after the request phases and before the upstream call, so what plugins changed (headers, a
 * consumer) counts.
 */
public final class TrafficSplit {

  private record Rule(TrafficConfig.Match match, WeightedSequence<SplitTarget> sequence) {}

  private final List<Rule> rules;
  private final @Nullable HashKey sticky;
  private final boolean needsQuery;
  private final boolean needsCookies;

  private TrafficSplit(List<Rule> rules, @Nullable HashKey sticky) {
    this.rules = rules;
    this.sticky = sticky;
    this.needsQuery = rules.stream().anyMatch(r -> !r.match().query().isEmpty());
    this.needsCookies = rules.stream().anyMatch(r -> !r.match().cookies().isEmpty());
  }

  /**
   * Compiles a split against the snapshot's services.
   *
   * @param routeTimeouts the route's overrides of each chosen service's timeouts, or null
   */
  static TrafficSplit compile(
      TrafficConfig.Split config,
      Map<String, UpstreamService> services,
      TimeoutsConfig.@Nullable TimeoutsOverride routeTimeouts) {
    List<Rule> rules = new ArrayList<>();
    for (TrafficConfig.Rule r : config.rules()) {
      List<SplitTarget> targets = new ArrayList<>();
      int[] weights = new int[r.services().size()];
      for (int i = 0; i < weights.length; i++) {
        TrafficConfig.Weighted w = r.services().get(i);
        UpstreamService s = services.get(w.service());
        if (s == null) {
          throw new IllegalStateException("unknown service " + w.service());
        }
        targets.add(new SplitTarget(s, s.timeouts().overriddenBy(routeTimeouts)));
        weights[i] = w.weight();
      }
      rules.add(new Rule(r.match(), new WeightedSequence<>(targets, weights)));
    }
    HashKey sticky =
        config.hashOn() == null ? null : new HashKey(config.hashOn(), config.hashKey());
    return new TrafficSplit(List.copyOf(rules), sticky);
  }

  /**
   * The service for this request, or null when no rule holds (the route's own service serves it).
   *
   * @param rawQuery the query string without {@code ?}, or null
   * @param client the client's address as the forwarding policy established it
   * @param consumer the authenticated consumer's name, or null
   */
  public @Nullable SplitTarget choose(
      HttpHeaders headers,
      @Nullable String rawQuery,
      @Nullable InetSocketAddress client,
      @Nullable String consumer,
      Supplier<Map<String, String>> pathParameters) {
    Map<String, List<String>> query = null;
    Map<String, String> cookies = null;
    for (int i = 0, n = rules.size(); i < n; i++) {
      Rule rule = rules.get(i);
      TrafficConfig.Match m = rule.match();
      if (!m.isAny()) {
        if (needsQuery && query == null && !m.query().isEmpty()) {
          // '&' alone separates parameters, as the router reads a route's query conditions.
          query =
              rawQuery == null
                  ? Map.of()
                  : new QueryStringDecoder(rawQuery, StandardCharsets.UTF_8, false, 1024, true)
                      .parameters();
        }
        if (needsCookies && cookies == null && !m.cookies().isEmpty()) {
          cookies = cookies(headers);
        }
        if (!holds(m, headers, query, cookies)) {
          continue;
        }
      }
      if (sticky == null) {
        return rule.sequence().next();
      }
      return rule.sequence().at(sticky.hash(headers, client, consumer, pathParameters.get()));
    }
    return null;
  }

  private static boolean holds(
      TrafficConfig.Match m,
      HttpHeaders headers,
      @Nullable Map<String, List<String>> query,
      @Nullable Map<String, String> cookies) {
    for (Map.Entry<String, List<String>> e : m.headers().entrySet()) {
      if (!anyOf(headers.getAll(e.getKey()), e.getValue())) {
        return false;
      }
    }
    for (Map.Entry<String, List<String>> e : m.query().entrySet()) {
      List<String> values = query == null ? null : query.get(e.getKey());
      if (values == null || !anyOf(values, e.getValue())) {
        return false;
      }
    }
    for (Map.Entry<String, List<String>> e : m.cookies().entrySet()) {
      String value = cookies == null ? null : cookies.get(e.getKey());
      if (value == null || !e.getValue().contains(value)) {
        return false;
      }
    }
    return true;
  }

  private static boolean anyOf(List<String> present, List<String> accepted) {
    for (int i = 0, n = present.size(); i < n; i++) {
      if (accepted.contains(present.get(i))) {
        return true;
      }
    }
    return false;
  }

  private static Map<String, String> cookies(HttpHeaders headers) {
    List<String> fields = headers.getAll(HttpHeaderNames.COOKIE);
    if (fields.isEmpty()) {
      return Map.of();
    }
    Map<String, String> out = new HashMap<>();
    for (String field : fields) {
      for (Cookie c : ServerCookieDecoder.LAX.decodeAll(field)) {
        out.putIfAbsent(c.name(), c.value());
      }
    }
    return out;
  }
}
