package io.portico.plugins.ratelimit;

import java.util.List;

/**
 * How a limit counts requests over its window. The codes are shared with the Redis script.
 *
 * <ul>
 *   <li>{@link #SLIDING_WINDOW}: the two-window weighted approximation. The count of the current
 *       fixed window plus the previous window's count weighted by how much of it still overlaps the
 *       sliding window. Exact when traffic is even; otherwise off by at most the previous window's
 *       unevenness, and never admits more than the limit within one fixed window.
 *   <li>{@link #FIXED_WINDOW}: a counter per calendar-aligned window (epoch-aligned). Exact within
 *       a window, but a client can send up to twice the limit across a window boundary.
 *   <li>{@link #TOKEN_BUCKET}: GCRA, the smooth equivalent of a token bucket refilled at {@code
 *       limit / window} with {@code burst} tokens of capacity; one timestamp of state per key.
 * </ul>
 */
public enum Algorithm {
  SLIDING_WINDOW("sliding-window", 0),
  FIXED_WINDOW("fixed-window", 1),
  TOKEN_BUCKET("token-bucket", 2);

  static final List<String> NAMES = List.of("sliding-window", "fixed-window", "token-bucket");

  private final String text;
  private final int code;

  Algorithm(String text, int code) {
    this.text = text;
    this.code = code;
  }

  String text() {
    return text;
  }

  int code() {
    return code;
  }

  static Algorithm of(String text) {
    for (Algorithm a : values()) {
      if (a.text.equals(text)) {
        return a;
      }
    }
    return SLIDING_WINDOW;
  }
}
