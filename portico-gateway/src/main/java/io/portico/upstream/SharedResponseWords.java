package io.portico.upstream;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import org.jspecify.annotations.Nullable;

/**
 * The words most upstream response heads share, as shared constants, so that decoding them makes no
 * new object: the protocol version, the status code and its standard reason phrase of the status
 * line, and the names of the header fields servers commonly send, in the two spellings they are
 * sent in (capitalized as in RFC 9110, or lower case as HTTP/2-era servers write them).
 *
 * <p>A constant stands for a word only when its bytes are exactly the word's bytes (case included),
 * so what is forwarded is what the upstream sent; any other word is decoded as Netty decodes it.
 * {@link HttpVersion#valueOf} and {@link HttpResponseStatus#valueOf(int, String)} then return their
 * own constants for the version and status, which they do for these very strings. Immutable; shared
 * by every upstream connection.
 */
final class SharedResponseWords {

  /** The names of the header fields servers commonly send. */
  private static final SharedHeaderNames NAMES =
      SharedHeaderNames.of(
          "Accept-Ranges",
          "Access-Control-Allow-Origin",
          "Age",
          "Cache-Control",
          "Connection",
          "Content-Encoding",
          "Content-Length",
          "Content-Type",
          "Date",
          "ETag",
          "Expires",
          "Keep-Alive",
          "Last-Modified",
          "Location",
          "Server",
          "Set-Cookie",
          "Strict-Transport-Security",
          "Transfer-Encoding",
          "Vary",
          "X-Content-Type-Options",
          "X-Request-Id");

  /** The status codes 100 to 599 as text. */
  private static final String[] CODES = new String[500];

  /** The standard reason phrase of each code Netty has a constant for, else null. */
  private static final @Nullable String[] REASONS = new String[500];

  static {
    for (int code = 100; code < 600; code++) {
      CODES[code - 100] = Integer.toString(code);
      // Netty returns its own constant for a code it knows, and a new status for any other.
      HttpResponseStatus known = HttpResponseStatus.valueOf(code);
      if (known == HttpResponseStatus.valueOf(code)) {
        REASONS[code - 100] = known.reasonPhrase();
      }
    }
  }

  private SharedResponseWords() {}

  /** The shared name whose bytes are {@code bytes[start, start + length)}, or null. */
  static @Nullable AsciiString headerName(byte[] bytes, int start, int length) {
    return NAMES.find(bytes, start, length);
  }

  /**
   * {@code HTTP/1.1} or {@code HTTP/1.0} as the interned literals, which {@link HttpVersion}'s
   * parser compares by reference before anything else, or null.
   */
  static @Nullable String version(byte[] bytes, int start, int length) {
    if (length != 8 || !startsWithHttp1(bytes, start)) {
      return null;
    }
    byte minor = bytes[start + 7];
    if (minor == '1') {
      return "HTTP/1.1";
    }
    return minor == '0' ? "HTTP/1.0" : null;
  }

  private static boolean startsWithHttp1(byte[] b, int s) {
    return b[s] == 'H'
        && b[s + 1] == 'T'
        && b[s + 2] == 'T'
        && b[s + 3] == 'P'
        && b[s + 4] == '/'
        && b[s + 5] == '1'
        && b[s + 6] == '.';
  }

  /** The code of a three-digit status from 100 to 599, or -1. */
  static int code(byte[] bytes, int start, int length) {
    if (length != 3) {
      return -1;
    }
    int code = 0;
    for (int i = start; i < start + 3; i++) {
      int digit = bytes[i] - '0';
      if (digit < 0 || digit > 9) {
        return -1;
      }
      code = code * 10 + digit;
    }
    return code >= 100 && code < 600 ? code : -1;
  }

  /** The text of a code from {@link #code}. */
  static String codeText(int code) {
    return CODES[code - 100];
  }

  /** The standard reason phrase of {@code code} when the bytes are exactly it, else null. */
  static @Nullable String reason(int code, byte[] bytes, int start, int length) {
    if (code < 100 || code >= 600) {
      return null;
    }
    String reason = REASONS[code - 100];
    if (reason == null || reason.length() != length) {
      return null;
    }
    for (int i = 0; i < length; i++) {
      if (reason.charAt(i) != (char) (bytes[start + i] & 0xff)) {
        return null;
      }
    }
    return reason;
  }
}
