package io.portico.upstream.health;

import io.portico.config.HealthConfig;
import io.portico.upstream.AttemptOutcome;
import io.portico.upstream.Endpoint;
import io.portico.upstream.EndpointHealth;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Passive outlier ejection, as Envoy's: an endpoint whose attempts fail {@code consecutive-5xx}
 * times in a row with a 5xx, or {@code consecutive-gateway-failures} times in a row without an
 * answer (refused, TLS failed, reset, timed out), is taken out of the service for {@code
 * base-ejection-time} × the number of times it was ejected (at most {@code max-ejection-time}),
 * then comes back on its own. Never more than {@code max-ejected-percent} of the endpoints are out
 * at once (at least one may always be ejected), so a failure of every endpoint cannot empty a
 * service by itself.
 *
 * <pre>
 *   onResult ─▶ success: counters reset         failure: counter + 1 ─▶ threshold? ─▶ eject
 *   available(list) ─▶ cached list without the ejected (recomputed when an ejection starts or ends)
 * </pre>
 *
 * <p>When every endpoint of the list is out (possible with a cap of 100%), {@code all-unhealthy}
 * decides: {@code try-all} picks among all of them, {@code fail} offers none (503 {@code
 * no_healthy_upstream}). The ejection count, which lengthens the next ejection, is forgotten after
 * an endpoint stays in for {@code max-ejection-time}.
 *
 * <p>Thread-safe and non-blocking: counters are atomics; a result allocates nothing unless it
 * ejects. One detector per service, kept across reloads that leave its settings and endpoint source
 * as they were ({@link HealthCheckers}).
 */
public final class OutlierDetector implements EndpointHealth {

  /** One endpoint's state. */
  private static final class State {
    final AtomicInteger consecutive5xx = new AtomicInteger();
    final AtomicInteger consecutiveGatewayFailures = new AtomicInteger();
    final AtomicInteger ejections = new AtomicInteger();
    volatile long ejectedUntil;
    volatile long lastEjectionEnd;
  }

  /** What {@link #available} last computed. */
  private record Cached(List<Endpoint> source, long version, long validUntil, List<Endpoint> out) {}

  private final HealthConfig.Passive config;
  private final HealthConfig.AllUnhealthy allUnhealthy;
  private final LongSupplier clock;
  private final ConcurrentHashMap<Endpoint, State> states = new ConcurrentHashMap<>();
  private final AtomicLong version = new AtomicLong();
  private final AtomicLong totalEjections = new AtomicLong();
  private volatile Cached cached = new Cached(List.of(), -1, 0, List.of());
  private volatile int endpointCount;

  public OutlierDetector(HealthConfig.Passive config, HealthConfig.AllUnhealthy allUnhealthy) {
    this(config, allUnhealthy, System::nanoTime);
  }

  OutlierDetector(
      HealthConfig.Passive config, HealthConfig.AllUnhealthy allUnhealthy, LongSupplier clock) {
    this.config = config;
    this.allUnhealthy = allUnhealthy;
    this.clock = clock;
  }

  @Override
  public List<Endpoint> available(List<Endpoint> endpoints) {
    long now = clock.getAsLong();
    Cached c = cached;
    if (c.source == endpoints && c.version == version.get() && now - c.validUntil < 0) {
      return c.out;
    }
    long v = version.get();
    endpointCount = endpoints.size();
    List<Endpoint> in = new ArrayList<>(endpoints.size());
    long validUntil = now + config.maxEjectionTime().toNanos();
    for (Endpoint e : endpoints) {
      State s = states.get(e);
      if (s != null && s.ejectedUntil - now > 0) {
        validUntil = Math.min(validUntil, s.ejectedUntil);
      } else {
        in.add(e);
      }
    }
    List<Endpoint> out;
    if (in.size() == endpoints.size()) {
      out = endpoints;
    } else if (in.isEmpty()) {
      out = allUnhealthy == HealthConfig.AllUnhealthy.TRY_ALL ? endpoints : List.of();
    } else {
      out = List.copyOf(in);
    }
    cached = new Cached(endpoints, v, validUntil, out);
    return out;
  }

  @Override
  public void onResult(Endpoint endpoint, AttemptOutcome outcome, int status, long latencyNanos) {
    if (outcome == AttemptOutcome.SUCCESS) {
      State s = states.get(endpoint);
      if (s != null) {
        s.consecutive5xx.set(0);
        s.consecutiveGatewayFailures.set(0);
      }
      return;
    }
    if (!outcome.endpointFailure()) {
      return;
    }
    State s = states.computeIfAbsent(endpoint, k -> new State());
    boolean trip =
        outcome == AttemptOutcome.HTTP_5XX
            ? s.consecutive5xx.incrementAndGet() >= config.consecutive5xx()
            : s.consecutiveGatewayFailures.incrementAndGet() >= config.consecutiveGatewayFailures();
    if (trip) {
      eject(endpoint, s);
    }
  }

  private synchronized void eject(Endpoint endpoint, State s) {
    long now = clock.getAsLong();
    if (s.ejectedUntil - now > 0) {
      return;
    }
    int ejectedNow = 0;
    for (State other : states.values()) {
      if (other.ejectedUntil - now > 0) {
        ejectedNow++;
      }
    }
    int total = Math.max(1, endpointCount);
    if (ejectedNow > 0 && (ejectedNow + 1) * 100 > total * config.maxEjectedPercent()) {
      return;
    }
    long max = config.maxEjectionTime().toNanos();
    if (s.lastEjectionEnd != 0 && now - s.lastEjectionEnd > max) {
      s.ejections.set(0);
    }
    int n = s.ejections.incrementAndGet();
    long length = Math.min(max, config.baseEjectionTime().toNanos() * n);
    s.ejectedUntil = now + length;
    s.lastEjectionEnd = now + length;
    s.consecutive5xx.set(0);
    s.consecutiveGatewayFailures.set(0);
    totalEjections.incrementAndGet();
    version.incrementAndGet();
  }

  /** How many ejections this detector made since it was created; for metrics. */
  public long totalEjections() {
    return totalEjections.get();
  }

  /** Whether {@code endpoint} is ejected now; for the admin API and tests. */
  public boolean ejected(Endpoint endpoint) {
    State s = states.get(endpoint);
    return s != null && s.ejectedUntil - clock.getAsLong() > 0;
  }

  /** How long {@code endpoint} stays ejected from now, or null when it is not ejected. */
  public java.time.@org.jspecify.annotations.Nullable Duration remainingEjection(
      Endpoint endpoint) {
    State s = states.get(endpoint);
    if (s == null) {
      return null;
    }
    long left = s.ejectedUntil - clock.getAsLong();
    return left > 0 ? java.time.Duration.ofNanos(left) : null;
  }

  /** How many times {@code endpoint} was ejected in its current run. */
  public int ejections(Endpoint endpoint) {
    State s = states.get(endpoint);
    return s == null ? 0 : s.ejections.get();
  }
}
