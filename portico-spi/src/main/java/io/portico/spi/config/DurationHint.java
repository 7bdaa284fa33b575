package io.portico.spi.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The duration a value not written as one most likely meant, for the "expected a duration" problem:
 * {@code 30} has no unit, {@code 30 s} a space, {@code 5sec} or {@code 2 minutes} a unit spelt out.
 */
final class DurationHint {

  private static final Pattern NUMBER = Pattern.compile("\\d+");
  private static final Pattern SPELT =
      Pattern.compile("(\\d+)\\s*([a-z]+)\\.?", Pattern.CASE_INSENSITIVE);

  private DurationHint() {}

  /** The fix to append to the rule ({@code ; write 30s}), or null when no fix is clear. */
  static @Nullable String of(String text) {
    String t = text.trim();
    if (NUMBER.matcher(t).matches()) {
      return "; a duration has a unit: write "
          + t
          + "s for seconds or "
          + t
          + "ms for milliseconds";
    }
    Matcher m = SPELT.matcher(t);
    if (!m.matches()) {
      return null;
    }
    String unit =
        switch (m.group(2).toLowerCase(Locale.ROOT)) {
          case "ms", "msec", "msecs", "milli", "millis", "millisecond", "milliseconds" -> "ms";
          case "s", "sec", "secs", "second", "seconds" -> "s";
          case "m", "min", "mins", "minute", "minutes" -> "m";
          case "h", "hr", "hrs", "hour", "hours" -> "h";
          case "d", "day", "days" -> "d";
          default -> null;
        };
    return unit == null ? null : "; write " + m.group(1) + unit;
  }
}
