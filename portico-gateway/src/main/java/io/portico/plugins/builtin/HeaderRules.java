package io.portico.plugins.builtin;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Checks on header names and values written by plugins, shared by every header-writing plugin. */
final class HeaderRules {

  /** The request id header the gateway forwards upstream. */
  static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");

  static final String NAME_RULE = "a header name: letters, digits and !#$%&'*+-.^_`|~";

  static final String VALUE_RULE = "a header value of printable ASCII characters";

  /** Hop-by-hop and framing headers: the gateway owns them, plugins may not write them. */
  private static final List<AsciiString> MANAGED =
      List.of(
          HttpHeaderNames.CONNECTION,
          HttpHeaderNames.CONTENT_LENGTH,
          AsciiString.cached("keep-alive"),
          AsciiString.cached("proxy-connection"),
          HttpHeaderNames.TE,
          HttpHeaderNames.TRAILER,
          HttpHeaderNames.TRANSFER_ENCODING,
          HttpHeaderNames.UPGRADE);

  static final String MANAGED_RULE =
      "a header the gateway does not manage: not Connection, Content-Length, Keep-Alive,"
          + " Proxy-Connection, TE, Trailer, Transfer-Encoding or Upgrade";

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private HeaderRules() {}

  /** Whether {@code name} is an RFC 9110 token. */
  static boolean isToken(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** Whether the gateway owns the header (hop-by-hop or framing). */
  static boolean isManaged(CharSequence name) {
    for (AsciiString managed : MANAGED) {
      if (managed.contentEqualsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  /** Whether a configured value holds only printable ASCII, spaces and tabs. */
  static boolean isPrintable(String value) {
    for (int i = 0; i < value.length(); i++) {
      if (!isSafe(value.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Makes a value taken from the request safe to write into a header: characters outside printable
   * ASCII (control characters, line breaks, non-ASCII) are percent-encoded as UTF-8. Returns the
   * value itself when it is already safe.
   */
  static String safe(String value) {
    int i = 0;
    while (i < value.length() && isSafe(value.charAt(i))) {
      i++;
    }
    if (i == value.length()) {
      return value;
    }
    StringBuilder out = new StringBuilder(value.length() + 16).append(value, 0, i);
    while (i < value.length()) {
      char c = value.charAt(i);
      if (isSafe(c)) {
        out.append(c);
        i++;
        continue;
      }
      int end = Character.isHighSurrogate(c) && i + 1 < value.length() ? i + 2 : i + 1;
      for (byte b : value.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
        out.append('%').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
      }
      i = end;
    }
    return out.toString();
  }

  private static boolean isSafe(char c) {
    return c == '\t' || (c >= 0x20 && c < 0x7F);
  }
}
