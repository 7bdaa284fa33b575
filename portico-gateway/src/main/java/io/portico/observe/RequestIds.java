package io.portico.observe;

import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Request ids, the same for the proxy's exchanges and the admin listener's requests: 32 lower-case
 * hex digits (128 random bits, not cryptographic), or a client's id when it is well-formed: 1 to
 * 128 characters of {@code [A-Za-z0-9._:-]}, so an id can never inject anything into logs or
 * headers. Stateless but for one scratch array per thread; callable from any thread.
 */
public final class RequestIds {

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  /** The digits of the id being made, per thread: the id's String is then the one copy. */
  private static final FastThreadLocal<byte[]> DIGITS =
      new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
          return new byte[32];
        }
      };

  /** The length of a generated id. */
  public static final int LENGTH = 32;

  private RequestIds() {}

  /** A new random id as text. */
  public static String generate() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return text(r.nextLong(), r.nextLong());
  }

  /** The id of the 128 bits {@code high}, {@code low} as text. */
  public static String text(long high, long low) {
    byte[] out = DIGITS.get();
    put(out, 0, high, low);
    return new String(out, 0, LENGTH, StandardCharsets.ISO_8859_1);
  }

  /**
   * Puts the {@link #LENGTH} digits of the id of {@code high}, {@code low} at {@code p}; returns
   * the next position.
   */
  public static int put(byte[] out, int p, long high, long low) {
    for (int i = 15; i >= 0; i--) {
      out[p + i] = HEX[(int) (high & 0xf)];
      high >>>= 4;
      out[p + 16 + i] = HEX[(int) (low & 0xf)];
      low >>>= 4;
    }
    return p + LENGTH;
  }

  /** Whether a client's id may be kept: 1 to 128 characters of {@code [A-Za-z0-9._:-]}. */
  public static boolean isWellFormed(CharSequence id) {
    int n = id.length();
    if (n == 0 || n > 128) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = id.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '.'
              || c == '_'
              || c == ':';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
