package io.portico.plugins.ratelimit;

/**
 * The answer of a limiter for one request: whether it passes and, per rule (in the order of the
 * rules asked), the effective limit, what remains and when the window resets. Immutable.
 */
final class Decision {

  private final boolean allowed;
  private final LimitRule[] rules;
  private final long[] remaining;
  private final long[] resetMillis;
  private final long retryAfterMillis;

  Decision(
      boolean allowed,
      LimitRule[] rules,
      long[] remaining,
      long[] resetMillis,
      long retryAfterMillis) {
    this.allowed = allowed;
    this.rules = rules;
    this.remaining = remaining;
    this.resetMillis = resetMillis;
    this.retryAfterMillis = retryAfterMillis;
  }

  boolean allowed() {
    return allowed;
  }

  int size() {
    return rules.length;
  }

  LimitRule rule(int i) {
    return rules[i];
  }

  long remaining(int i) {
    return remaining[i];
  }

  long resetMillis(int i) {
    return resetMillis[i];
  }

  long retryAfterMillis() {
    return retryAfterMillis;
  }

  /** The index of the rule with the least remaining (the one clients should watch). */
  int tightest() {
    int best = 0;
    for (int i = 1; i < rules.length; i++) {
      if (remaining[i] < remaining[best]) {
        best = i;
      }
    }
    return best;
  }
}
