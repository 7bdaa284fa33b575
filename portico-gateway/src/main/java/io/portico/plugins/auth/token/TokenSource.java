package io.portico.plugins.auth.token;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.QueryStringEncoder;
import io.netty.handler.codec.http.cookie.ClientCookieEncoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.util.AsciiString;
import io.portico.plugins.auth.AuthSettings;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.plugin.Exchange;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Where a bearer token is read from: a header (by default {@code Authorization} with the {@code
 * Bearer} scheme, matched case-insensitively), a cookie, a query parameter, tried in that order. A
 * request that carries the token in more than one place, or repeats the header, is malformed (RFC
 * 6750 section 2). An {@code Authorization} header of another scheme ({@code Basic}, for instance)
 * is not a token: it belongs to another authentication method on the same route.
 *
 * @param header the header, or null to not read one
 * @param bearerScheme whether the header value has the {@code Bearer} scheme prefix
 * @param cookie the cookie's name, or null
 * @param query the query parameter's name, or null
 * @param auth the shared settings: {@code anonymous}, and {@code hide-credentials} (the token is
 *     removed from the request before it is forwarded)
 */
record TokenSource(
    @Nullable AsciiString header,
    boolean bearerScheme,
    @Nullable String cookie,
    @Nullable String query,
    AuthSettings auth) {

  /** What was found in a request. */
  sealed interface Found permits Token, Missing, Malformed {}

  /** One token, and where it was. */
  record Token(String value, Place place) implements Found {}

  /** No token anywhere. */
  enum Missing implements Found {
    INSTANCE
  }

  /** More than one token, or a {@code Bearer} credential without a well-formed token. */
  enum Malformed implements Found {
    INSTANCE
  }

  enum Place {
    HEADER,
    COOKIE,
    QUERY
  }

  /**
   * Reads {@code header}, {@code cookie}, {@code query}, {@code anonymous} and {@code
   * hide-credentials}.
   */
  static TokenSource parse(ConfigReader r) {
    String header = r.string("header", "Authorization");
    String cookie = r.string("cookie", null);
    String query = r.string("query", null);
    AuthSettings auth = AuthSettings.parse(r);
    boolean none = header.isEmpty() && cookie == null && query == null;
    if (none) {
      r.problems().at(r.node(), "no token source (expected: header, cookie or query)");
    }
    AsciiString name = header.isEmpty() ? null : AsciiString.of(header).toLowerCase();
    boolean scheme = name != null && name.contentEqualsIgnoreCase(HttpHeaderNames.AUTHORIZATION);
    return new TokenSource(name, scheme, cookie, query, auth);
  }

  /** The header this source reads, as a set of zero or one name. */
  Set<String> headerNames() {
    return header == null ? Set.of() : Set.of(header.toString());
  }

  /** The query parameter this source reads, as a set of zero or one name. */
  Set<String> queryNames() {
    return query == null ? Set.of() : Set.of(query);
  }

  Found find(Exchange exchange) {
    HttpHeaders headers = exchange.request().headers();
    List<Token> found = new ArrayList<>(1);
    if (header != null) {
      List<String> values = headers.getAll(header);
      if (values.size() > 1) {
        return Malformed.INSTANCE;
      }
      if (values.size() == 1 && (!bearerScheme || isBearer(values.get(0)))) {
        String token = bearerScheme ? bearer(values.get(0)) : values.get(0).trim();
        if (token == null || token.isEmpty()) {
          return Malformed.INSTANCE;
        }
        found.add(new Token(token, Place.HEADER));
      }
    }
    if (cookie != null) {
      for (String value : headers.getAll(HttpHeaderNames.COOKIE)) {
        for (Cookie c : ServerCookieDecoder.LAX.decodeAll(value)) {
          if (c.name().equals(cookie) && !c.value().isEmpty()) {
            found.add(new Token(c.value(), Place.COOKIE));
          }
        }
      }
    }
    if (query != null) {
      List<String> values = exchange.queryParameters().get(query);
      if (values != null) {
        for (String v : values) {
          found.add(new Token(v, Place.QUERY));
        }
      }
    }
    if (found.isEmpty()) {
      return Missing.INSTANCE;
    }
    return found.size() == 1 ? found.get(0) : Malformed.INSTANCE;
  }

  /** Whether a credential has the {@code Bearer} scheme (matched case-insensitively). */
  static boolean isBearer(String value) {
    String v = value.trim();
    return v.regionMatches(true, 0, "Bearer", 0, 6) && (v.length() == 6 || v.charAt(6) == ' ');
  }

  /** The token of a {@code Bearer} credential (scheme matched case-insensitively), or null. */
  static @Nullable String bearer(String value) {
    String v = value.trim();
    if (v.length() < 7 || !v.regionMatches(true, 0, "Bearer", 0, 6) || v.charAt(6) != ' ') {
      return null;
    }
    String token = v.substring(7).trim();
    return token.indexOf(' ') >= 0 ? null : token;
  }

  /** Removes the named cookies from a request's {@code Cookie} headers, keeping the others. */
  static void removeCookies(HttpHeaders headers, Set<String> names) {
    List<Cookie> kept = new ArrayList<>();
    boolean removed = false;
    for (String value : headers.getAll(HttpHeaderNames.COOKIE)) {
      for (Cookie c : ServerCookieDecoder.LAX.decodeAll(value)) {
        if (names.contains(c.name())) {
          removed = true;
        } else {
          kept.add(c);
        }
      }
    }
    if (!removed) {
      return;
    }
    headers.remove(HttpHeaderNames.COOKIE);
    if (!kept.isEmpty()) {
      headers.set(HttpHeaderNames.COOKIE, ClientCookieEncoder.LAX.encode(kept));
    }
  }

  /** The value of the named cookie, or null. */
  static @Nullable String cookie(HttpHeaders headers, String name) {
    for (String value : headers.getAll(HttpHeaderNames.COOKIE)) {
      for (Cookie c : ServerCookieDecoder.LAX.decodeAll(value)) {
        if (c.name().equals(name)) {
          return c.value();
        }
      }
    }
    return null;
  }

  /** Removes the request's token from the forwarded request. */
  void hide(Exchange exchange) {
    if (!(find(exchange) instanceof Token token)) {
      return;
    }
    HttpHeaders headers = exchange.request().headers();
    switch (token.place()) {
      case HEADER -> headers.remove(header);
      case COOKIE -> removeCookies(headers, Set.of(cookie));
      case QUERY -> {
        QueryStringDecoder decoder =
            new QueryStringDecoder(
                exchange.forwardPath(), java.nio.charset.StandardCharsets.UTF_8, true, 1024, true);
        QueryStringEncoder encoder = new QueryStringEncoder(decoder.rawPath());
        for (Map.Entry<String, List<String>> e : decoder.parameters().entrySet()) {
          if (!e.getKey().equals(query)) {
            for (String v : e.getValue()) {
              encoder.addParam(e.getKey(), v);
            }
          }
        }
        exchange.forwardPath(encoder.toString());
      }
    }
  }
}
