package io.portico.upstream.h2;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil.ExtensionHeaderNames;
import io.netty.util.AsciiString;
import java.util.Iterator;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP/2 header block of a request in origin form ({@code /path?query}, or {@code *}), made the
 * way Netty's {@code HttpConversionUtil.toHttp2Headers} makes it, without the copies it makes of
 * every request: a lower-case copy of each field name (here a name already in lower case is used as
 * it is, and a common one written otherwise maps to its lower-case constant), the set of the {@code
 * Connection} header's tokens (a request with a {@code Connection} field goes to Netty's
 * conversion), and the path and authority copied into new strings.
 *
 * <p>The same rules: {@code :method}, {@code :scheme} (from the connection), {@code :path} (the
 * request target), {@code :authority} (from {@code Host}, without user information); the
 * connection-specific fields ({@code Connection}, {@code Keep-Alive}, {@code Proxy-Connection},
 * {@code Transfer-Encoding}, {@code Upgrade}), {@code Host} and Netty's {@code x-http2-*} extension
 * names are not sent; {@code TE} is sent only as {@code trailers}, once, when one of its values is
 * {@code trailers}. Differences: a gRPC request gets {@code te: trailers} here without the
 * request's own headers being changed (Netty's conversion needs it set on them), and a {@code
 * Cookie} field goes as one field (RFC 9113 section 8.2.3 allows either). Names and values are
 * validated by the header map as in Netty's conversion. Stateless.
 */
final class H2RequestHeaders {

  private static final AsciiString HTTP = AsciiString.cached("http");
  private static final AsciiString HTTPS = AsciiString.cached("https");

  /** Fields that are not sent, by lower-case name. */
  @SuppressWarnings("deprecation")
  private static final AsciiString[] DROPPED = {
    HttpHeaderNames.CONNECTION,
    HttpHeaderNames.KEEP_ALIVE,
    HttpHeaderNames.PROXY_CONNECTION,
    HttpHeaderNames.TRANSFER_ENCODING,
    HttpHeaderNames.HOST,
    HttpHeaderNames.UPGRADE,
    ExtensionHeaderNames.STREAM_ID.text(),
    ExtensionHeaderNames.SCHEME.text(),
    ExtensionHeaderNames.PATH.text(),
    ExtensionHeaderNames.PROTOCOL.text(),
    ExtensionHeaderNames.STREAM_PROMISE_ID.text(),
    ExtensionHeaderNames.STREAM_DEPENDENCY_ID.text(),
    ExtensionHeaderNames.STREAM_WEIGHT.text()
  };

  /** Common field names as lower-case constants, found whatever their case. */
  private static final CommonNames COMMON = new CommonNames();

  private H2RequestHeaders() {}

  /** Whether {@link #of} converts {@code request}; otherwise Netty's conversion does. */
  static boolean applies(HttpRequest request) {
    String uri = request.uri();
    if (request.method() == HttpMethod.CONNECT
        || uri.isEmpty()
        || (uri.charAt(0) != '/' && !"*".equals(uri))) {
      return false;
    }
    HttpHeaders headers = request.headers();
    if (headers.contains(HttpHeaderNames.CONNECTION)) {
      return false;
    }
    String host = headers.get(HttpHeaderNames.HOST);
    return host == null || host.indexOf('@') < 0;
  }

  /** The header block of {@code request}, which {@link #applies} to. */
  static Http2Headers of(HttpRequest request, boolean tls) {
    return of(request, tls, new DefaultHttp2Headers(true, request.headers().size() + 4));
  }

  /**
   * The header block of {@code request}, which {@link #applies} to, in {@code out}, an empty map
   * that validates names as Netty's conversion does (its connection's, used again for every head it
   * writes).
   */
  static Http2Headers of(HttpRequest request, boolean tls, Http2Headers out) {
    HttpHeaders in = request.headers();
    out.path(request.uri());
    out.scheme(tls ? HTTPS : HTTP);
    String host = in.get(HttpHeaderNames.HOST);
    if (host != null) {
      out.authority(host);
    }
    out.method(request.method().asciiName());
    boolean grpc = false; // or TE names trailers: te: trailers is sent once
    Iterator<Map.Entry<CharSequence, CharSequence>> fields = in.iteratorCharSequence();
    while (fields.hasNext()) {
      Map.Entry<CharSequence, CharSequence> field = fields.next();
      CharSequence name = lowerCase(field.getKey());
      if (dropped(name)) {
        continue;
      }
      CharSequence value = field.getValue();
      if (HttpHeaderNames.TE.contentEquals(name)) {
        grpc |= namesTrailers(value);
        continue;
      }
      if (HttpHeaderNames.CONTENT_TYPE.contentEquals(name) && H2Messages.grpc(value)) {
        grpc = true;
      }
      out.add(name, value);
    }
    if (grpc) {
      out.add(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
    }
    return out;
  }

  /** Whether one of a {@code TE} field's comma-separated values is {@code trailers}. */
  static boolean namesTrailers(CharSequence te) {
    int start = 0;
    int length = te.length();
    while (start <= length) {
      int comma = AsciiString.indexOf(te, ',', start);
      int end = comma < 0 ? length : comma;
      int from = start;
      int to = end;
      while (from < to && (te.charAt(from) == ' ' || te.charAt(from) == '\t')) {
        from++;
      }
      while (to > from && (te.charAt(to - 1) == ' ' || te.charAt(to - 1) == '\t')) {
        to--;
      }
      if (to - from == HttpHeaderValues.TRAILERS.length()
          && AsciiString.regionMatches(te, true, from, HttpHeaderValues.TRAILERS, 0, to - from)) {
        return true;
      }
      if (comma < 0) {
        return false;
      }
      start = comma + 1;
    }
    return false;
  }

  private static boolean dropped(CharSequence name) {
    for (AsciiString d : DROPPED) {
      if (d.contentEquals(name)) {
        return true;
      }
    }
    return false;
  }

  /** {@code name} in lower case: itself, a common name's constant, or a lower-case copy. */
  static CharSequence lowerCase(CharSequence name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        AsciiString common = COMMON.find(name);
        return common != null ? common : AsciiString.of(name).toLowerCase();
      }
    }
    return name;
  }

  /**
   * Common request field names, found by a name in any letter case without copying it: an
   * open-addressed table on Netty's case-insensitive ASCII hash.
   */
  private static final class CommonNames {

    private final AsciiString[] table = new AsciiString[128];

    CommonNames() {
      for (AsciiString name :
          new AsciiString[] {
            HttpHeaderNames.ACCEPT,
            HttpHeaderNames.ACCEPT_CHARSET,
            HttpHeaderNames.ACCEPT_ENCODING,
            HttpHeaderNames.ACCEPT_LANGUAGE,
            HttpHeaderNames.AUTHORIZATION,
            HttpHeaderNames.CACHE_CONTROL,
            HttpHeaderNames.CONTENT_ENCODING,
            HttpHeaderNames.CONTENT_LENGTH,
            HttpHeaderNames.CONTENT_TYPE,
            HttpHeaderNames.COOKIE,
            HttpHeaderNames.DATE,
            HttpHeaderNames.EXPECT,
            AsciiString.cached("forwarded"),
            HttpHeaderNames.IF_MATCH,
            HttpHeaderNames.IF_MODIFIED_SINCE,
            HttpHeaderNames.IF_NONE_MATCH,
            HttpHeaderNames.ORIGIN,
            HttpHeaderNames.PRAGMA,
            HttpHeaderNames.RANGE,
            HttpHeaderNames.REFERER,
            HttpHeaderNames.USER_AGENT,
            HttpHeaderNames.VIA,
            AsciiString.cached("x-forwarded-for"),
            AsciiString.cached("x-forwarded-host"),
            AsciiString.cached("x-forwarded-port"),
            AsciiString.cached("x-forwarded-proto"),
            HttpHeaderNames.X_REQUESTED_WITH,
            AsciiString.cached("x-request-id"),
            AsciiString.cached("x-real-ip"),
            AsciiString.cached("traceparent"),
            AsciiString.cached("tracestate"),
            AsciiString.cached("sec-fetch-dest"),
            AsciiString.cached("sec-fetch-mode"),
            AsciiString.cached("sec-fetch-site"),
            AsciiString.cached("grpc-timeout"),
            AsciiString.cached("grpc-encoding"),
            AsciiString.cached("grpc-accept-encoding")
          }) {
        int i = slot(name);
        while (table[i] != null) {
          i = (i + 1) & (table.length - 1);
        }
        table[i] = name;
      }
    }

    @Nullable AsciiString find(CharSequence name) {
      for (int i = slot(name); table[i] != null; i = (i + 1) & (table.length - 1)) {
        if (table[i].contentEqualsIgnoreCase(name)) {
          return table[i];
        }
      }
      return null;
    }

    private int slot(CharSequence name) {
      return AsciiString.hashCode(name) & (table.length - 1);
    }
  }
}
