package io.portico.plugins.ratelimit;

import io.netty.handler.codec.http.HttpHeaders;
import io.portico.spi.config.ConfigReader;
import org.jspecify.annotations.Nullable;

/**
 * What a request costs, read the same way by {@code rate-limit} and {@code quota}: the configured
 * {@code cost}, or the value of a cost header.
 *
 * <p>A cost header's value is a decimal number of digits only, optionally surrounded by spaces or
 * tabs: {@code 0} to {@link #MAX}. A larger number counts as {@link #MAX}, so a value too large to
 * hold can never wrap round to a small or negative cost. Anything else (empty, a sign, a fraction,
 * an exponent, letters, a list) is not a cost, and the fallback counts instead: the configured
 * {@code cost} for a request header, nothing for a response header.
 */
final class Cost {

  /** The largest cost: the most a {@code cost} setting may say, and where a header's is capped. */
  static final long MAX = 1_000_000_000L;

  private Cost() {}

  /** The {@code cost} setting: an integer from 0 to {@link #MAX}, 1 by default. */
  static long configured(ConfigReader config) {
    return config.longValue("cost", 1, 0, MAX);
  }

  /** The cost in header {@code name} of {@code headers}; {@code fallback} when it carries none. */
  static long fromHeader(HttpHeaders headers, @Nullable String name, long fallback) {
    return name == null ? fallback : parse(headers.get(name), fallback);
  }

  /** {@code value} read as a cost (see the class description); {@code fallback} when it is none. */
  static long parse(CharSequence value, long fallback) {
    if (value == null) {
      return fallback;
    }
    int start = 0;
    int end = value.length();
    while (start < end && isBlank(value.charAt(start))) {
      start++;
    }
    while (end > start && isBlank(value.charAt(end - 1))) {
      end--;
    }
    if (start == end) {
      return fallback;
    }
    long cost = 0;
    for (int i = start; i < end; i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return fallback;
      }
      cost = Math.min(MAX + 1, cost * 10 + (c - '0'));
    }
    return Math.min(cost, MAX);
  }

  private static boolean isBlank(char c) {
    return c == ' ' || c == '\t';
  }
}
