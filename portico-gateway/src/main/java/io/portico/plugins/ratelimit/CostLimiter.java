package io.portico.plugins.ratelimit;

import io.portico.spi.plugin.PluginContext;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The limiters of {@code rate-limit} for a caller that learns a request's real cost only after it
 * ran (tokens of an AI answer): {@link #charge} checks and counts an estimate before, {@link
 * #adjust} counts the difference afterwards (negative to refund). Counted in this process or, with
 * Redis settings, in Redis through the same {@code limit.lua} and shared connection as the plugin,
 * so every gateway instance sees one count. Thread-safe; the answers of Redis complete on its I/O
 * threads.
 *
 * <p>When Redis fails or is slower than its timeout, the settings' failure policy applies as in the
 * plugin: {@code fail-open} admits (the answer says {@link Result#failed()}), {@code fail-closed}
 * refuses with {@link Result#failed()} set, {@code local-fallback} counts in this instance.
 */
public final class CostLimiter {

  /**
   * One answer of {@link #charge}.
   *
   * @param allowed whether the cost fits every rule (it was then counted)
   * @param failed whether Redis could not answer and the failure policy decided
   * @param rule the name of the rule with the least left, or null without an answer
   * @param limit that rule's limit, or -1
   * @param remaining what is left of it after this charge, or -1
   * @param resetMillis when its window resets (or its bucket is full), or -1
   * @param retryAfterMillis for a refusal, how long until the cost would fit
   * @param timedOut whether Redis failed by outliving the settings' timeout (with {@code failed})
   */
  public record Result(
      boolean allowed,
      boolean failed,
      @Nullable String rule,
      long limit,
      long remaining,
      long resetMillis,
      long retryAfterMillis,
      boolean timedOut) {

    static final Result OPEN = new Result(true, true, null, -1, -1, -1, 0, false);
    static final Result CLOSED = new Result(false, true, null, -1, -1, -1, 0, false);
    static final Result CLOSED_TIMED_OUT = new Result(false, true, null, -1, -1, -1, 0, true);

    static Result of(Decision d) {
      int t = d.tightest();
      return new Result(
          d.allowed(),
          false,
          d.rule(t).name(),
          d.rule(t).limit(),
          d.remaining(t),
          d.resetMillis(t),
          d.retryAfterMillis(),
          false);
    }
  }

  private final LimitRule[] rules;
  private final LocalLimiter local;
  private final @Nullable RedisLimiter redis;

  /** What a Redis failure does; never consulted without Redis. */
  private final FailurePolicy onFailure;

  private CostLimiter(
      LimitRule[] rules,
      LocalLimiter local,
      @Nullable RedisLimiter redis,
      FailurePolicy onFailure) {
    this.rules = rules;
    this.local = local;
    this.redis = redis;
    this.onFailure = onFailure;
  }

  /** A limiter counting in this process, at most {@code maxKeys} keys. */
  public static CostLimiter local(List<LimitRule> rules, int maxKeys) {
    return local(rules, maxKeys, () -> System.nanoTime() / 1_000_000);
  }

  static CostLimiter local(List<LimitRule> rules, int maxKeys, LongSupplier clock) {
    return new CostLimiter(
        rules.toArray(LimitRule[]::new),
        new LocalLimiter(maxKeys, clock),
        null,
        FailurePolicy.FAIL_OPEN);
  }

  /**
   * A limiter counting in Redis under {@code name} (the storage keys' hash tag, so it holds no
   * brace), over the connection every plugin naming the same URL shares; {@code maxKeys} bounds the
   * count of {@code local-fallback}.
   */
  public static CostLimiter redis(
      PluginContext context,
      String name,
      List<LimitRule> rules,
      RedisSettings settings,
      int maxKeys) {
    RedisStore store = RedisStore.of(context, settings.url());
    return new CostLimiter(
        rules.toArray(LimitRule[]::new),
        new LocalLimiter(maxKeys, () -> System.nanoTime() / 1_000_000),
        new RedisLimiter(store, settings, name),
        settings.onFailure());
  }

  /** Checks that {@code cost} fits under every rule for {@code key}, and counts it if so. */
  public CompletionStage<Result> charge(String key, long cost) {
    if (redis == null) {
      return CompletableFuture.completedFuture(
          Result.of(local.decide(key, rules, cost, Counting.CHECK_AND_ADD)));
    }
    return redis
        .decide(key, rules, cost, Counting.CHECK_AND_ADD)
        .handle(
            (d, error) -> {
              if (error == null) {
                return Result.of(d);
              }
              return switch (onFailure) {
                case FAIL_OPEN -> Result.OPEN;
                case FAIL_CLOSED ->
                    RedisFailures.timedOut(error) ? Result.CLOSED_TIMED_OUT : Result.CLOSED;
                case LOCAL_FALLBACK ->
                    Result.of(local.decide(key, rules, cost, Counting.CHECK_AND_ADD));
              };
            });
  }

  /**
   * Counts {@code delta} for {@code key} without checking: the real cost less the charged estimate
   * (negative to give back what was not used). Fire and forget.
   */
  public void adjust(String key, long delta) {
    if (delta == 0) {
      return;
    }
    if (redis == null) {
      local.decide(key, rules, delta, Counting.ADD);
      return;
    }
    redis
        .decide(key, rules, delta, Counting.ADD)
        .exceptionally(
            e -> {
              if (onFailure == FailurePolicy.LOCAL_FALLBACK) {
                local.decide(key, rules, delta, Counting.ADD);
              }
              return null;
            });
  }
}
