package io.portico.grpc;

import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The {@code grpc-timeout} header: at most eight ASCII digits and a unit ({@code H}ours, {@code
 * M}inutes, {@code S}econds, {@code m}illis, {@code u} micros, {@code n}anos).
 */
public final class GrpcTimeout {

  /** Eight digits: the largest value the header may carry in any unit. */
  private static final long MAX_VALUE = 99_999_999L;

  private GrpcTimeout() {}

  /**
   * The timeout in nanoseconds, or -1 when the value is not a valid {@code grpc-timeout} (empty,
   * more than eight digits, a sign, or an unknown unit). Saturates at {@link Long#MAX_VALUE}.
   */
  public static long parseNanos(@Nullable CharSequence value) {
    if (value == null || value.length() < 2 || value.length() > 9) {
      return -1;
    }
    long amount = 0;
    int digits = value.length() - 1;
    for (int i = 0; i < digits; i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      amount = amount * 10 + (c - '0');
    }
    TimeUnit unit =
        switch (value.charAt(digits)) {
          case 'H' -> TimeUnit.HOURS;
          case 'M' -> TimeUnit.MINUTES;
          case 'S' -> TimeUnit.SECONDS;
          case 'm' -> TimeUnit.MILLISECONDS;
          case 'u' -> TimeUnit.MICROSECONDS;
          case 'n' -> TimeUnit.NANOSECONDS;
          default -> null;
        };
    return unit == null ? -1 : unit.toNanos(amount);
  }

  /**
   * A {@code grpc-timeout} value for a positive duration: the finest unit whose amount fits in
   * eight digits, rounded up so that the upstream never gets more time than is left.
   */
  public static String format(long nanos) {
    if (nanos <= 0) {
      return "1n";
    }
    if (nanos <= MAX_VALUE) {
      return nanos + "n";
    }
    long[] perUnit = {1_000L, 1_000_000L, 1_000_000_000L, 60_000_000_000L, 3_600_000_000_000L};
    char[] units = {'u', 'm', 'S', 'M', 'H'};
    for (int i = 0; i < perUnit.length; i++) {
      long amount = (nanos + perUnit[i] - 1) / perUnit[i];
      if (amount <= MAX_VALUE) {
        return amount + String.valueOf(units[i]);
      }
    }
    return MAX_VALUE + "H";
  }
}
