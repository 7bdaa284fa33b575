package io.portico.upstream.health;

import io.portico.config.HealthConfig;
import io.portico.upstream.AttemptOutcome;
import io.portico.upstream.Endpoint;
import io.portico.upstream.EndpointHealth;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A service's {@link EndpointHealth} when its {@code health} section asks for anything: active
 * probes and passive ejection combined, the {@code all-unhealthy} choice, and the attempts in
 * flight per endpoint that the admin API shows.
 *
 * <pre>
 *   available(listed) ─▶ without those probes say are down ─▶ without those ejected ─▶ result
 *                                                                 empty? ─▶ try-all: listed
 *                                                                           fail:    none (503)
 * </pre>
 *
 * <p>An endpoint is picked only when neither probes nor ejection say it is down. Each step returns
 * the same list instance while nothing changed, so balancers keep their cached schedules.
 *
 * <p>Thread-safe, non-blocking; made with each snapshot, while the {@link ActiveChecker}, {@link
 * OutlierDetector} and {@link CircuitBreaker} it reads may outlive it ({@link HealthCheckers}). The
 * detector must have been made with {@code all-unhealthy: fail}: this class applies the service's
 * choice once both checks have spoken.
 */
public final class ServiceHealth implements EndpointHealth {

  private final @Nullable ActiveChecker active;
  private final @Nullable OutlierDetector passive;
  private final @Nullable CircuitBreaker breaker;
  private final HealthConfig.AllUnhealthy allUnhealthy;
  private final ConcurrentHashMap<Endpoint, AtomicInteger> inFlight = new ConcurrentHashMap<>();

  public ServiceHealth(
      @Nullable ActiveChecker active,
      @Nullable OutlierDetector passive,
      @Nullable CircuitBreaker breaker,
      HealthConfig.AllUnhealthy allUnhealthy) {
    this.active = active;
    this.passive = passive;
    this.breaker = breaker;
    this.allUnhealthy = allUnhealthy;
  }

  @Override
  public List<Endpoint> available(List<Endpoint> endpoints) {
    List<Endpoint> probed = active == null ? endpoints : active.available(endpoints);
    List<Endpoint> out = passive == null ? probed : passive.available(probed);
    if (out.isEmpty() && !endpoints.isEmpty()) {
      return allUnhealthy == HealthConfig.AllUnhealthy.TRY_ALL ? endpoints : List.of();
    }
    return out;
  }

  @Override
  public void onPicked(Endpoint endpoint) {
    inFlight.computeIfAbsent(endpoint, k -> new AtomicInteger()).incrementAndGet();
  }

  @Override
  public void onResult(Endpoint endpoint, AttemptOutcome outcome, int status, long latencyNanos) {
    AtomicInteger n = inFlight.get(endpoint);
    if (n != null) {
      n.decrementAndGet();
    }
    if (passive != null) {
      passive.onResult(endpoint, outcome, status, latencyNanos);
    }
  }

  /** Attempts to {@code endpoint} under way now. */
  public int inFlight(Endpoint endpoint) {
    AtomicInteger n = inFlight.get(endpoint);
    return n == null ? 0 : Math.max(0, n.get());
  }

  public @Nullable ActiveChecker active() {
    return active;
  }

  public @Nullable OutlierDetector passive() {
    return passive;
  }

  public @Nullable CircuitBreaker breaker() {
    return breaker;
  }

  public HealthConfig.AllUnhealthy allUnhealthy() {
    return allUnhealthy;
  }
}
