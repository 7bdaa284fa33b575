package io.portico.traffic;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An exact weighted choice: the smooth weighted round-robin order (nginx's) of one cycle, computed
 * once, walked by one shared counter. Over every cycle of {@code sum(weights) / gcd(weights)}
 * requests each item is chosen exactly its share of times, interleaved rather than in runs (weights
 * 5, 1, 1 give a a b a c a a).
 *
 * <p>Immutable but for the counter; {@link #next} is safe from any thread (one atomic increment),
 * {@link #at} is pure.
 */
final class WeightedSequence<T> {

  private final Object[] cycle;
  private final AtomicLong counter = new AtomicLong();

  /**
   * @param items the items, each with its weight at the same index (0 excludes it; at least one
   *     above 0)
   */
  WeightedSequence(List<T> items, int[] weights) {
    int g = 0;
    long total = 0;
    for (int w : weights) {
      g = gcd(g, w);
      total += w;
    }
    if (total == 0) {
      throw new IllegalArgumentException("no weight above 0");
    }
    int[] w = new int[weights.length];
    long length = 0;
    for (int i = 0; i < weights.length; i++) {
      w[i] = weights[i] / g;
      length += w[i];
    }
    cycle = new Object[(int) length];
    long[] current = new long[w.length];
    for (int n = 0; n < cycle.length; n++) {
      int best = -1;
      for (int i = 0; i < w.length; i++) {
        current[i] += w[i];
        if (w[i] > 0 && (best < 0 || current[i] > current[best])) {
          best = i;
        }
      }
      current[best] -= length;
      cycle[n] = items.get(best);
    }
  }

  /** The next item of the shared sequence. */
  T next() {
    return at(counter.getAndIncrement());
  }

  /** The item at position {@code position} of the endless sequence (a hash for sticky choices). */
  @SuppressWarnings("unchecked")
  T at(long position) {
    return (T) cycle[(int) Math.floorMod(position, (long) cycle.length)];
  }

  int cycleLength() {
    return cycle.length;
  }

  private static int gcd(int a, int b) {
    while (b != 0) {
      int t = a % b;
      a = b;
      b = t;
    }
    return a;
  }
}
