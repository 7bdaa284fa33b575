package io.portico.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValidationUtil;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What makes an HTTP/2 request head malformed (RFC 9113, 8.1.1), checked by {@link
 * Http2ClientConnection} before the head is converted to an HTTP/1.1 request, which it could not be
 * turned into faithfully; such a stream is refused with RST_STREAM PROTOCOL_ERROR:
 *
 * <ul>
 *   <li>{@code :method} missing or not a token;
 *   <li>{@code :path} missing, empty, or holding a space, CR or LF (a request-target that would
 *       split the request line), or absolute-form ({@code http://host/p}: its authority would
 *       become a second name for the target beside {@code :authority}); {@code :authority} missing
 *       for CONNECT, or a CONNECT with {@code :scheme} or {@code :path} (RFC 9113, 8.5);
 *   <li>a {@code :protocol} pseudo-header: the gateway offers no extended CONNECT (RFC 8441);
 *   <li>a {@code host} field that differs from {@code :authority}, or several that differ: two
 *       names for the target would let routing and the upstream disagree on it;
 *   <li>a field value that starts or ends with a space or a tab (RFC 9113, 8.2.1), which an
 *       HTTP/1.1 upstream would trim and the gateway's checks would not.
 * </ul>
 *
 * <p>Whatever else is wrong with a request is found further on and answered there (400 for a path
 * that is not an absolute path, 431 for too many fields...). The refusal is logged at DEBUG only: a
 * client's mistake is not the gateway's, and the reset counts against {@code
 * http2-max-resets-per-window} like every reset the gateway sends for an error. Stateless.
 */
final class Http2RequestHeadCheck {

  private static final AsciiString PROTOCOL = AsciiString.cached(":protocol");

  private Http2RequestHeadCheck() {}

  /** What makes {@code headers} a malformed request head, or null when nothing does. */
  static @Nullable String problem(Http2Headers headers) {
    CharSequence method = headers.method();
    if (method == null || method.length() == 0) {
      return "no :method";
    }
    if (HttpHeaderValidationUtil.validateToken(method) != -1) {
      return ":method is not a token";
    }
    boolean connect = HttpMethod.CONNECT.asciiName().contentEquals(method);
    CharSequence path = headers.path();
    if (connect) {
      if (headers.authority() == null) {
        return "CONNECT without :authority";
      }
      if (path != null || headers.scheme() != null) {
        return "CONNECT with :scheme or :path";
      }
    } else if (path == null || path.length() == 0) {
      return "no :path";
    }
    if (path != null && !HttpUtil.isEncodingSafeStartLineToken(path)) {
      return ":path holds a space, CR or LF";
    }
    if (path != null && isAbsoluteForm(path)) {
      return ":path is absolute-form";
    }
    if (headers.contains(PROTOCOL)) {
      // extended CONNECT (RFC 8441) is not offered: SETTINGS_ENABLE_CONNECT_PROTOCOL is never sent
      return ":protocol without extended CONNECT";
    }
    CharSequence authority = headers.authority();
    for (Map.Entry<CharSequence, CharSequence> field : headers) {
      CharSequence value = field.getValue();
      if (HttpHeaderNames.HOST.contentEqualsIgnoreCase(field.getKey())) {
        if (authority == null) {
          authority = value;
        } else if (!AsciiString.contentEqualsIgnoreCase(authority, value)) {
          return "host differs from :authority";
        }
      }
      int n = value.length();
      if (n > 0 && (isBlank(value.charAt(0)) || isBlank(value.charAt(n - 1)))) {
        return "a value of " + field.getKey() + " starts or ends with a space or a tab";
      }
    }
    return null;
  }

  private static boolean isBlank(char c) {
    return c == ' ' || c == '\t';
  }

  /** Whether {@code path} starts with {@code http://} or {@code https://}, in any case. */
  private static boolean isAbsoluteForm(CharSequence path) {
    return path.charAt(0) != '/'
        && (AsciiString.regionMatches(path, true, 0, "http://", 0, 7)
            || AsciiString.regionMatches(path, true, 0, "https://", 0, 8));
  }
}
