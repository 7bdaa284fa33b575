package io.portico.upstream;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Smooth weighted round-robin (the nginx algorithm): over any window of {@code sum(weights)} picks,
 * each endpoint is chosen exactly {@code weight} times, interleaved rather than in runs.
 *
 * <p>The schedule is computed once per endpoint list and cached; a pick is one atomic increment and
 * an array read. When the source publishes a new list, the schedule is rebuilt on the next pick.
 */
public final class WeightedRoundRobinBalancer implements Balancer {

  private static final int MAX_SCHEDULE = 4096;

  private final AtomicInteger cursor = new AtomicInteger();
  private volatile Schedule schedule = new Schedule(List.of(), new Endpoint[0]);

  @Override
  public @Nullable Endpoint pick(List<Endpoint> endpoints, @Nullable Endpoint exclude) {
    int size = endpoints.size();
    if (size == 0) {
      return null;
    }
    if (size == 1) {
      return endpoints.get(0);
    }
    Schedule s = schedule;
    if (s.source != endpoints) {
      s = new Schedule(endpoints, build(endpoints));
      schedule = s;
    }
    Endpoint[] order = s.order;
    int start = cursor.getAndIncrement() & Integer.MAX_VALUE;
    for (int i = 0; i < order.length; i++) {
      Endpoint e = order[(start + i) % order.length];
      if (!e.equals(exclude)) {
        return e;
      }
    }
    return order[start % order.length];
  }

  /** nginx's smooth weighted round-robin, unrolled into one cycle. */
  static Endpoint[] build(List<Endpoint> endpoints) {
    int n = endpoints.size();
    long total = 0;
    int[] weights = new int[n];
    for (int i = 0; i < n; i++) {
      weights[i] = Math.max(1, endpoints.get(i).weight());
      total += weights[i];
    }
    // Keep proportions while bounding the schedule length.
    if (total > MAX_SCHEDULE) {
      double scale = (double) MAX_SCHEDULE / total;
      total = 0;
      for (int i = 0; i < n; i++) {
        weights[i] = Math.max(1, (int) Math.round(weights[i] * scale));
        total += weights[i];
      }
    }
    Endpoint[] order = new Endpoint[(int) total];
    long[] current = new long[n];
    for (int k = 0; k < order.length; k++) {
      int best = 0;
      for (int i = 0; i < n; i++) {
        current[i] += weights[i];
        if (current[i] > current[best]) {
          best = i;
        }
      }
      current[best] -= total;
      order[k] = endpoints.get(best);
    }
    return order;
  }

  private record Schedule(List<Endpoint> source, Endpoint[] order) {}
}
