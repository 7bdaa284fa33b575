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
 * The running active checkers of a gateway, one per service that has {@code health.active}, kept
 * across reloads as {@link EndpointSources} keeps endpoint sources: a compile whose service has the
 * same probe settings, the same (kept) endpoint source and the same TLS gets the running checker
 * back, probes and their counts intact; otherwise a new one starts.
 *
 * <pre>
 *   begin() ─▶ checker(service, ...) per service ─┬▶ activate(): running ones not reused stop
 *                                                 └▶ discard(): the new ones stop
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
  private boolean closed;

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
