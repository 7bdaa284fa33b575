package io.portico.template;

/**
 * How values from a request are made safe for where they go: header values (printable ASCII, the
 * rest percent-encoded) and URI components (unreserved characters, the rest percent-encoded). Both
 * append to a builder the caller passes in, so a value that needs no encoding costs one copy.
 */
public final class Encodings {

  /** The rule a configured header value must follow, for messages. */
  public static final String HEADER_VALUE_RULE = "a header value of printable ASCII characters";

  /** The rule a header name must follow, for messages. */
  public static final String HEADER_NAME_RULE =
      "a header name: letters, digits and !#$%&'*+-.^_`|~";

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private Encodings() {}

  /** Whether {@code name} is an RFC 9110 token. */
  public static boolean isToken(String name) {
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

  /** Whether a configured value holds only printable ASCII, spaces and tabs. */
  public static boolean isHeaderSafe(CharSequence value) {
    for (int i = 0; i < value.length(); i++) {
      if (!isHeaderSafe(value.charAt(i))) {
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
  public static String headerSafe(String value) {
    if (isHeaderSafe(value)) {
      return value;
    }
    StringBuilder out = new StringBuilder(value.length() + 16);
    appendHeaderSafe(out, value);
    return out.toString();
  }

  /** Appends {@code value} to {@code out} as {@link #headerSafe} would return it. */
  public static void appendHeaderSafe(StringBuilder out, CharSequence value) {
    int i = 0;
    while (i < value.length()) {
      char c = value.charAt(i);
      if (isHeaderSafe(c)) {
        out.append(c);
        i++;
      } else {
        i = appendPercentEncoded(out, value, i);
      }
    }
  }

  /** Appends {@code value} percent-encoded as a URI component (RFC 3986 unreserved kept). */
  public static void appendUriComponent(StringBuilder out, CharSequence value) {
    int i = 0;
    while (i < value.length()) {
      char c = value.charAt(i);
      if (isUnreserved(c)) {
        out.append(c);
        i++;
      } else {
        i = appendPercentEncoded(out, value, i);
      }
    }
  }

  /**
   * Whether the path of {@code uri} (up to its {@code ?}) has a dot segment: {@code .} or {@code
   * ..}, a dot also written {@code %2E}. A value that is exactly {@code ..} stays {@code ..} once
   * encoded (dots are unreserved), so a rendered path such as {@code /users/${query.id}/orders}
   * would reach {@code /orders} on the upstream; callers refuse such a path.
   */
  public static boolean hasDotSegment(CharSequence uri) {
    int end = uri.length();
    for (int i = 0; i < uri.length(); i++) {
      if (uri.charAt(i) == '?') {
        end = i;
        break;
      }
    }
    int start = 0;
    while (start <= end) {
      int slash = start;
      while (slash < end && uri.charAt(slash) != '/') {
        slash++;
      }
      if (isDots(uri, start, slash)) {
        return true;
      }
      start = slash + 1;
    }
    return false;
  }

  /** Whether {@code uri[from, to)} is one or two dots, each {@code .} or {@code %2E}. */
  private static boolean isDots(CharSequence uri, int from, int to) {
    int dots = 0;
    int i = from;
    while (i < to) {
      if (uri.charAt(i) == '.') {
        i++;
      } else if (i + 3 <= to
          && uri.charAt(i) == '%'
          && uri.charAt(i + 1) == '2'
          && (uri.charAt(i + 2) == 'e' || uri.charAt(i + 2) == 'E')) {
        i += 3;
      } else {
        return false;
      }
      dots++;
    }
    return dots == 1 || dots == 2;
  }

  /** Whether configured URI text holds only printable ASCII without spaces. */
  static boolean isUriSafe(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c <= 0x20 || c >= 0x7F) {
        return false;
      }
    }
    return true;
  }

  /**
   * Appends the UTF-8 bytes of the character at {@code i} (a surrogate pair counts as one) as
   * {@code %XX}; returns the index after it. A lone surrogate is written as {@code ?}'s encoding,
   * as the JDK's encoder does.
   */
  private static int appendPercentEncoded(StringBuilder out, CharSequence value, int i) {
    char c = value.charAt(i);
    int cp = c;
    int next = i + 1;
    if (Character.isHighSurrogate(c)
        && next < value.length()
        && Character.isLowSurrogate(value.charAt(next))) {
      cp = Character.toCodePoint(c, value.charAt(next));
      next++;
    } else if (Character.isSurrogate(c)) {
      cp = '?';
    }
    if (cp < 0x80) {
      hex(out, cp);
    } else if (cp < 0x800) {
      hex(out, 0xC0 | (cp >> 6));
      hex(out, 0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      hex(out, 0xE0 | (cp >> 12));
      hex(out, 0x80 | ((cp >> 6) & 0x3F));
      hex(out, 0x80 | (cp & 0x3F));
    } else {
      hex(out, 0xF0 | (cp >> 18));
      hex(out, 0x80 | ((cp >> 12) & 0x3F));
      hex(out, 0x80 | ((cp >> 6) & 0x3F));
      hex(out, 0x80 | (cp & 0x3F));
    }
    return next;
  }

  private static void hex(StringBuilder out, int b) {
    out.append('%').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
  }

  private static boolean isHeaderSafe(char c) {
    return c == '\t' || (c >= 0x20 && c < 0x7F);
  }

  private static boolean isUnreserved(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '.'
        || c == '_'
        || c == '~';
  }
}
