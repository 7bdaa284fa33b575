package io.portico.upstream.balance;

import io.portico.upstream.AttemptOutcome;
import io.portico.upstream.Endpoint;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What load-aware balancers know of each endpoint: requests in flight (counted from the pick to the
 * attempt's report) and a peak-EWMA of latency. One instance per service; the state of endpoints
 * that left the list is dropped when the list changes.
 *
 * <p>Thread-safe: event loops pick and report concurrently; counters are atomics, the EWMA is
 * updated by compare-and-set.
 */
final class EndpointLoad {

  /** Time constant of the EWMA: how fast an old latency is forgotten. */
  private static final long DECAY_NANOS = 10_000_000_000L;

  /** The latency counted for an attempt that failed against the endpoint. */
  private static final long FAILURE_PENALTY_NANOS = 1_000_000_000L;

  /** One endpoint's counters. */
  static final class State {
    final AtomicInteger inFlight = new AtomicInteger();

    /** Bits of a double: the latency EWMA in nanoseconds. */
    final AtomicLong ewma = new AtomicLong(Double.doubleToRawLongBits(0));

    final AtomicLong stamp = new AtomicLong(System.nanoTime());

    double ewmaNanos() {
      return Double.longBitsToDouble(ewma.get());
    }
  }

  private final ConcurrentHashMap<Endpoint, State> states = new ConcurrentHashMap<>();
  private volatile List<Endpoint> known = List.of();

  State state(Endpoint e) {
    State s = states.get(e);
    return s != null ? s : states.computeIfAbsent(e, k -> new State());
  }

  /** Forgets the endpoints that are not in {@code endpoints} when the list changed. */
  void track(List<Endpoint> endpoints) {
    if (known != endpoints) {
      known = endpoints;
      states.keySet().retainAll(new HashSet<>(endpoints));
    }
  }

  void picked(Endpoint e) {
    state(e).inFlight.incrementAndGet();
  }

  /** An attempt ended: one fewer in flight, and its latency into the EWMA. */
  void ended(Endpoint e, AttemptOutcome outcome, long latencyNanos) {
    State s = states.get(e);
    if (s == null) {
      return;
    }
    s.inFlight.updateAndGet(n -> n > 0 ? n - 1 : 0);
    if (outcome == AttemptOutcome.CANCELLED || outcome == AttemptOutcome.POOL_EXHAUSTED) {
      return;
    }
    long rtt =
        outcome.endpointFailure() ? Math.max(latencyNanos, FAILURE_PENALTY_NANOS) : latencyNanos;
    long now = System.nanoTime();
    while (true) {
      long bits = s.ewma.get();
      double old = Double.longBitsToDouble(bits);
      long last = s.stamp.getAndSet(now);
      double w = Math.exp(-(double) Math.max(0, now - last) / DECAY_NANOS);
      // Peak-sensitive: a slower sample is taken at once, faster ones are averaged in.
      double next = rtt > old ? rtt : old * w + rtt * (1 - w);
      if (s.ewma.compareAndSet(bits, Double.doubleToRawLongBits(next))) {
        return;
      }
    }
  }
}
