package io.portico.router;

import io.netty.util.concurrent.FastThreadLocal;
import io.portico.router.RequestTarget.Accepted;
import io.portico.router.RequestTarget.Reason;
import io.portico.router.RequestTarget.Rejected;
import org.jspecify.annotations.Nullable;

/**
 * Normalizes a request-target before routing, so that the path the router matches is exactly the
 * path the gateway forwards.
 *
 * <p>Flow: split off the query at the first {@code ?}; for an absolute-form target ({@code
 * http://host/path}) take the authority out; then scan the path once. The scan rejects what a
 * gateway must never pass on (see {@link Reason}) and notes whether anything needs rewriting. When
 * nothing does, the path is returned as is, without copying; otherwise one more pass:
 *
 * <ul>
 *   <li>percent escapes of unreserved characters ({@code ALPHA DIGIT - . _ ~}) are decoded; every
 *       other escape is kept, with its hex digits upper-cased ({@code %3a} becomes {@code %3A}, as
 *       RFC 3986 section 6.2.2.1 normalizes it, so that the router and the upstream compare the
 *       same text), and nothing is re-encoded;
 *   <li>{@code .} and {@code ..} segments (also written {@code %2e}) are resolved as in RFC 3986
 *       section 5.2.4, except that a {@code ..} climbing above the root is rejected, not clamped;
 *   <li>empty segments ({@code //}) are merged; a trailing slash is kept.
 * </ul>
 *
 * <p>The query is neither decoded nor rewritten; it is only checked for control and non-ASCII
 * characters. Rejections are values ({@link Rejected}), never exceptions.
 *
 * <p>Threading: call from any thread. Each thread keeps the last request-target it accepted with
 * its result, which it gives again for an equal request-target: a result depends only on the
 * request-target, and is immutable, so an event loop that sees the same target request after
 * request normalizes it once and allocates nothing for it.
 */
public final class PathNormalizer {

  private static final Accepted ASTERISK = new Accepted("*", null, null);

  /** The last accepted request-target of the thread and its result. */
  private static final class Last {
    @Nullable String target;
    @Nullable Accepted accepted;
  }

  private static final FastThreadLocal<Last> LAST =
      new FastThreadLocal<>() {
        @Override
        protected Last initialValue() {
          return new Last();
        }
      };

  private PathNormalizer() {}

  /**
   * Normalizes a raw request-target ({@code /a/b?x=1}, {@code http://host/a}, or {@code *}). An
   * equal request-target to the last one this thread accepted gets the same result object.
   *
   * @return {@link Accepted} with the normalized path, raw query and absolute-form authority, or
   *     {@link Rejected} with the reason to answer 400
   */
  public static RequestTarget normalize(String target) {
    Last last = LAST.get();
    Accepted accepted = last.accepted;
    if (accepted != null && target.equals(last.target)) {
      return accepted;
    }
    RequestTarget result = normalizeAnew(target);
    if (result instanceof Accepted made) {
      last.target = target;
      last.accepted = made;
    }
    return result;
  }

  private static RequestTarget normalizeAnew(String target) {
    int length = target.length();
    if (length == 0) {
      return new Rejected(Reason.NOT_ORIGIN_FORM);
    }
    int pathStart = 0;
    String authority = null;
    if (target.charAt(0) != '/') {
      if (length == 1 && target.charAt(0) == '*') {
        return ASTERISK;
      }
      int authorityStart = authorityStart(target);
      if (authorityStart < 0) {
        return new Rejected(Reason.NOT_ORIGIN_FORM);
      }
      int authorityEnd = authorityStart;
      while (authorityEnd < length
          && target.charAt(authorityEnd) != '/'
          && target.charAt(authorityEnd) != '?') {
        char c = target.charAt(authorityEnd);
        if (c < 0x20 || c == 0x7F) {
          return new Rejected(Reason.CONTROL_CHARACTER);
        }
        if (c > 0x7E || c == ' ' || c == '#' || c == '\\') {
          return new Rejected(Reason.INVALID_CHARACTER);
        }
        if (c == '@') {
          return new Rejected(Reason.INVALID_AUTHORITY);
        }
        authorityEnd++;
      }
      if (authorityEnd == authorityStart) {
        return new Rejected(Reason.INVALID_AUTHORITY);
      }
      authority = target.substring(authorityStart, authorityEnd);
      pathStart = authorityEnd;
    }

    int query = target.indexOf('?', pathStart);
    int pathEnd = query < 0 ? length : query;
    String rawQuery = null;
    if (query >= 0) {
      Reason reason = checkQuery(target, query + 1);
      if (reason != null) {
        return new Rejected(reason);
      }
      rawQuery = target.substring(query + 1);
    }
    if (pathStart == pathEnd) {
      return new Accepted("/", rawQuery, authority);
    }

    boolean rewrite = false;
    int segmentStart = pathStart + 1;
    for (int i = pathStart + 1; i < pathEnd; i++) {
      char c = target.charAt(i);
      if (c == '/') {
        int segmentLength = i - segmentStart;
        if (segmentLength == 0 || isDotSegment(target, segmentStart, i)) {
          rewrite = true;
        }
        segmentStart = i + 1;
      } else if (c == '%') {
        int value = i + 2 < pathEnd ? hexPair(target.charAt(i + 1), target.charAt(i + 2)) : -1;
        if (value < 0) {
          return new Rejected(Reason.MALFORMED_ESCAPE);
        }
        Reason reason = forbiddenEscape(value);
        if (reason != null) {
          return new Rejected(reason);
        }
        if (isUnreserved(value)
            || Character.isLowerCase(target.charAt(i + 1))
            || Character.isLowerCase(target.charAt(i + 2))) {
          rewrite = true;
        }
        i += 2;
      } else {
        Reason reason = forbiddenCharacter(c);
        if (reason != null) {
          return new Rejected(reason);
        }
      }
    }
    if (isDotSegment(target, segmentStart, pathEnd)) {
      rewrite = true;
    }

    if (!rewrite) {
      String path =
          pathStart == 0 && pathEnd == length ? target : target.substring(pathStart, pathEnd);
      return new Accepted(path, rawQuery, authority);
    }
    String path = rewrite(target, pathStart, pathEnd);
    return path == null ? new Rejected(Reason.ABOVE_ROOT) : new Accepted(path, rawQuery, authority);
  }

  /**
   * The strict path policy ({@code limits.path-policy: strict}): why a normalized path must be
   * refused because common upstream servers read it as another path than the router does, or null.
   * A segment must not hold {@code ;} or {@code %3B} (a matrix parameter: Tomcat and Spring drop
   * {@code ;...}, so {@code /..;/} climbs and {@code /admin;x=1/} is {@code /admin/}); and must not
   * end with a dot, nor start or end with encoded whitespace ({@code %20}, {@code %C2%A0}), which
   * Windows servers trim ({@code /admin./} is {@code /admin/}). Letter case is the router's to
   * check, since only it knows the routes' paths ({@link Router}).
   */
  public static @Nullable Reason strictRefusal(String path) {
    int length = path.length();
    int segmentStart = 1;
    for (int i = 1; i <= length; i++) {
      if (i < length && path.charAt(i) != '/') {
        char c = path.charAt(i);
        if (c == ';'
            || (c == '%'
                && i + 2 < length
                && path.charAt(i + 1) == '3'
                && (path.charAt(i + 2) == 'B' || path.charAt(i + 2) == 'b'))) {
          return Reason.MATRIX_PARAMETER;
        }
        continue;
      }
      if (i > segmentStart && badSegmentEnd(path, segmentStart, i)) {
        return Reason.SEGMENT_END;
      }
      segmentStart = i + 1;
    }
    return null;
  }

  private static final String[] ENCODED_WHITESPACE = {"%20", "%C2%A0"};

  private static boolean badSegmentEnd(String path, int from, int to) {
    if (path.charAt(to - 1) == '.') {
      return !isDotSegment(path, from, to); // . and .. are resolved by normalize
    }
    for (String ws : ENCODED_WHITESPACE) {
      int n = ws.length();
      if (to - from >= n
          && (path.regionMatches(true, to - n, ws, 0, n)
              || path.regionMatches(true, from, ws, 0, n))) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code c} (a byte value) is an RFC 3986 unreserved character. */
  static boolean isUnreserved(int c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '.'
        || c == '_'
        || c == '~';
  }

  /** The byte value of two hex digits, or -1 when either is not one. */
  static int hexPair(char high, char low) {
    int h = Character.digit(high, 16);
    int l = Character.digit(low, 16);
    return h < 0 || l < 0 || high > 0x7F || low > 0x7F ? -1 : h << 4 | l;
  }

  /** The index after {@code http://} or {@code https://} (any case), or -1. */
  private static int authorityStart(String target) {
    if (target.regionMatches(true, 0, "http://", 0, 7)) {
      return 7;
    }
    if (target.regionMatches(true, 0, "https://", 0, 8)) {
      return 8;
    }
    return -1;
  }

  private static @Nullable Reason checkQuery(String target, int from) {
    for (int i = from; i < target.length(); i++) {
      Reason reason = forbiddenCharacter(target.charAt(i));
      if (reason != null && reason != Reason.BACKSLASH) {
        return reason;
      }
    }
    return null;
  }

  private static @Nullable Reason forbiddenCharacter(char c) {
    if (c < 0x20 || c == 0x7F) {
      return Reason.CONTROL_CHARACTER;
    }
    if (c == '\\') {
      return Reason.BACKSLASH;
    }
    if (c > 0x7E || c == ' ' || c == '#') {
      return Reason.INVALID_CHARACTER;
    }
    return null;
  }

  private static @Nullable Reason forbiddenEscape(int value) {
    if (value == '/') {
      return Reason.ENCODED_SLASH;
    }
    if (value == '\\') {
      return Reason.BACKSLASH;
    }
    if (value < 0x20 || value == 0x7F) {
      return Reason.CONTROL_CHARACTER;
    }
    return null;
  }

  private static boolean isDotSegment(String s, int from, int to) {
    int length = to - from;
    return (length == 1 && s.charAt(from) == '.')
        || (length == 2 && s.charAt(from) == '.' && s.charAt(from + 1) == '.');
  }

  /**
   * Decodes unreserved escapes and resolves dot and empty segments of an already scanned path.
   *
   * @return the new path, or null when a {@code ..} climbs above the root
   */
  private static @Nullable String rewrite(String target, int from, int to) {
    StringBuilder out = new StringBuilder(to - from);
    boolean trailingSlash = false;
    int start = from + 1;
    while (true) {
      int end = target.indexOf('/', start);
      if (end < 0 || end > to) {
        end = to;
      }
      boolean last = end == to;
      int mark = out.length();
      out.append('/');
      appendDecoded(out, target, start, end);
      int length = out.length() - mark - 1;
      boolean dot = length == 1 && out.charAt(mark + 1) == '.';
      boolean dotDot = length == 2 && out.charAt(mark + 1) == '.' && out.charAt(mark + 2) == '.';
      if (length == 0 || dot || dotDot) {
        out.setLength(mark);
        if (dotDot) {
          if (mark == 0) {
            return null;
          }
          out.setLength(out.lastIndexOf("/"));
        }
        trailingSlash = last;
      }
      if (last) {
        break;
      }
      start = end + 1;
    }
    if (trailingSlash || out.length() == 0) {
      out.append('/');
    }
    return out.toString();
  }

  private static void appendDecoded(StringBuilder out, String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c == '%') {
        int value = hexPair(s.charAt(i + 1), s.charAt(i + 2));
        if (isUnreserved(value)) {
          out.append((char) value);
        } else {
          out.append('%')
              .append(Character.toUpperCase(s.charAt(i + 1)))
              .append(Character.toUpperCase(s.charAt(i + 2)));
        }
        i += 2;
      } else {
        out.append(c);
      }
    }
  }
}
