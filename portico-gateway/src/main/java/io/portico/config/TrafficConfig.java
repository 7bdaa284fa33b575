package io.portico.config;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A route's traffic policy beyond its one service: a {@code traffic-split} between services
 * (weights per match rule, for canaries and blue/green) and a {@code mirror} (a copy of each
 * request to a shadow service, its answer discarded). Either may be null.
 */
public record TrafficConfig(@Nullable Split split, @Nullable Mirror mirror) {

  /**
   * Which service serves a request: the first rule whose match holds picks among its services by
   * weight; a request no rule matches goes to the route's {@code service}.
   *
   * @param hashOn what makes the choice sticky (the same key, the same service), or null for an
   *     exact weighted sequence
   * @param hashKey the header, cookie or path parameter named by {@code hashOn}, or null
   */
  public record Split(
      BalancerConfig.@Nullable HashOn hashOn, @Nullable String hashKey, List<Rule> rules) {}

  /** One rule: every condition of {@code match} must hold (an empty match holds always). */
  public record Rule(Match match, List<Weighted> services) {}

  /**
   * Conditions on the request, all of which must hold: each map's values are the accepted values of
   * that header (case-insensitive name), query parameter or cookie (exact, case-sensitive).
   */
  public record Match(
      Map<String, List<String>> headers,
      Map<String, List<String>> query,
      Map<String, List<String>> cookies) {

    public static final Match ANY = new Match(Map.of(), Map.of(), Map.of());

    public boolean isAny() {
      return headers.isEmpty() && query.isEmpty() && cookies.isEmpty();
    }
  }

  /** A service and its share of a rule's requests. */
  public record Weighted(String service, int weight) {}

  /**
   * A copy of requests to a shadow service.
   *
   * @param percent the share of requests copied, 0 to 100 (up to two decimals), exact over every
   *     10,000 requests of the route
   * @param maxBodySize the largest request body copied; a request with a larger body is not
   *     mirrored
   * @param hostSuffix appended to the shadow request's {@code Host} name (Envoy's {@code -shadow}),
   *     or empty
   */
  public record Mirror(String service, double percent, long maxBodySize, String hostSuffix) {

    public static final long DEFAULT_MAX_BODY_SIZE = 64 * 1024;
  }
}
