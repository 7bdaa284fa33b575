package io.portico.ai;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import org.jspecify.annotations.Nullable;

/** Reads a {@code Retry-After} value: delay seconds or an HTTP date. */
final class RetryAfter {

  /** The longest wait honoured, whatever a provider says. */
  static final long MAX_NANOS = Duration.ofHours(1).toNanos();

  private RetryAfter() {}

  /** The wait in nanoseconds, or -1 when absent or unreadable. */
  static long nanos(@Nullable String value) {
    if (value == null || value.isBlank()) {
      return -1;
    }
    String v = value.trim();
    try {
      double seconds = Double.parseDouble(v);
      if (seconds < 0 || Double.isNaN(seconds)) {
        return -1;
      }
      return Math.min(MAX_NANOS, (long) (seconds * 1e9));
    } catch (NumberFormatException e) {
      // an HTTP date
    }
    try {
      ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
      long nanos = Duration.between(ZonedDateTime.now(at.getZone()), at).toNanos();
      return Math.max(0, Math.min(MAX_NANOS, nanos));
    } catch (DateTimeParseException e) {
      return -1;
    }
  }
}
