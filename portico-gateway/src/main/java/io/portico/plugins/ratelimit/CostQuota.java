package io.portico.plugins.ratelimit;

import io.portico.spi.plugin.PluginContext;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The counters of {@code quota} for a caller that learns a request's real cost only after it ran:
 * an allowance per subject and calendar day or month, counted in Redis with the plugin's {@code
 * quota.lua} over the shared connection. {@link #charge} checks and counts an estimate, {@link
 * #adjust} counts the difference afterwards (negative to refund). Thread-safe.
 *
 * <p>When Redis fails or is slower than its timeout, the failure policy applies as in the plugin;
 * {@code local-fallback} counts in this instance, in memory, for the current period only.
 */
public final class CostQuota {

  /**
   * One answer of {@link #charge}.
   *
   * @param used what the subject used in the period, this charge included when allowed; -1 when
   *     Redis did not answer
   * @param resetSeconds seconds until the period ends
   * @param timedOut whether Redis failed by outliving the settings' timeout (with {@code failed})
   */
  public record Result(
      boolean allowed,
      boolean failed,
      long limit,
      long used,
      long resetSeconds,
      boolean timedOut) {}

  private final RedisStore store;
  private final String prefix;
  private final ZoneId zone;
  private final boolean monthly;
  private final long timeoutMillis;
  private final FailurePolicy onFailure;
  private final Map<String, AtomicLong> local = new ConcurrentHashMap<>();
  private volatile @Nullable CalendarPeriod current;

  private CostQuota(
      RedisStore store, String name, ZoneId zone, boolean monthly, RedisSettings settings) {
    this.store = store;
    this.prefix = settings.prefix() + "quota:{" + name + ":";
    this.zone = zone;
    this.monthly = monthly;
    this.timeoutMillis = settings.timeout().toMillis();
    this.onFailure = settings.onFailure();
  }

  /** A quota named {@code name} (no brace: it is the storage keys' hash tag). */
  public static CostQuota of(
      PluginContext context, String name, ZoneId zone, boolean monthly, RedisSettings settings) {
    return new CostQuota(RedisStore.of(context, settings.url()), name, zone, monthly, settings);
  }

  /** Checks that {@code cost} fits in what {@code subject} has left of {@code limit}. */
  public CompletionStage<Result> charge(String subject, long limit, long cost) {
    CalendarPeriod p = period();
    String key = prefix + subject + "}:" + p.window();
    long reset = Math.max(1, p.end().getEpochSecond() - Instant.now().getEpochSecond());
    return call(key, cost, limit, p)
        .handle(
            (out, error) -> {
              if (error == null) {
                return new Result(
                    (Long) out.get(0) == 1L, false, limit, (Long) out.get(1), reset, false);
              }
              return switch (onFailure) {
                case FAIL_OPEN -> new Result(true, true, limit, -1, reset, false);
                case FAIL_CLOSED ->
                    new Result(false, true, limit, -1, reset, RedisFailures.timedOut(error));
                case LOCAL_FALLBACK -> localCharge(key, cost, limit, reset);
              };
            });
  }

  /** Counts {@code delta} for {@code subject} in the current period without checking. */
  public void adjust(String subject, long delta) {
    if (delta == 0) {
      return;
    }
    CalendarPeriod p = period();
    String key = prefix + subject + "}:" + p.window();
    call(key, delta, Long.MAX_VALUE / 4, p)
        .exceptionally(
            e -> {
              if (onFailure == FailurePolicy.LOCAL_FALLBACK) {
                local.computeIfAbsent(key, k -> new AtomicLong()).addAndGet(delta);
              }
              return null;
            });
  }

  private CompletableFuture<java.util.List<Object>> call(
      String key, long cost, long limit, CalendarPeriod p) {
    return store
        .eval(
            QuotaPlugin.SCRIPT,
            timeoutMillis,
            new String[] {key},
            Long.toString(cost),
            Long.toString(limit),
            Long.toString(p.end().getEpochSecond() + 86_400),
            "1")
        .toCompletableFuture();
  }

  private Result localCharge(String key, long cost, long limit, long reset) {
    AtomicLong used = local.computeIfAbsent(key, k -> new AtomicLong());
    while (true) {
      long u = used.get();
      if (u + cost > limit) {
        return new Result(false, false, limit, u, reset, false);
      }
      if (used.compareAndSet(u, u + cost)) {
        return new Result(true, false, limit, u + cost, reset, false);
      }
    }
  }

  private CalendarPeriod period() {
    CalendarPeriod p = current;
    Instant now = Instant.now();
    if (p != null && now.isBefore(p.end())) {
      return p;
    }
    CalendarPeriod next = CalendarPeriod.of(now, zone, monthly);
    String suffix = "}:" + next.window();
    local.keySet().removeIf(k -> !k.endsWith(suffix));
    current = next;
    return next;
  }
}
