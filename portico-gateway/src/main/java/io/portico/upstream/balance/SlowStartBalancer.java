package io.portico.upstream.balance;

import io.portico.upstream.AttemptOutcome;
import io.portico.upstream.Balancer;
import io.portico.upstream.Endpoint;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * Slow start around another balancer: an endpoint that joins the list after the first one gets a
 * share that grows linearly from 10% to its full share over the window, so a cold instance (empty
 * caches, JIT not warm) is not flooded the moment discovery reports it.
 *
 * <p>How: the inner balancer picks; a pick of an endpoint still warming up is kept with probability
 * {@code age / window} (at least 0.1), otherwise the inner balancer picks again avoiding it. The
 * endpoints of the first list the service sees are taken as warm. Thread-safe.
 */
public final class SlowStartBalancer implements Balancer {

  private static final double MIN_SHARE = 0.1;

  private final Balancer inner;
  private final long windowNanos;
  private final Map<Endpoint, Long> joined = new ConcurrentHashMap<>();
  private volatile @Nullable List<Endpoint> known;

  public SlowStartBalancer(Balancer inner, Duration window) {
    this.inner = inner;
    this.windowNanos = window.toNanos();
  }

  @Override
  public @Nullable Endpoint pick(List<Endpoint> endpoints, @Nullable Endpoint exclude) {
    return pick(endpoints, exclude, ThreadLocalRandom.current().nextLong());
  }

  @Override
  public @Nullable Endpoint pick(List<Endpoint> endpoints, @Nullable Endpoint exclude, long hash) {
    track(endpoints);
    Endpoint chosen = inner.pick(endpoints, exclude, hash);
    if (chosen == null || exclude != null) {
      return chosen;
    }
    Long since = joined.get(chosen);
    if (since == null) {
      return chosen;
    }
    long age = System.nanoTime() - since;
    if (age >= windowNanos) {
      joined.remove(chosen);
      return chosen;
    }
    double share = Math.max(MIN_SHARE, (double) age / windowNanos);
    if (ThreadLocalRandom.current().nextDouble() < share) {
      return chosen;
    }
    Endpoint other = inner.pick(endpoints, chosen, hash);
    if (other != null && !other.equals(chosen)) {
      // The first pick did not become an attempt: tell a counting balancer so.
      inner.onResult(chosen, AttemptOutcome.CANCELLED, 0, 0);
      return other;
    }
    return chosen;
  }

  /** The share an endpoint gets now, from 0.1 to 1 (1 when warm); for the admin API and tests. */
  public double share(Endpoint e) {
    Long since = joined.get(e);
    if (since == null) {
      return 1;
    }
    return Math.min(1, Math.max(MIN_SHARE, (double) (System.nanoTime() - since) / windowNanos));
  }

  private void track(List<Endpoint> endpoints) {
    List<Endpoint> k = known;
    if (k == endpoints) {
      return;
    }
    synchronized (this) {
      if (known == endpoints) {
        return;
      }
      if (known != null) {
        long now = System.nanoTime();
        for (Endpoint e : endpoints) {
          if (!known.contains(e) && !joined.containsKey(e)) {
            joined.put(e, now);
          }
        }
        joined.keySet().retainAll(new HashSet<>(endpoints));
      }
      known = endpoints;
    }
  }

  @Override
  public void onResult(Endpoint endpoint, AttemptOutcome outcome, int status, long latencyNanos) {
    inner.onResult(endpoint, outcome, status, latencyNanos);
  }
}
