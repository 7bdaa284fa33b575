package io.portico.plugins.ratelimit;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Identity;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.QuotaReporter;
import io.portico.spi.plugin.Reply;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A configured {@code quota}. ACCESS: the caller's consumer (from {@link Identity#KEY}; a request
 * without one is refused) and the counted subject (the consumer, or for {@code per: group} the
 * caller's group with the largest allowance) are looked up, then one {@code quota.lua} call checks
 * and counts the cost in the current calendar period. Counters expire a day after their period.
 *
 * <p>When Redis fails or is slower than the timeout, the failure policy applies; {@code
 * local-fallback} counts in this instance, in memory, for the current period only.
 */
final class QuotaPlugin implements Plugin, QuotaReporter {

  static final RedisStore.Script SCRIPT = RedisStore.Script.of(RedisLimiter.resource("quota.lua"));

  private final QuotaConfig config;
  private final RedisStore store;
  private final Map<String, List<String>> consumerGroups;
  private final String prefix;
  private final HttpResponseStatus status;
  private final Map<String, AtomicLong> local = new ConcurrentHashMap<>();
  private volatile @Nullable CalendarPeriod current;

  QuotaPlugin(QuotaConfig config, RedisStore store, Map<String, List<String>> consumerGroups) {
    this.config = config;
    this.store = store;
    this.consumerGroups = Map.copyOf(consumerGroups);
    this.prefix = config.redis().prefix() + "quota:{" + config.name() + ":";
    this.status = HttpResponseStatus.valueOf(config.status());
  }

  @Override
  public Set<Phase> phases() {
    return Set.of(Phase.ACCESS);
  }

  @Override
  public Outcome access(Exchange exchange) {
    Identity id = exchange.get(Identity.KEY);
    if (id == null || id.anonymous() || id.consumer() == null) {
      return Reply.problem(
          status,
          "quota-consumer-missing",
          status.reasonPhrase(),
          "This API has a quota per consumer; the request has no consumer.");
    }
    Subject s = subject(id.consumer(), id.groups() == null ? Set.of() : id.groups());
    CalendarPeriod p = period();
    String key = prefix + s.name() + "}:" + p.window();
    long cost = Cost.fromHeader(exchange.request().headers(), config.costHeader(), config.cost());
    return Outcome.await(
        call(key, cost, s.limit(), p, true)
            .handle(
                (out, error) -> {
                  if (error == null) {
                    return (Long) out.get(0) == 1L ? Outcome.proceed() : exceeded(s, p);
                  }
                  return switch (config.redis().onFailure()) {
                    case FAIL_OPEN -> Outcome.proceed();
                    case FAIL_CLOSED ->
                        Reply.problem(
                            HttpResponseStatus.SERVICE_UNAVAILABLE,
                            "quota-unavailable",
                            "Service Unavailable",
                            "The quota cannot be checked right now.");
                    case LOCAL_FALLBACK -> localCount(key, cost, s.limit(), p);
                  };
                }));
  }

  @Override
  public String quotaName() {
    return config.name();
  }

  @Override
  public CompletionStage<Usage> usage(String consumer) {
    Subject s = subject(consumer, consumerGroups.getOrDefault(consumer, List.of()));
    CalendarPeriod p = period();
    return call(prefix + s.name() + "}:" + p.window(), 0, s.limit(), p, false)
        .thenApply(
            out ->
                new Usage(
                    config.name(),
                    s.name(),
                    config.monthly() ? "month" : "day",
                    p.window(),
                    s.limit(),
                    (Long) out.get(1),
                    p.end()));
  }

  private CompletionStage<List<Object>> call(
      String key, long cost, long limit, CalendarPeriod p, boolean count) {
    return store
        .eval(
            SCRIPT,
            new String[] {key},
            Long.toString(cost),
            Long.toString(limit),
            Long.toString(p.end().getEpochSecond() + 86_400),
            count ? "1" : "0")
        .toCompletableFuture()
        .orTimeout(config.redis().timeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  private Outcome localCount(String key, long cost, long limit, CalendarPeriod p) {
    AtomicLong used = local.computeIfAbsent(key, k -> new AtomicLong());
    while (true) {
      long u = used.get();
      if (u + cost > limit) {
        return exceeded(null, p);
      }
      if (used.compareAndSet(u, u + cost)) {
        return Outcome.proceed();
      }
    }
  }

  private Reply exceeded(@Nullable Subject s, CalendarPeriod p) {
    long retry = Math.max(1, p.end().getEpochSecond() - Instant.now().getEpochSecond());
    return Reply.problem(
            status,
            "quota-exceeded",
            status.reasonPhrase(),
            "The "
                + (config.monthly() ? "monthly" : "daily")
                + " quota"
                + (s == null ? "" : " of " + s.limit())
                + " is used up until "
                + p.end()
                + ".")
        .withHeader("Retry-After", retry);
  }

  private Subject subject(String consumer, Collection<String> groups) {
    String best = null;
    long limit = -1;
    for (String g : groups) {
      Long l = config.groupLimits().get(g);
      if (l != null && l > limit) {
        limit = l;
        best = g;
      }
    }
    if (config.perGroup() && best != null) {
      return new Subject("group:" + best, limit);
    }
    return new Subject("consumer:" + consumer, best == null ? config.limit() : limit);
  }

  /** The current calendar period, recomputed only when it ends. */
  private CalendarPeriod period() {
    CalendarPeriod p = current;
    Instant now = Instant.now();
    if (p != null && now.isBefore(p.end())) {
      return p;
    }
    CalendarPeriod next = CalendarPeriod.of(now, config.zone(), config.monthly());
    String suffix = "}:" + next.window();
    local.keySet().removeIf(k -> !k.endsWith(suffix));
    current = next;
    return next;
  }

  private record Subject(String name, long limit) {}
}
