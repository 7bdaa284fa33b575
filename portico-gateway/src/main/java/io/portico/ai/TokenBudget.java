package io.portico.ai;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.config.AiTokensConfig;
import io.portico.plugins.ratelimit.Algorithm;
import io.portico.plugins.ratelimit.CostLimiter;
import io.portico.plugins.ratelimit.CostQuota;
import io.portico.plugins.ratelimit.FailurePolicy;
import io.portico.plugins.ratelimit.LimitRule;
import io.portico.plugins.ratelimit.RedisFailures;
import io.portico.plugins.ratelimit.RedisSettings;
import io.portico.spi.plugin.Identity;
import io.portico.spi.plugin.PluginContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * The token limits and quotas of an {@code ai} section, compiled once per snapshot and shared by
 * every route and exchange of it. A call is checked before it starts with an estimate of its tokens
 * (its prompt counted by {@link TokenCounter}, plus its {@code max_tokens} or the configured
 * completion estimate): {@link #reserve} charges the estimate to every limit and quota covering the
 * model and answers a {@link Reservation}; when the call ends, {@link Reservation#settle} counts
 * the difference to the real total (a refund when the answer used less).
 *
 * <p>The counting is the rate-limit plugin's ({@link CostLimiter}: the sliding-window counters, in
 * this process or in Redis through {@code limit.lua}) and the quota plugin's ({@link CostQuota},
 * {@code quota.lua}), so limits with {@code policy: redis} hold across every gateway instance on
 * the same Redis, and a Redis failure applies the configured failure policy. Thread-safe; answers
 * may complete on Redis's threads, so callers resume on their own event loop.
 */
final class TokenBudget {

  static final TokenBudget NONE = new TokenBudget(List.of(), List.of(), 0);

  private record Limit(AiTokensConfig.Limit config, CostLimiter limiter) {}

  private record Quota(AiTokensConfig.Quota config, CostQuota quota) {}

  private final List<Limit> limits;
  private final List<Quota> quotas;
  private final long completionEstimate;

  private TokenBudget(List<Limit> limits, List<Quota> quotas, long completionEstimate) {
    this.limits = limits;
    this.quotas = quotas;
    this.completionEstimate = completionEstimate;
  }

  /** The budget of {@code config}; limits with Redis use {@code context}'s shared connections. */
  static TokenBudget of(AiTokensConfig config, PluginContext context) {
    if (config.limits().isEmpty() && config.quotas().isEmpty()) {
      return new TokenBudget(List.of(), List.of(), config.completionEstimate());
    }
    List<Limit> limits = new ArrayList<>();
    for (AiTokensConfig.Limit l : config.limits()) {
      List<LimitRule> rules = new ArrayList<>();
      for (AiTokensConfig.Window w : l.windows()) {
        rules.add(
            new LimitRule(
                w.name(), w.tokens(), w.window().toMillis(), Algorithm.SLIDING_WINDOW, w.tokens()));
      }
      CostLimiter limiter =
          l.redis() == null
              ? CostLimiter.local(rules, l.maxKeys())
              : CostLimiter.redis(
                  context, "ai." + l.name(), rules, settings(l.redis()), l.maxKeys());
      limits.add(new Limit(l, limiter));
    }
    List<Quota> quotas = new ArrayList<>();
    for (AiTokensConfig.Quota q : config.quotas()) {
      quotas.add(
          new Quota(
              q,
              CostQuota.of(context, "ai." + q.name(), q.zone(), q.monthly(), settings(q.redis()))));
    }
    return new TokenBudget(List.copyOf(limits), List.copyOf(quotas), config.completionEstimate());
  }

  private static RedisSettings settings(AiTokensConfig.Redis r) {
    return new RedisSettings(
        r.url(),
        r.prefix(),
        r.timeout(),
        FailurePolicy.valueOf(r.onFailure().toUpperCase(Locale.ROOT).replace('-', '_')));
  }

  /** Whether any limit or quota is configured (else nothing is estimated before a call). */
  boolean active() {
    return !limits.isEmpty() || !quotas.isEmpty();
  }

  /** Completion tokens assumed when a request sets no maximum. */
  long completionEstimate() {
    return completionEstimate;
  }

  /**
   * Charges {@code estimate} tokens to every limit and quota covering {@code model} for this
   * caller. A refusal gives back what the other limits counted.
   */
  CompletionStage<Reservation> reserve(
      @Nullable Identity identity, @Nullable String route, String model, long estimate) {
    String consumer =
        identity == null || identity.anonymous() || identity.consumer() == null
            ? "(none)"
            : identity.consumer();
    List<String> groups =
        identity == null ? List.of() : identity.groups().stream().sorted().toList();
    List<Charge> charges = new ArrayList<>();
    List<CompletableFuture<?>> pending = new ArrayList<>();
    for (Limit l : limits) {
      if (!l.config().models().isEmpty() && !l.config().models().contains(model)) {
        continue;
      }
      String key = key(l.config(), consumer, groups, route, model);
      Charge c = new Charge(l, null, key);
      charges.add(c);
      pending.add(
          l.limiter().charge(key, estimate).thenAccept(r -> c.limit = r).toCompletableFuture());
    }
    for (Quota q : quotas) {
      if (!q.config().models().isEmpty() && !q.config().models().contains(model)) {
        continue;
      }
      Subject s = subject(q.config(), consumer, groups);
      Charge c = new Charge(null, q, s.name());
      charges.add(c);
      pending.add(
          q.quota()
              .charge(s.name(), s.limit(), estimate)
              .thenAccept(r -> c.counted = r)
              .toCompletableFuture());
    }
    return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
        .thenApply(v -> new Reservation(charges, estimate));
  }

  private static String key(
      AiTokensConfig.Limit l,
      String consumer,
      List<String> groups,
      @Nullable String route,
      String model) {
    StringBuilder sb = new StringBuilder(48);
    for (AiTokensConfig.KeyPart p : l.key()) {
      if (sb.length() > 0) {
        sb.append('|');
      }
      String v =
          switch (p) {
            case CONSUMER -> consumer;
            case GROUP -> groups.isEmpty() ? "(none)" : groups.get(0);
            case MODEL -> model;
            case ROUTE -> route == null ? "(none)" : route;
            case GLOBAL -> "*";
          };
      sb.append(p.ordinal()).append('=').append(v.replace("|", "%7C"));
    }
    return sb.toString();
  }

  private record Subject(String name, long limit) {}

  /** As the quota plugin counts: a group's allowance, or the consumer's (its best group's). */
  private static Subject subject(AiTokensConfig.Quota q, String consumer, List<String> groups) {
    String best = null;
    long limit = -1;
    for (String g : groups) {
      Long l = q.groupLimits().get(g);
      if (l != null && l > limit) {
        limit = l;
        best = g;
      }
    }
    if (q.perGroup() && best != null) {
      return new Subject("group:" + best, limit);
    }
    return new Subject("consumer:" + consumer, best == null ? q.limit() : limit);
  }

  /** One limit or quota charged for a call, and its answer. */
  private static final class Charge {
    final @Nullable Limit limiter;
    final @Nullable Quota quota;
    final String key;
    volatile CostLimiter.@Nullable Result limit;
    volatile CostQuota.@Nullable Result counted;

    Charge(@Nullable Limit limiter, @Nullable Quota quota, String key) {
      this.limiter = limiter;
      this.quota = quota;
      this.key = key;
    }

    boolean allowed() {
      return limit != null ? limit.allowed() : counted == null || counted.allowed();
    }

    boolean failed() {
      return limit != null ? limit.failed() : counted != null && counted.failed();
    }

    /** Counts {@code delta} more (negative: gives back). */
    void adjust(long delta) {
      if (limiter != null) {
        limiter.limiter().adjust(key, delta);
      } else if (quota != null) {
        quota.quota().adjust(key, delta);
      }
    }
  }

  /**
   * The estimate charged for one call: admitted or refused, the state of the tightest limit for the
   * response headers, and the settlement when the call ends. Confined to the exchange's event loop
   * once it is handed there.
   */
  static final class Reservation {
    private final List<Charge> charges;
    private final long estimate;
    private final @Nullable AiError refusal;
    private final long retryAfterSeconds;
    private final CostLimiter.@Nullable Result tightest;
    private boolean settled;

    Reservation(List<Charge> charges, long estimate) {
      this.charges = charges;
      this.estimate = estimate;
      CostLimiter.Result tight = null;
      AiError refused = null;
      long retry = 0;
      for (Charge c : charges) {
        CostLimiter.Result r = c.limit;
        if (r != null && r.limit() >= 0 && (tight == null || r.remaining() < tight.remaining())) {
          tight = r;
        }
        if (refused == null && !c.allowed()) {
          refused = refusal(c, estimate);
          retry = retryAfter(c);
        }
      }
      this.tightest = tight;
      this.refusal = refused;
      this.retryAfterSeconds = retry;
      if (refused != null) {
        settled = true;
        for (Charge c : charges) {
          if (c.allowed() && !c.failed()) {
            c.adjust(-estimate);
          }
        }
      }
    }

    /** Why the call may not start, or null when it may. */
    @Nullable AiError refusal() {
      return refusal;
    }

    /** For a refusal, the seconds until the estimate would fit. */
    long retryAfterSeconds() {
      return retryAfterSeconds;
    }

    /** The tokens charged before the call. */
    long estimate() {
      return estimate;
    }

    /**
     * Sets OpenAI's token rate-limit headers ({@code x-ratelimit-limit-tokens}, {@code
     * -remaining-tokens}, {@code -reset-tokens}) from the limit with the least left, and {@code
     * Retry-After} on a refusal.
     */
    void headers(HttpHeaders headers) {
      CostLimiter.Result t = tightest;
      if (t != null) {
        headers.set("x-ratelimit-limit-tokens", t.limit());
        headers.set("x-ratelimit-remaining-tokens", t.remaining());
        headers.set("x-ratelimit-reset-tokens", seconds(t.resetMillis()) + "s");
      }
      if (refusal != null && refusal.status().code() == 429) {
        headers.set("Retry-After", retryAfterSeconds);
      }
    }

    /**
     * Counts the difference between the call's {@code tokens} and the estimate: a refund when it
     * used less, a further charge when more. Once; later calls do nothing.
     */
    void settle(long tokens) {
      if (settled) {
        return;
      }
      settled = true;
      long delta = Math.max(0, tokens) - estimate;
      for (Charge c : charges) {
        if (!c.failed()) {
          c.adjust(delta);
        }
      }
    }

    private static AiError refusal(Charge c, long estimate) {
      if (c.failed()) {
        return new AiError(
            HttpResponseStatus.SERVICE_UNAVAILABLE,
            AiError.SERVER_ERROR,
            null,
            "rate_limit_unavailable",
            RedisFailures.detail("The token limits cannot be checked right now."));
      }
      CostLimiter.Result r = c.limit;
      if (r != null) {
        return new AiError(
            HttpResponseStatus.TOO_MANY_REQUESTS,
            "tokens",
            null,
            "rate_limit_exceeded",
            "Rate limit reached on tokens per "
                + r.rule()
                + " (limit "
                + Objects.requireNonNull(c.limiter).config().name()
                + "): Limit "
                + r.limit()
                + ", Remaining "
                + r.remaining()
                + ", Requested "
                + estimate
                + ". Please try again in "
                + Math.max(1, seconds(r.retryAfterMillis()))
                + "s.");
      }
      CostQuota.Result q = Objects.requireNonNull(c.counted);
      return new AiError(
          HttpResponseStatus.TOO_MANY_REQUESTS,
          "insufficient_quota",
          null,
          "insufficient_quota",
          "You exceeded your token quota "
              + Objects.requireNonNull(c.quota).config().name()
              + ": Limit "
              + q.limit()
              + ", Used "
              + q.used()
              + ", Requested "
              + estimate
              + ".");
    }

    private static long retryAfter(Charge c) {
      if (c.failed()) {
        return 0;
      }
      if (c.limit != null) {
        return Math.max(1, seconds(c.limit.retryAfterMillis()));
      }
      return c.counted == null ? 1 : c.counted.resetSeconds();
    }

    private static long seconds(long millis) {
      return (millis + 999) / 1000;
    }
  }
}
