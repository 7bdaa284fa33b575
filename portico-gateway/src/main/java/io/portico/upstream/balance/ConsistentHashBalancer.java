package io.portico.upstream.balance;

import io.portico.upstream.Balancer;
import io.portico.upstream.Endpoint;
import io.portico.upstream.HashKey;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * Consistent hashing on a ring of virtual nodes ({@value #POINTS_PER_WEIGHT} per unit of weight): a
 * request goes to the first point at or after its hash. Adding or removing one of {@code n}
 * endpoints moves about {@code 1/n} of the keys, all to or from that endpoint.
 *
 * <p>The ring is built once per endpoint list (when the source publishes) and cached; a pick is a
 * binary search over a sorted {@code long[]}. With {@code exclude} (a retry), the walk goes on to
 * the next point of another endpoint. Thread-safe.
 */
public final class ConsistentHashBalancer implements Balancer {

  static final int POINTS_PER_WEIGHT = 160;

  private volatile Ring ring = new Ring(List.of(), new long[0], new Endpoint[0]);

  /** Without a request hash: a random point. */
  @Override
  public @Nullable Endpoint pick(List<Endpoint> endpoints, @Nullable Endpoint exclude) {
    return pick(endpoints, exclude, ThreadLocalRandom.current().nextLong());
  }

  @Override
  public @Nullable Endpoint pick(List<Endpoint> endpoints, @Nullable Endpoint exclude, long hash) {
    if (endpoints.isEmpty()) {
      return null;
    }
    Ring r = ring;
    if (r.source != endpoints) {
      r = Ring.build(endpoints);
      ring = r;
    }
    int i = Arrays.binarySearch(r.points, hash);
    if (i < 0) {
      i = -i - 1;
    }
    int n = r.points.length;
    for (int k = 0; k < n; k++) {
      Endpoint e = r.owners[(i + k) % n];
      if (!e.equals(exclude)) {
        return e;
      }
    }
    return r.owners[i % n];
  }

  private record Ring(List<Endpoint> source, long[] points, Endpoint[] owners) {

    static Ring build(List<Endpoint> endpoints) {
      int total = 0;
      for (Endpoint e : endpoints) {
        total += POINTS_PER_WEIGHT * Math.max(1, e.weight());
      }
      long[] keyed = new long[total];
      Endpoint[] byPoint = new Endpoint[total];
      int k = 0;
      for (Endpoint e : endpoints) {
        int count = POINTS_PER_WEIGHT * Math.max(1, e.weight());
        for (int v = 0; v < count; v++) {
          keyed[k] = HashKey.hash(e.authority() + "#" + v);
          byPoint[k] = e;
          k++;
        }
      }
      Integer[] order = new Integer[total];
      for (int i = 0; i < total; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (a, b) -> Long.compare(keyed[a], keyed[b]));
      long[] points = new long[total];
      Endpoint[] owners = new Endpoint[total];
      for (int i = 0; i < total; i++) {
        points[i] = keyed[order[i]];
        owners[i] = byPoint[order[i]];
      }
      return new Ring(endpoints, points, owners);
    }
  }
}
