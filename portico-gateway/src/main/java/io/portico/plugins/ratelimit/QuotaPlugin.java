package io.portico.plugins.ratelimit;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.portico.spi.config.CalendarQuota.Period;
import io.portico.spi.config.CalendarQuota.Tier;
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
import java.util.concurrent.atomic.AtomicLong;

/**
 * A configured {@code quota}. ACCESS: the caller's consumer (from {@link Identity#KEY}; a request
 * without one is refused) and the counted subject (the consumer, or for {@code per: group} the
 * caller's group with the largest allowance) are looked up with the subject's tier (its allowance
 * and period), then one Redis script call checks and counts the cost:
 *
 * <ul>
 *   <li>a calendar period ({@code quota.lua}): one counter per subject and hour, day or month,
 *       expiring a day after its period;
 *   <li>a rolling period ({@code rolling-quota.lua}): one hash per subject of counts by slice, each
 *       slice a 60th of the period (a minute of an hour, 24 minutes of a day, 12 hours of 30 days);
 *       the use is the sum of the last 60 slices, so a request leaves the count between the period
 *       and a 60th of it later.
 * </ul>
 *
 * <p>A refusal carries {@code Retry-After} and the IETF {@code RateLimit-Policy} and {@code
 * RateLimit} headers. When Redis fails or is slower than the timeout, the failure policy applies;
 * {@code local-fallback} counts in this instance, in memory, for the current calendar period (a
 * rolling period is counted in fixed periods of its length).
 */
final class QuotaPlugin implements Plugin, QuotaReporter {

  /** The 503 of {@code fail-closed}: Redis too slow (past its timeout) or down. */
  private static final Reply UNAVAILABLE =
      Reply.problem(
              HttpResponseStatus.SERVICE_UNAVAILABLE,
              "quota-unavailable",
              "Service Unavailable",
              RedisFailures.detail("The quota cannot be checked right now."))
          .withHeader(HttpHeaderNames.RETRY_AFTER, RedisFailures.RETRY_AFTER_SECONDS);

  /** The start of the name of a quota the developer portal writes for a route's plans. */
  static final String PORTAL_PREFIX = "portal-";

  static final RedisStore.Script SCRIPT = RedisStore.Script.of(RedisLimiter.resource("quota.lua"));
  static final RedisStore.Script ROLLING =
      RedisStore.Script.of(RedisLimiter.resource("rolling-quota.lua"));

  /** The slices of a rolling period. */
  private static final int SLICES = 60;

  private final QuotaConfig config;
  private final RedisStore store;
  private final Map<String, List<String>> consumerGroups;
  private final String prefix;
  private final HttpResponseStatus status;
  private final Map<String, AtomicLong> local = new ConcurrentHashMap<>();
  private final Map<Period, CalendarPeriod> current = new ConcurrentHashMap<>();

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
    Window w = window(s, Instant.now());
    long cost = Cost.fromHeader(exchange.request().headers(), config.costHeader(), config.cost());
    return Outcome.await(
        call(w, cost, s.tier().limit(), true)
            .handle(
                (out, error) -> {
                  if (error == null) {
                    return (Long) out.get(0) == 1L
                        ? Outcome.proceed()
                        : exceeded(s, w.resets(out), (Long) out.get(1));
                  }
                  return switch (config.redis().onFailure()) {
                    case FAIL_OPEN -> Outcome.proceed();
                    case FAIL_CLOSED -> UNAVAILABLE;
                    case LOCAL_FALLBACK -> localCount(s, cost);
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
    Window w = window(s, Instant.now());
    return call(w, 0, s.tier().limit(), false)
        .thenApply(
            out ->
                new Usage(
                    config.name(),
                    s.name(),
                    s.tier().period().text(),
                    s.tier().rolling() ? "rolling" : w.name(),
                    s.tier().limit(),
                    (Long) out.get(1),
                    w.resets(out)));
  }

  private CompletionStage<List<Object>> call(Window w, long cost, long limit, boolean count) {
    String[] key = {w.key()};
    long timeout = config.redis().timeout().toMillis();
    CompletionStage<List<Object>> out =
        w.slice() < 0
            ? store.eval(
                SCRIPT,
                timeout,
                key,
                Long.toString(cost),
                Long.toString(limit),
                Long.toString(w.end().getEpochSecond() + 86_400),
                count ? "1" : "0")
            : store.eval(
                ROLLING,
                timeout,
                key,
                Long.toString(cost),
                Long.toString(limit),
                Long.toString(w.slice()),
                count ? "1" : "0",
                Long.toString(w.length() + w.length() / SLICES));
    return out;
  }

  private Outcome localCount(Subject s, long cost) {
    Tier t = s.tier();
    Instant now = Instant.now();
    CalendarPeriod p = calendar(t.period(), now);
    Instant end =
        t.rolling()
            ? Instant.ofEpochSecond(
                (now.getEpochSecond() / t.period().rollingSeconds() + 1)
                    * t.period().rollingSeconds())
            : p.end();
    String key = prefix + s.name() + "}:" + (t.rolling() ? "r" + end.getEpochSecond() : p.window());
    AtomicLong used = local.get(key);
    if (used == null) {
      // a new period: the subject's counters of earlier ones are of no more use
      local.keySet().removeIf(k -> k.startsWith(prefix + s.name() + "}:"));
      used = local.computeIfAbsent(key, k -> new AtomicLong());
    }
    while (true) {
      long u = used.get();
      if (u + cost > t.limit()) {
        return exceeded(s, end, u);
      }
      if (used.compareAndSet(u, u + cost)) {
        return Outcome.proceed();
      }
    }
  }

  private Reply exceeded(Subject s, Instant resets, long used) {
    Tier t = s.tier();
    long retry = Math.max(1, resets.getEpochSecond() - Instant.now().getEpochSecond());
    String what =
        t.rolling()
            ? "quota of " + t.limit() + " per rolling " + t.period().text()
            : switch (t.period()) {
                  case HOUR -> "hourly";
                  case DAY -> "daily";
                  case MONTH -> "monthly";
                }
                + " quota of "
                + t.limit();
    return Reply.problem(
            status,
            "quota-exceeded",
            status.reasonPhrase(),
            "The " + what + " is used up until " + resets + ".")
        .withHeader("Retry-After", retry)
        .withHeader(
            "RateLimit-Policy",
            "\"" + config.name() + "\";q=" + t.limit() + ";w=" + t.period().rollingSeconds())
        .withHeader(
            "RateLimit",
            "\"" + config.name() + "\";r=" + Math.max(0, t.limit() - used) + ";t=" + retry);
  }

  private Subject subject(String consumer, Collection<String> groups) {
    String best = null;
    Tier tier = null;
    for (String g : groups) {
      Tier t = config.groupTiers().get(g);
      if (t != null && (tier == null || t.limit() > tier.limit())) {
        tier = t;
        best = g;
      }
    }
    if (config.perGroup() && tier != null) {
      return new Subject("group:" + best, tier);
    }
    return new Subject("consumer:" + consumer, tier == null ? config.tier() : tier);
  }

  /** Where a subject's use is counted now. */
  private Window window(Subject s, Instant now) {
    Tier t = s.tier();
    String base = prefix + s.name() + "}:";
    if (t.rolling()) {
      long length = t.period().rollingSeconds();
      long sliceSeconds = length / SLICES;
      return new Window(
          base + "rolling-" + t.period().text(),
          now.getEpochSecond() / sliceSeconds,
          length,
          now.plusSeconds(length));
    }
    CalendarPeriod p = calendar(t.period(), now);
    return new Window(base + p.window(), -1, 0, p.end());
  }

  /** The current calendar period of a kind, recomputed only when it ends. */
  private CalendarPeriod calendar(Period period, Instant now) {
    CalendarPeriod p = current.get(period);
    if (p != null && now.isBefore(p.end())) {
      return p;
    }
    CalendarPeriod next = CalendarPeriod.of(now, config.zone(), period);
    current.put(period, next);
    return next;
  }

  private record Subject(String name, Tier tier) {}

  /**
   * A counter: a calendar period's ({@code slice} -1, ending at {@code end}) or a rolling one's
   * (the current {@code slice} of a period of {@code length} seconds).
   */
  private record Window(String key, long slice, long length, Instant end) {

    String name() {
      return key.substring(key.lastIndexOf("}:") + 2);
    }

    /** When the counted use next goes down: the period's end, or the oldest slice leaving. */
    Instant resets(List<Object> out) {
      if (slice < 0) {
        return end;
      }
      long sliceSeconds = length / SLICES;
      long oldest = out.size() > 2 ? (Long) out.get(2) : slice;
      return Instant.ofEpochSecond((oldest + SLICES) * sliceSeconds);
    }
  }
}
