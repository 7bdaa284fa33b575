package io.portico.proxy;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AsciiString;
import io.portico.config.LimitsConfig;
import io.portico.upstream.KeptHeaders;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The checks a request head must pass before anything else looks at it: the first step of an
 * exchange. Each refusal names one {@link Failure} and says what was expected; a refused request is
 * answered and its connection closed, and nothing of it reaches a plugin or an upstream.
 *
 * <p>Stateless; the checks allocate nothing for a request that passes.
 */
final class RequestChecks {

  /** Why a request was refused. */
  record Refusal(Failure failure, String detail) {}

  /**
   * Headers the gateway or an upstream interprets for framing, routing, forwarding or the
   * connection: a field whose name, with underscores read as hyphens, is one of these but is not
   * spelled with hyphens is refused, since servers that map {@code _} to {@code -} (CGI, WSGI, some
   * frameworks) would read it as the real one.
   */
  private static final Set<String> INTERPRETED =
      Set.of(
          "content-length",
          "transfer-encoding",
          "host",
          "connection",
          "upgrade",
          "te",
          "trailer",
          "keep-alive",
          "proxy-connection",
          "expect",
          "forwarded",
          "x-forwarded-for",
          "x-forwarded-host",
          "x-forwarded-proto",
          "x-forwarded-port",
          "x-forwarded-prefix",
          "x-real-ip",
          "x-request-id");

  /**
   * Fields that are dropped from request trailers: a trailer must not carry what is read before the
   * body (RFC 9110 6.5.1: framing, routing, authentication, request modifiers, content format), and
   * an upstream that merges trailers into the head (some servlet containers and frameworks do)
   * would otherwise believe a client's {@code Host}, {@code X-Forwarded-For} or {@code
   * Authorization} sent after the gateway checked the head. The gateway's identity headers are
   * dropped as well (see {@link #stripTrailers}); so is every {@code x-forwarded-*} field.
   */
  private static final Set<String> NOT_IN_TRAILERS =
      Set.of(
          "content-length",
          "transfer-encoding",
          "host",
          "connection",
          "upgrade",
          "te",
          "trailer",
          "keep-alive",
          "proxy-connection",
          "expect",
          "forwarded",
          "via",
          "x-real-ip",
          "x-client-ip",
          "true-client-ip",
          "x-cluster-client-ip",
          "x-original-url",
          "x-rewrite-url",
          "x-request-id",
          "authorization",
          "proxy-authorization",
          "cookie",
          "content-type",
          "content-encoding",
          "content-range",
          "max-forwards",
          "cache-control",
          "range",
          "if-match",
          "if-none-match",
          "if-modified-since",
          "if-unmodified-since",
          "if-range");

  /** Headers {@code Connection} may not name: the message's framing and its target. */
  private static final Set<String> NOT_HOP_BY_HOP =
      Set.of("content-length", "transfer-encoding", "host");

  private RequestChecks() {}

  /**
   * Checks the head: decoder failures (bad framing, oversized line or headers), the version, the
   * method token, the header count and each field's size, underscore twins of interpreted headers
   * (and of {@code identityHeaders}), a {@code Connection} naming framing, {@code CONNECT} and
   * {@code TRACE} (405), a declared body over the limit, and the {@code Host} header.
   *
   * @return null when the head is acceptable
   */
  static @Nullable Refusal check(
      HttpRequest request, LimitsConfig limits, List<AsciiString> identityHeaders) {
    DecoderResult result = request.decoderResult();
    if (result.isFailure()) {
      Throwable cause = result.cause();
      if (cause instanceof TooLongHttpLineException) {
        return new Refusal(
            Failure.URI_TOO_LONG,
            "The request line is longer than " + limits.maxRequestLine() + " bytes.");
      } else if (cause instanceof TooLongHttpHeaderException) {
        return new Refusal(
            Failure.HEADERS_TOO_LARGE,
            "The request headers exceed " + limits.maxHeaderSize() + " bytes.");
      } else if (cause instanceof TooLongFrameException) {
        return new Refusal(Failure.HEADERS_TOO_LARGE, "The request head is too large.");
      }
      return new Refusal(Failure.BAD_FRAMING, "The request is malformed: " + describe(cause));
    }
    HttpVersion version = request.protocolVersion();
    if (!version.equals(HttpVersion.HTTP_1_1) && !version.equals(HttpVersion.HTTP_1_0)) {
      return new Refusal(
          Failure.HTTP_VERSION_NOT_SUPPORTED,
          "version: " + version.text() + " (expected: HTTP/1.1 or HTTP/1.0)");
    }
    String method = request.method().name();
    if (!isUpperCaseToken(method)) {
      return new Refusal(
          Failure.BAD_REQUEST,
          "method: " + printable(method) + " (expected: a token in upper case, such as GET)");
    }
    HttpHeaders headers = request.headers();
    Refusal codings = checkTransferEncoding(headers);
    if (codings != null) {
      return codings;
    }
    if (headers.size() > limits.maxHeaderCount()) {
      return new Refusal(
          Failure.HEADERS_TOO_LARGE, "More than " + limits.maxHeaderCount() + " header fields.");
    }
    Refusal fields = checkFields(headers, limits, identityHeaders);
    if (fields != null) {
      return fields;
    }
    if (request.method() == HttpMethod.CONNECT) {
      return new Refusal(
          Failure.METHOD_NOT_ALLOWED, "CONNECT is not supported: Portico is not a forward proxy.");
    }
    if (request.method() == HttpMethod.TRACE) {
      // an upstream's echo would show the client what the gateway added (credentials, identity)
      return new Refusal(Failure.METHOD_NOT_ALLOWED, "TRACE is not supported.");
    }
    long contentLength = HttpUtil.getContentLength(request, -1L);
    if (limits.maxBodySize() > 0 && contentLength > limits.maxBodySize()) {
      return new Refusal(
          Failure.BODY_TOO_LARGE,
          "The request body of "
              + contentLength
              + " bytes exceeds "
              + limits.maxBodySize()
              + " bytes.");
    }
    // the values as the decoder made them: no String per request, no iterator for a decoded map
    CharSequence host = null;
    int hosts = 0;
    if (headers instanceof KeptHeaders kept) {
      hosts = kept.count(HttpHeaderNames.HOST);
      host = hosts > 0 ? kept.get(HttpHeaderNames.HOST) : null;
    } else {
      Iterator<? extends CharSequence> values =
          headers.valueCharSequenceIterator(HttpHeaderNames.HOST);
      while (values.hasNext()) {
        CharSequence v = values.next();
        if (host == null) {
          host = v;
        }
        hosts++;
      }
    }
    if (hosts > 1) {
      return new Refusal(
          Failure.BAD_REQUEST, "A request may carry one Host header, not " + hosts + ".");
    }
    if (host == null && request.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
      return new Refusal(Failure.BAD_REQUEST, "An HTTP/1.1 request needs a Host header.");
    }
    if (host != null && !isValidHost(host)) {
      return new Refusal(Failure.BAD_REQUEST, hostRefusal("Host", host));
    }
    return null;
  }

  /**
   * Checks a request's trailers: no more fields than the head may have, none over the per-field
   * limit (their total is bounded by the decoder, as the head's).
   *
   * @return null when they are acceptable
   */
  static @Nullable Refusal checkTrailers(LastHttpContent last, LimitsConfig limits) {
    HttpHeaders trailers = last.trailingHeaders();
    if (trailers.isEmpty()) {
      return null;
    }
    if (trailers.size() > limits.maxHeaderCount()) {
      return new Refusal(
          Failure.HEADERS_TOO_LARGE, "More than " + limits.maxHeaderCount() + " trailer fields.");
    }
    Iterator<Map.Entry<CharSequence, CharSequence>> it = trailers.iteratorCharSequence();
    while (it.hasNext()) {
      Map.Entry<CharSequence, CharSequence> field = it.next();
      if (field.getKey().length() + 1 + field.getValue().length() > limits.maxHeaderFieldSize()) {
        return new Refusal(
            Failure.HEADERS_TOO_LARGE,
            "A trailer field exceeds " + limits.maxHeaderFieldSize() + " bytes.");
      }
    }
    return null;
  }

  /**
   * Drops from a request's trailers the fields a trailer may not carry ({@link #NOT_IN_TRAILERS},
   * {@code x-forwarded-*}, the gateway's identity headers, and a custom request id header), so that
   * none reaches the upstream. The other trailers pass on unchanged.
   */
  static void stripTrailers(
      LastHttpContent last, List<AsciiString> identityHeaders, AsciiString requestIdHeader) {
    HttpHeaders trailers = last.trailingHeaders();
    if (trailers.isEmpty()) {
      return;
    }
    List<String> drop = null;
    Iterator<Map.Entry<CharSequence, CharSequence>> it = trailers.iteratorCharSequence();
    while (it.hasNext()) {
      String name = it.next().getKey().toString().toLowerCase(Locale.ROOT);
      if (NOT_IN_TRAILERS.contains(name)
          || name.startsWith("x-forwarded-")
          || name.startsWith("proxy-")
          || requestIdHeader.contentEqualsIgnoreCase(name)
          || isIdentityHeader(name, identityHeaders)) {
        if (drop == null) {
          drop = new ArrayList<>();
        }
        drop.add(name);
      }
    }
    if (drop != null) {
      for (String name : drop) {
        trailers.remove(name);
      }
    }
  }

  private static boolean isIdentityHeader(String name, List<AsciiString> identityHeaders) {
    for (int i = 0, n = identityHeaders.size(); i < n; i++) {
      if (identityHeaders.get(i).contentEqualsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  /**
   * A {@code Transfer-Encoding} must be {@code chunked} alone. The decoder has refused a list that
   * does not end in {@code chunked} or names it twice; a list with other codings before it ({@code
   * identity, chunked}, {@code gzip, chunked}) is refused here: the gateway decodes none of them,
   * and an upstream that stops at a first coding it does not know may read the request as having no
   * body, and the chunks as a request of the client's own on the gateway's connection.
   */
  private static @Nullable Refusal checkTransferEncoding(HttpHeaders headers) {
    if (!headers.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
      return null;
    }
    List<String> values = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
    String value = values.size() == 1 ? values.get(0).trim() : String.join(", ", values);
    if (!value.equalsIgnoreCase("chunked")) {
      return new Refusal(
          Failure.BAD_FRAMING,
          "Transfer-Encoding: "
              + printable(value)
              + " (expected: chunked alone; no other transfer coding is accepted)");
    }
    return null;
  }

  /** Each field's size, underscore twins, and what {@code Connection} names. */
  private static @Nullable Refusal checkFields(
      HttpHeaders headers, LimitsConfig limits, List<AsciiString> identityHeaders) {
    Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
    while (it.hasNext()) {
      Map.Entry<CharSequence, CharSequence> field = it.next();
      CharSequence name = field.getKey();
      CharSequence value = field.getValue();
      if (name.length() + 1 + value.length() > limits.maxHeaderFieldSize()) {
        return new Refusal(
            Failure.HEADERS_TOO_LARGE,
            "The header field "
                + printable(name.length() > 64 ? name.subSequence(0, 64) + "..." : name)
                + " exceeds "
                + limits.maxHeaderFieldSize()
                + " bytes.");
      }
      if (AsciiString.indexOf(name, '_', 0) >= 0 && twinsInterpreted(name, identityHeaders)) {
        return new Refusal(
            Failure.BAD_REQUEST,
            "header name: "
                + printable(name)
                + " (expected: no underscores in place of the hyphens of a header the gateway"
                + " interprets)");
      }
      if (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.CONNECTION)) {
        for (String token : value.toString().split(",")) {
          String t = token.trim().toLowerCase(java.util.Locale.ROOT);
          if (NOT_HOP_BY_HOP.contains(t)) {
            return new Refusal(
                Failure.BAD_REQUEST,
                "Connection: "
                    + printable(value)
                    + " (expected: no framing or routing header, such as "
                    + t
                    + ")");
          }
        }
      }
    }
    return null;
  }

  private static boolean twinsInterpreted(CharSequence name, List<AsciiString> identityHeaders) {
    String hyphenated = name.toString().replace('_', '-').toLowerCase(java.util.Locale.ROOT);
    // "Host_" or "_Host" twin "host" for servers that trim the separator away.
    String trimmed = trimHyphens(hyphenated);
    if (INTERPRETED.contains(hyphenated) || INTERPRETED.contains(trimmed)) {
      return true;
    }
    for (int i = 0, n = identityHeaders.size(); i < n; i++) {
      AsciiString identity = identityHeaders.get(i);
      if (identity.contentEqualsIgnoreCase(hyphenated)
          || identity.contentEqualsIgnoreCase(trimmed)) {
        return true;
      }
    }
    return false;
  }

  private static String trimHyphens(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && s.charAt(start) == '-') {
      start++;
    }
    while (end > start && s.charAt(end - 1) == '-') {
      end--;
    }
    return s.substring(start, end);
  }

  /**
   * Whether {@code method} is a token (RFC 9110 5.6.2) without lower-case letters: methods are
   * case-sensitive and every registered one is upper case, so {@code get} is not {@code GET}.
   */
  static boolean isUpperCaseToken(String method) {
    if (method.isEmpty()) {
      return false;
    }
    for (int i = 0; i < method.length(); i++) {
      char c = method.charAt(i);
      boolean ok =
          (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether {@code host} is {@code uri-host [":" port]} (RFC 9110 7.2) in the forms a gateway
   * routes on: a name of letters, digits, {@code -}, {@code .}, {@code _} and {@code ~}, an IPv4
   * address, or an IPv6 address in brackets; a port of 1 to 5 digits up to 65535. Empty is accepted
   * (a request-target without authority).
   */
  static boolean isValidHost(CharSequence host) {
    if (host.length() == 0) {
      return true;
    }
    int portStart;
    if (host.charAt(0) == '[') {
      int close = indexOf(host, ']');
      if (close < 0) {
        return false;
      }
      for (int i = 1; i < close; i++) {
        char c = host.charAt(i);
        boolean ok =
            (c >= '0' && c <= '9')
                || (c >= 'a' && c <= 'f')
                || (c >= 'A' && c <= 'F')
                || c == ':'
                || c == '.';
        if (!ok) {
          return false;
        }
      }
      if (close == 1) {
        return false;
      }
      if (close == host.length() - 1) {
        return true;
      }
      if (host.charAt(close + 1) != ':') {
        return false;
      }
      portStart = close + 2;
    } else {
      int colon = indexOf(host, ':');
      int end = colon < 0 ? host.length() : colon;
      if (end == 0) {
        return false;
      }
      for (int i = 0; i < end; i++) {
        char c = host.charAt(i);
        boolean ok =
            (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || c == '-'
                || c == '.'
                || c == '_'
                || c == '~';
        if (!ok || (c == '.' && (i == 0 || host.charAt(i - 1) == '.'))) {
          // an empty label: "a..b", ".a", "a..": an upstream that drops the dots would read a
          // name no route matched (only one trailing dot, a fully qualified name, is accepted)
          return false;
        }
      }
      if (colon < 0) {
        return true;
      }
      portStart = colon + 1;
    }
    int digits = host.length() - portStart;
    if (digits < 1 || digits > 5) {
      return false;
    }
    int port = 0;
    for (int i = portStart; i < host.length(); i++) {
      char c = host.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
      port = port * 10 + (c - '0');
    }
    return port <= 65535;
  }

  /** Why {@code host}, read from {@code where}, is refused. */
  static String hostRefusal(String where, CharSequence host) {
    return where
        + ": "
        + printable(host)
        + " (expected: a host name, IPv4 address or [IPv6 address], and an optional port"
        + " 0-65535)";
  }

  private static int indexOf(CharSequence s, char c) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == c) {
        return i;
      }
    }
    return -1;
  }

  /** {@code s} quoted for a message, with anything outside printable ASCII escaped. */
  private static String printable(CharSequence s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length() && i < 200; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
        b.append(c);
      } else {
        b.append(String.format("\\x%02x", (int) c));
      }
    }
    return b.append('"').toString();
  }

  /** What a decoder failure says, for a client. */
  static String describe(Throwable cause) {
    String m = cause == null ? null : cause.getMessage();
    return m == null ? "invalid HTTP/1.1 framing" : m;
  }

  /**
   * Writes a declared {@code Content-Length} in canonical digits ({@code 010} is {@code 10}), and
   * {@code Transfer-Encoding} as {@code chunked}, so no upstream reads the framing differently.
   */
  static void canonicalizeLength(HttpRequest request) {
    HttpHeaders headers = request.headers();
    if (headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
      headers.set(
          HttpHeaderNames.CONTENT_LENGTH, Long.toString(HttpUtil.getContentLength(request, 0L)));
    } else {
      // "Chunked" was accepted as chunked (check): the upstream reads the one spelling
      String codings = headers.get(HttpHeaderNames.TRANSFER_ENCODING);
      if (codings != null && !codings.equals("chunked")) {
        headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      }
    }
  }

  /**
   * Whether the request may switch protocols: only a GET without a body on HTTP/1.1 (RFC 6455 4.1,
   * RFC 9110 7.8), to a protocol other than HTTP/2; any other request asking for it is forwarded as
   * a plain request, its {@code Upgrade} removed.
   *
   * <p>An upgrade to HTTP/2 ({@code h2c}, or {@code h2}) is the gateway's own to make, on a
   * listener that offers it; relayed to an upstream that accepts it, it would give the client an
   * HTTP/2 connection to the upstream on which every request bypasses routing and plugins ("h2c
   * smuggling").
   */
  static boolean mayUpgrade(HttpRequest request) {
    HttpHeaders headers = request.headers();
    return headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
        && headers.contains(HttpHeaderNames.UPGRADE)
        && request.method() == HttpMethod.GET
        && request.protocolVersion().equals(HttpVersion.HTTP_1_1)
        && !HttpUtil.isTransferEncodingChunked(request)
        && HttpUtil.getContentLength(request, 0L) == 0
        && !upgradesToHttp2(headers);
  }

  /**
   * Whether an {@code Upgrade} protocol is {@code h2c} or {@code h2}, with or without a version.
   */
  private static boolean upgradesToHttp2(HttpHeaders headers) {
    for (String value : headers.getAll(HttpHeaderNames.UPGRADE)) {
      for (String token : value.split(",")) {
        String protocol = token.trim();
        int slash = protocol.indexOf('/');
        if (slash >= 0) {
          protocol = protocol.substring(0, slash).trim();
        }
        if (protocol.equalsIgnoreCase("h2c") || protocol.equalsIgnoreCase("h2")) {
          return true;
        }
      }
    }
    return false;
  }
}
