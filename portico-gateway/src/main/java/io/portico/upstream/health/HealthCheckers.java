package io.portico.upstream.health;

import io.netty.channel.EventLoopGroup;
import io.portico.config.HealthConfig;
import io.portico.upstream.EndpointSource;
import io.portico.upstream.EndpointSources;
import io.portico.upstream.tls.UpstreamTls;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The health state of a gateway's services that outlives a snapshot, kept across reloads as {@link
 * EndpointSources} keeps endpoint sources:
 *
 * <ul>
 *   <li>the active checkers, one per service that has {@code health.active}: a compile whose
 *       service has the same probe settings, the same (kept) endpoint source and the same TLS gets
 *       the running checker back, probes and their counts intact;
 *   <li>the outlier detectors ({@code health.passive}) and circuit breakers ({@code
 *       health.circuit-breaker}): a compile whose service has the same settings for it and the same
 *       (kept) endpoint source gets the running one back, so an ejected endpoint stays ejected and
 *       an open circuit stays open through a reload that does not touch the service.
 * </ul>
 *
 * Otherwise a new one starts, with a fresh state.
 *
 * <pre>
 *   begin() ─▶ checker / detector / breaker (service, ...) per service
 *                 ─┬▶ activate(): running ones not reused stop (checkers) or are forgotten
 *                  └▶ discard(): the new ones stop or are forgotten
 * </pre>
 *
 * <p>Driven by the lifecycle of the gateway's {@link EndpointSources} ({@link
 * EndpointSources.Companion}), so it needs no wiring of its own. Synchronized: the reload thread,
 * and the shutdown thread for {@link #close()}.
 */
public final class HealthCheckers implements EndpointSources.Companion {

  private final Supplier<EventLoopGroup> loops;
  private Map<String, ActiveChecker> running = new LinkedHashMap<>();
  private Map<String, ActiveChecker> next = new LinkedHashMap<>();
  private final Kept<HealthConfig.Passive, OutlierDetector> detectors = new Kept<>();
  private final Kept<HealthConfig.CircuitBreaker, CircuitBreaker> breakers = new Kept<>();
  private boolean closed;

  /**
   * Per service, a piece of state made from its settings and its endpoint source: the running one
   * while both are the same, else a new one. Nothing to stop: what is not kept is forgotten.
   */
  private static final class Kept<C, T> {
    private record Entry<C, T>(C config, EndpointSource source, T value) {}

    private Map<String, Entry<C, T>> running = new LinkedHashMap<>();
    private Map<String, Entry<C, T>> next = new LinkedHashMap<>();

    T get(String service, C config, EndpointSource source, java.util.function.Function<C, T> make) {
      Entry<C, T> kept = running.get(service);
      if (kept != null && kept.config().equals(config) && kept.source() == source) {
        next.put(service, kept);
        return kept.value();
      }
      Entry<C, T> created = new Entry<>(config, source, make.apply(config));
      next.put(service, created);
      return created.value();
    }

    void activate() {
      running = next;
      next = new LinkedHashMap<>();
    }

    void discard() {
      next = new LinkedHashMap<>();
    }
  }

  /**
   * @param loops the gateway's event loops, where probes run (asked for at the first checker)
   */
  public HealthCheckers(Supplier<EventLoopGroup> loops) {
    this.loops = loops;
  }

  /**
   * The checker of {@code service} for the compile under way: the running one when unchanged, else
   * a new one, started.
   */
  public synchronized ActiveChecker checker(
      String service,
      HealthConfig.Active config,
      EndpointSource source,
      @Nullable UpstreamTls tls) {
    ActiveChecker kept = running.get(service);
    if (kept != null
        && kept.config().equals(config)
        && kept.source() == source
        && Objects.equals(kept.tls(), tls)) {
      next.put(service, kept);
      return kept;
    }
    ActiveChecker superseded = next.remove(service);
    if (superseded != null && !isRunning(superseded)) {
      superseded.close();
    }
    ActiveChecker created = new ActiveChecker(service, config, source, tls, loops.get());
    if (!closed) {
      created.start();
    }
    next.put(service, created);
    return created;
  }

  /**
   * The outlier detector of {@code service} for the compile under way: the running one when its
   * settings and endpoint source are unchanged (ejections and counters intact), else a new one.
   */
  public synchronized OutlierDetector detector(
      String service, HealthConfig.Passive config, EndpointSource source) {
    return detectors.get(
        service, config, source, c -> new OutlierDetector(c, HealthConfig.AllUnhealthy.FAIL));
  }

  /**
   * The circuit breaker of {@code service} for the compile under way: the running one when its
   * settings and endpoint source are unchanged (state, window and counts intact), else a new one,
   * closed.
   */
  public synchronized CircuitBreaker breaker(
      String service, HealthConfig.CircuitBreaker config, EndpointSource source) {
    return breakers.get(service, config, source, CircuitBreaker::new);
  }

  @Override
  public synchronized void begin() {
    discard();
  }

  @Override
  public synchronized void activate() {
    Set<ActiveChecker> used = Collections.newSetFromMap(new IdentityHashMap<>());
    used.addAll(next.values());
    List<ActiveChecker> retired = new ArrayList<>();
    for (ActiveChecker c : running.values()) {
      if (!used.contains(c)) {
        retired.add(c);
      }
    }
    running = next;
    next = new LinkedHashMap<>();
    detectors.activate();
    breakers.activate();
    retired.forEach(ActiveChecker::close);
  }

  @Override
  public synchronized void discard() {
    for (ActiveChecker c : next.values()) {
      if (!isRunning(c)) {
        c.close();
      }
    }
    next = new LinkedHashMap<>();
    detectors.discard();
    breakers.discard();
  }

  /** The running checker of each service, by name. */
  public synchronized Map<String, ActiveChecker> running() {
    return Map.copyOf(running);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    discard();
    running.values().forEach(ActiveChecker::close);
    running = new LinkedHashMap<>();
  }

  private boolean isRunning(ActiveChecker checker) {
    for (ActiveChecker c : running.values()) {
      if (c == checker) {
        return true;
      }
    }
    return false;
  }
}
