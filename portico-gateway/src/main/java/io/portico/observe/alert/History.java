package io.portico.observe.alert;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * Samples of one scope's running totals ({@link AlertFeed}), taken at every evaluation, so that a
 * rule can subtract the sample one window ago from the newest one. Kept only as far back as the
 * longest window that reads it. Used on the evaluator thread only.
 */
final class History {

  private record Sample(long nanos, long[] totals) {}

  private final ArrayDeque<Sample> samples = new ArrayDeque<>();

  void add(long nanos, long[] totals, long keepNanos) {
    samples.addLast(new Sample(nanos, totals));
    while (samples.size() > 2 && nanos - samples.peekFirst().nanos() > keepNanos) {
      Iterator<Sample> it = samples.iterator();
      it.next();
      Sample second = it.next();
      if (nanos - second.nanos() >= keepNanos) {
        samples.removeFirst();
      } else {
        break;
      }
    }
  }

  /**
   * The growth of every total over the last {@code windowNanos}: the newest sample minus the newest
   * one at least that old (the oldest one while the history is shorter than the window).
   */
  long[] delta(long windowNanos) {
    Sample newest = samples.peekLast();
    if (newest == null) {
      return new long[AlertFeed.SIZE];
    }
    Sample base = samples.peekFirst();
    for (Sample s : samples) {
      if (newest.nanos() - s.nanos() >= windowNanos) {
        base = s;
      } else {
        break;
      }
    }
    long[] out = new long[newest.totals().length];
    for (int i = 0; i < out.length; i++) {
      out[i] = newest.totals()[i] - base.totals()[i];
    }
    return out;
  }

  /** The {@code p} quantile of the latency buckets of {@code delta}, in seconds; NaN if empty. */
  static double percentile(long[] delta, double p) {
    long total = 0;
    for (int i = AlertFeed.BUCKETS; i < AlertFeed.SIZE; i++) {
      total += delta[i];
    }
    if (total == 0) {
      return Double.NaN;
    }
    double rank = p * total;
    long seen = 0;
    for (int b = 0; b <= AlertFeed.BOUNDS.length; b++) {
      long in = delta[AlertFeed.BUCKETS + b];
      if (seen + in >= rank && in > 0) {
        double lo = b == 0 ? 0 : AlertFeed.BOUNDS[b - 1];
        if (b == AlertFeed.BOUNDS.length) {
          return lo;
        }
        double hi = AlertFeed.BOUNDS[b];
        return lo + (hi - lo) * (rank - seen) / in;
      }
      seen += in;
    }
    return AlertFeed.BOUNDS[AlertFeed.BOUNDS.length - 1];
  }
}
