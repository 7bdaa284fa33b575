package io.portico.plugins.ratelimit;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.ExchangeKey;
import io.portico.spi.plugin.Identity;
import io.portico.spi.plugin.LimitDecision;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.Reply;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * A configured {@code rate-limit}: immutable, shared by every exchange of its snapshot.
 *
 * <p>ACCESS: the key is built from the exchange (or the client IP, or a refusal, when a part is
 * missing), the rules chosen by the caller's consumer groups, the cost read, and the limiter asked.
 * The local limiter answers at once; the Redis limiter suspends the exchange until Redis answers or
 * the timeout passes, then applies the failure policy on the exchange's event loop. A refusal is a
 * problem with the configured status and the rate-limit headers. RESPONSE: the headers of an
 * admitted request are added, and a cost carried by the response is counted.
 */
final class RateLimitPlugin implements Plugin {

  /** The 503 of {@code fail-closed}: Redis too slow (past its timeout) or down. */
  private static final Reply UNAVAILABLE =
      Reply.problem(
              HttpResponseStatus.SERVICE_UNAVAILABLE,
              "rate-limit-unavailable",
              "Service Unavailable",
              RedisFailures.detail("The rate limit cannot be checked right now."))
          .withHeader(HttpHeaderNames.RETRY_AFTER, RedisFailures.RETRY_AFTER_SECONDS);

  private final RateLimitConfig config;
  private final KeySpec key;
  private final LimitRule[] rules;
  private final Map<String, LimitRule[]> groupRules = new HashMap<>();
  private final LocalLimiter local;
  private final @Nullable RedisLimiter redis;

  /** What a Redis failure does; never consulted without Redis. */
  private final FailurePolicy onFailure;

  private final HttpResponseStatus status;
  private final Set<Phase> phases;
  private final ExchangeKey<Decision> decided = ExchangeKey.of("rate-limit.decision");
  private final ExchangeKey<Admitted> admitted = ExchangeKey.of("rate-limit.admitted");

  RateLimitPlugin(RateLimitConfig config, @Nullable RedisLimiter redis, LongSupplier clock) {
    this.config = config;
    this.key = config.key();
    this.rules = config.rules().toArray(LimitRule[]::new);
    for (Map.Entry<String, Double> e : config.groupFactors().entrySet()) {
      LimitRule[] scaled = new LimitRule[rules.length];
      for (int i = 0; i < rules.length; i++) {
        scaled[i] = rules[i].times(e.getValue());
      }
      groupRules.put(e.getKey(), scaled);
    }
    this.local = new LocalLimiter(config.maxKeys(), clock);
    this.redis = redis;
    this.onFailure = config.redis() == null ? FailurePolicy.FAIL_OPEN : config.redis().onFailure();
    this.status = HttpResponseStatus.valueOf(config.status());
    EnumSet<Phase> p = EnumSet.of(Phase.ACCESS);
    RateLimitConfig.Headers h = config.headers();
    if (h.ietf() || h.legacy() || config.costResponseHeader() != null) {
      p.add(Phase.RESPONSE);
    }
    this.phases = Set.copyOf(p);
  }

  @Override
  public Set<Phase> phases() {
    return phases;
  }

  @Override
  public Outcome access(Exchange exchange) {
    String k = key.keyOf(exchange);
    if (k == null && config.missingKeyUsesIp()) {
      k = KeySpec.ipKey(exchange);
    }
    if (k == null) {
      return Reply.problem(
          status,
          "rate-limit-key-missing",
          status.reasonPhrase(),
          "The request lacks the value this API is rate limited by.");
    }
    LimitRule[] r = rulesFor(exchange.get(Identity.KEY));
    long cost = Cost.fromHeader(exchange.request().headers(), config.costHeader(), config.cost());
    Counting counting =
        config.costResponseHeader() == null ? Counting.CHECK_AND_ADD : Counting.CHECK;
    if (redis == null) {
      return outcome(exchange, k, r, local.decide(k, r, cost, counting));
    }
    String fk = k;
    return Outcome.await(
        redis
            .decide(k, r, cost, counting)
            .handleAsync(
                (d, error) -> {
                  if (error == null) {
                    return outcome(exchange, fk, r, d);
                  }
                  return switch (onFailure) {
                    case FAIL_OPEN -> {
                      LimitDecision.record(exchange, LimitDecision.FAILED_OPEN);
                      yield Outcome.proceed();
                    }
                    case FAIL_CLOSED -> {
                      LimitDecision.record(exchange, LimitDecision.FAILED_CLOSED);
                      yield UNAVAILABLE;
                    }
                    case LOCAL_FALLBACK -> {
                      LimitDecision.record(exchange, LimitDecision.LOCAL_FALLBACK);
                      yield outcome(exchange, fk, r, local.decide(fk, r, cost, counting));
                    }
                  };
                },
                exchange.eventLoop()));
  }

  @Override
  public void response(Exchange exchange) {
    HttpResponse response = exchange.response();
    if (response == null) {
      return;
    }
    Decision d = exchange.get(decided);
    if (d != null) {
      headers(response.headers(), d, false);
    }
    Admitted a = exchange.get(admitted);
    if (a != null) {
      long cost = Cost.fromHeader(response.headers(), config.costResponseHeader(), 0);
      if (cost > 0) {
        if (redis == null) {
          local.decide(a.key(), a.rules(), cost, Counting.ADD);
        } else {
          redis
              .decide(a.key(), a.rules(), cost, Counting.ADD)
              .exceptionally(
                  e -> {
                    if (onFailure == FailurePolicy.LOCAL_FALLBACK) {
                      local.decide(a.key(), a.rules(), cost, Counting.ADD);
                    }
                    return null;
                  });
        }
      }
    }
  }

  private Outcome outcome(Exchange exchange, String k, LimitRule[] r, Decision d) {
    LimitDecision.record(exchange, d.allowed() ? LimitDecision.ALLOWED : LimitDecision.LIMITED);
    if (!d.allowed()) {
      HttpHeaders limits = new DefaultHttpHeaders();
      headers(limits, d, true);
      return Reply.problem(
              status,
              "rate-limited",
              status.reasonPhrase(),
              "Too many requests; retry after "
                  + retryAfterSeconds(d)
                  + " s (limit \""
                  + d.rule(d.tightest()).name()
                  + "\").")
          .withHeaders(limits);
    }
    RateLimitConfig.Headers h = config.headers();
    if (h.ietf() || h.legacy()) {
      exchange.set(decided, d);
    }
    if (config.costResponseHeader() != null) {
      exchange.set(admitted, new Admitted(k, r));
    }
    return Outcome.proceed();
  }

  private void headers(HttpHeaders headers, Decision d, boolean refused) {
    RateLimitConfig.Headers h = config.headers();
    if (h.ietf()) {
      StringBuilder policy = new StringBuilder();
      StringBuilder state = new StringBuilder();
      for (int i = 0; i < d.size(); i++) {
        LimitRule rule = d.rule(i);
        if (i > 0) {
          policy.append(", ");
          state.append(", ");
        }
        policy
            .append('"')
            .append(rule.name())
            .append("\";q=")
            .append(rule.limit())
            .append(";w=")
            .append(seconds(rule.windowMillis()));
        state
            .append('"')
            .append(rule.name())
            .append("\";r=")
            .append(d.remaining(i))
            .append(";t=")
            .append(seconds(d.resetMillis(i)));
      }
      // a refusal of another plugin (quota) may carry its own policy: the lists hold both
      String otherPolicy = headers.get("RateLimit-Policy");
      String otherState = headers.get("RateLimit");
      headers.set("RateLimit-Policy", otherPolicy == null ? policy : policy + ", " + otherPolicy);
      headers.set("RateLimit", otherState == null ? state : state + ", " + otherState);
    }
    if (h.legacy()) {
      int t = d.tightest();
      headers.set("X-RateLimit-Limit", d.rule(t).limit());
      headers.set("X-RateLimit-Remaining", d.remaining(t));
      headers.set("X-RateLimit-Reset", seconds(d.resetMillis(t)));
    }
    if (refused && h.retryAfter()) {
      headers.set("Retry-After", retryAfterSeconds(d));
    }
  }

  private static long retryAfterSeconds(Decision d) {
    return Math.max(1, seconds(d.retryAfterMillis()));
  }

  private static long seconds(long millis) {
    return (millis + 999) / 1000;
  }

  private LimitRule[] rulesFor(@Nullable Identity identity) {
    if (identity == null || identity.groups() == null || groupRules.isEmpty()) {
      return rules;
    }
    LimitRule[] best = rules;
    double factor = 0;
    for (String g : identity.groups()) {
      Double f = config.groupFactors().get(g);
      LimitRule[] scaled = groupRules.get(g);
      if (f != null && f > factor && scaled != null) {
        factor = f;
        best = scaled;
      }
    }
    return best;
  }

  /** What RESPONSE needs to count a cost learnt from the response. */
  private record Admitted(String key, LimitRule[] rules) {}
}
