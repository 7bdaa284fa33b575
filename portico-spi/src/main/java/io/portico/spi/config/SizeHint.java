package io.portico.spi.config;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The size a value not written as one most likely meant, for the "expected a size" problem: {@code
 * 10 megabytes} spells its unit out, {@code 1.5m} is not a whole number, {@code 1,000} has a
 * thousands separator, {@code 1t} a unit beyond {@code g}. {@link ConfigReader#size} appends it to
 * its own problem, as {@link DurationHint} does for durations, so that every size read gets the
 * same hint.
 */
public final class SizeHint {

  private static final Pattern NUMBER =
      Pattern.compile(
          "(\\d{1,3}(?:[,_]\\d{3})+|\\d*\\.\\d+|\\d+(?:\\.\\d*)?)\\s*([a-z]*)\\.?",
          Pattern.CASE_INSENSITIVE);

  private SizeHint() {}

  /** The fix to append to the rule ({@code ; write 1536k}), or null when no fix is clear. */
  public static @Nullable String of(String text) {
    Matcher m = NUMBER.matcher(text.trim());
    if (!m.matches()) {
      return null;
    }
    long unit = unit(m.group(2).toLowerCase(Locale.ROOT));
    if (unit < 0) {
      return null;
    }
    BigDecimal bytes =
        new BigDecimal(m.group(1).replace(",", "").replace("_", ""))
            .multiply(BigDecimal.valueOf(unit));
    if (bytes.compareTo(BigDecimal.valueOf(ConfigReader.MAX_SIZE)) > 0) {
      return "; a size is at most 1024g";
    }
    BigDecimal whole = bytes.setScale(0, RoundingMode.DOWN);
    String written = written(whole.longValueExact());
    return bytes.compareTo(whole) == 0
        ? "; write " + written
        : "; a size is a whole number of bytes: write " + written;
  }

  private static long unit(String word) {
    return switch (word) {
      case "", "b", "byte", "bytes" -> 1;
      case "k", "kb", "kib", "kbyte", "kbytes", "kilobyte", "kilobytes", "kibibyte", "kibibytes" ->
          1L << 10;
      case "m",
          "mb",
          "mib",
          "meg",
          "megs",
          "mbyte",
          "mbytes",
          "megabyte",
          "megabytes",
          "mebibyte",
          "mebibytes" ->
          1L << 20;
      case "g",
          "gb",
          "gib",
          "gig",
          "gigs",
          "gbyte",
          "gbytes",
          "gigabyte",
          "gigabytes",
          "gibibyte",
          "gibibytes" ->
          1L << 30;
      case "t", "tb", "tib", "terabyte", "terabytes", "tebibyte", "tebibytes" -> 1L << 40;
      default -> -1;
    };
  }

  /** {@code 1536k}, {@code 10m}, {@code 1000}: the largest unit that divides it. */
  private static String written(long bytes) {
    String units = ConfigReader.inUnits(bytes);
    return units != null ? units : Long.toString(bytes);
  }
}
