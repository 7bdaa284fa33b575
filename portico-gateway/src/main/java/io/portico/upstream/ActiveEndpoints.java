package io.portico.upstream;

import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The endpoint addresses that some service of the active snapshot can send requests to, and who is
 * told when one leaves them all: the per-loop connection pools, which then evict it.
 *
 * <pre>
 *   reload: track(services of the new snapshot) ─┐
 *   a source publishes a list ──────────────────┴─▶ recompute: gone = before - now ─▶ onGone(gone)
 * </pre>
 *
 * <p>An address counts as long as any service lists it, so two services sharing a target keep its
 * pool while either does. An address that comes back later simply gets a new pool.
 *
 * <p>Thread-safe. Source notifications arrive on the publishing thread; the work they trigger is a
 * set difference over the active endpoints and {@code onGone}, which must not block (the gateway's
 * hands the eviction to each event loop).
 */
public final class ActiveEndpoints implements EndpointSource.Listener, AutoCloseable {

  private final Consumer<Set<InetSocketAddress>> onGone;
  private Set<EndpointSource> sources = Set.of();
  private Set<InetSocketAddress> addresses = Set.of();

  /**
   * @param onGone told of the addresses no service lists any more; never with an empty set
   */
  public ActiveEndpoints(Consumer<Set<InetSocketAddress>> onGone) {
    this.onGone = onGone;
  }

  /**
   * Follows the sources of {@code services} (the snapshot just activated) instead of the previous
   * ones, and reports the addresses that only the previous ones had.
   */
  public void track(Collection<UpstreamService> services) {
    Set<EndpointSource> now = Collections.newSetFromMap(new IdentityHashMap<>());
    for (UpstreamService s : services) {
      now.add(s.source());
    }
    synchronized (this) {
      for (EndpointSource s : sources) {
        if (!now.contains(s)) {
          s.removeListener(this);
        }
      }
      for (EndpointSource s : now) {
        if (!sources.contains(s)) {
          s.addListener(this);
        }
      }
      sources = now;
      recompute();
    }
  }

  @Override
  public void onEndpointsChanged(EndpointSource source) {
    synchronized (this) {
      if (sources.contains(source)) {
        recompute();
      }
    }
  }

  /** The addresses of the active endpoints now. */
  public synchronized Set<InetSocketAddress> addresses() {
    return addresses;
  }

  /** Stops following the sources. */
  @Override
  public synchronized void close() {
    for (EndpointSource s : sources) {
      s.removeListener(this);
    }
    sources = Set.of();
  }

  private void recompute() {
    Set<InetSocketAddress> now = new HashSet<>();
    for (EndpointSource s : sources) {
      List<Endpoint> endpoints = s.endpoints();
      for (int i = 0; i < endpoints.size(); i++) {
        now.add(endpoints.get(i).poolKey());
      }
    }
    Set<InetSocketAddress> gone = new HashSet<>(addresses);
    gone.removeAll(now);
    addresses = Set.copyOf(now);
    if (!gone.isEmpty()) {
      onGone.accept(Set.copyOf(gone));
    }
  }
}
