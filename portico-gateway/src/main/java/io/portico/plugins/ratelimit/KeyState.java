package io.portico.plugins.ratelimit;

/**
 * The counters of one limit key, one slot per rule. Guarded by its own monitor: requests of the
 * same key serialise on it (held for a few arithmetic operations), requests of different keys never
 * contend. The same arithmetic runs in {@link RedisLimiter}'s script.
 */
final class KeyState {

  private final long[] window;
  private final double[] current;
  private final double[] previous;
  private long lastUsed;
  private long idleAfter;

  KeyState(int rules) {
    window = new long[rules];
    current = new double[rules];
    previous = new double[rules];
  }

  /** Whether nothing is left to remember at {@code now}: every window and bucket is clean. */
  synchronized boolean idle(long now) {
    return now - lastUsed > idleAfter;
  }

  synchronized Decision decide(LimitRule[] rules, long cost, Counting counting, long now) {
    int n = Math.min(rules.length, window.length);
    boolean allowed = true;
    long retry = 0;
    double asked = counting == Counting.CHECK ? 1 : cost;
    double[] level = new double[n];
    for (int i = 0; i < n; i++) {
      LimitRule r = rules[i];
      long w = r.windowMillis();
      idleAfter = Math.max(idleAfter, 2 * w);
      if (r.algorithm() == Algorithm.TOKEN_BUCKET) {
        double t = w / (double) r.limit();
        double tat = Math.max(current[i], now);
        level[i] = tat;
        double over = tat + asked * t - now - r.burst() * t;
        if (over > 0) {
          allowed = false;
          retry = Math.max(retry, (long) Math.ceil(over));
        }
      } else {
        long idx = Math.floorDiv(now, w);
        if (idx != window[i]) {
          previous[i] = idx == window[i] + 1 ? current[i] : 0;
          current[i] = 0;
          window[i] = idx;
        }
        long elapsed = now - idx * w;
        double est = current[i];
        if (r.algorithm() == Algorithm.SLIDING_WINDOW) {
          est += previous[i] * (w - elapsed) / (double) w;
        }
        level[i] = est;
        if (est + asked > r.limit()) {
          allowed = false;
          retry = Math.max(retry, slidingRetry(r, current[i], previous[i], asked, elapsed));
        }
      }
    }
    boolean add = counting == Counting.ADD || (counting == Counting.CHECK_AND_ADD && allowed);
    long[] remaining = new long[n];
    long[] reset = new long[n];
    for (int i = 0; i < n; i++) {
      LimitRule r = rules[i];
      long w = r.windowMillis();
      if (r.algorithm() == Algorithm.TOKEN_BUCKET) {
        double t = w / (double) r.limit();
        double tat = level[i] + (add ? cost * t : 0);
        if (add) {
          current[i] = tat;
        }
        remaining[i] = Math.max(0, (long) Math.floor((r.burst() * t - (tat - now)) / t));
        reset[i] = Math.max(0, (long) Math.ceil(tat - now));
      } else {
        double est = level[i];
        if (add) {
          current[i] += cost;
          est += cost;
        }
        remaining[i] = Math.max(0, (long) Math.floor(r.limit() - est));
        reset[i] = (window[i] + 1) * w - now;
      }
    }
    lastUsed = now;
    return new Decision(allowed, rules, remaining, reset, retry);
  }

  /** How long until a window-counted request of {@code asked} fits again. */
  private static long slidingRetry(
      LimitRule r, double current, double previous, double asked, long elapsed) {
    long w = r.windowMillis();
    if (r.algorithm() == Algorithm.FIXED_WINDOW || current + asked > r.limit() || previous <= 0) {
      return w - elapsed;
    }
    double fraction = 1 - (r.limit() - current - asked) / previous;
    return Math.max(1, (long) Math.ceil(fraction * w) - elapsed);
  }
}
