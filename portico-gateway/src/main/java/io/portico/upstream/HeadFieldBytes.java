package io.portico.upstream;

/**
 * The byte rules of an HTTP/1.1 head that both plain head parsers apply, the client side's request
 * parser ({@code proxy.PlainHeadParser}) and {@link PlainResponseHeadParser}: what a field name's
 * token is, what a visible character is, an ASCII name compared without case, and the canonical
 * decimal a {@code Content-Length} must be for a head to count as plain.
 *
 * <p>Stateless.
 */
public final class HeadFieldBytes {

  /** RFC 9110 tchar. */
  private static final boolean[] TOKEN = new boolean[128];

  static {
    for (char c = '0'; c <= '9'; c++) {
      TOKEN[c] = true;
    }
    for (char c = 'a'; c <= 'z'; c++) {
      TOKEN[c] = true;
      TOKEN[c - 'a' + 'A'] = true;
    }
    for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
      TOKEN[c] = true;
    }
  }

  private HeadFieldBytes() {}

  /** Whether {@code c} may be part of a token (a field name, a method). */
  public static boolean isToken(byte c) {
    return c >= 0 && TOKEN[c];
  }

  /** Whether {@code c} is visible ASCII (VCHAR): no space, control or obs-text. */
  public static boolean isVisible(byte c) {
    return c > 0x20 && c < 0x7f;
  }

  /** Whether {@code b} at {@code start} spells {@code lower}, ignoring ASCII case. */
  public static boolean spells(byte[] b, int start, String lower) {
    for (int i = 0; i < lower.length(); i++) {
      int c = b[start + i];
      if (c >= 'A' && c <= 'Z') {
        c += 'a' - 'A';
      }
      if (c != lower.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** A decimal without sign or leading zero (except "0"), of at most 18 digits; else -1. */
  public static long canonicalDecimal(byte[] b, int start, int length) {
    if (length == 0 || length > 18 || (length > 1 && b[start] == '0')) {
      return -1;
    }
    long n = 0;
    for (int i = start; i < start + length; i++) {
      int d = b[i] - '0';
      if (d < 0 || d > 9) {
        return -1;
      }
      n = n * 10 + d;
    }
    return n;
  }
}
