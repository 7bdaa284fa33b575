package io.portico.observe.log;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.Locale;
import java.util.Set;

/**
 * Which header, query parameter and body field values never reach a sink: their names (compared
 * without letter case; query and form names after percent-decoding) are kept, their values replaced
 * by {@code replacement}. Captured bodies are redacted by {@link BodyText}.
 */
final class Redaction {

  private final Set<String> headers;
  private final Set<String> query;
  private final Set<String> body;
  private final String replacement;

  /**
   * @param headers header names, lower case
   * @param query query parameter names, lower case
   */
  Redaction(Set<String> headers, Set<String> query, String replacement) {
    this(headers, query, io.portico.config.AccessLogConfig.DEFAULT_REDACT_BODY, replacement);
  }

  /**
   * @param body JSON member and form field names of captured bodies, lower case
   */
  Redaction(Set<String> headers, Set<String> query, Set<String> body, String replacement) {
    this.headers = headers;
    this.query = query;
    this.body = body;
    this.replacement = replacement;
  }

  /**
   * This redaction with {@code headers} and {@code query} added: the places where the plugins of
   * the active config read credentials ({@link io.portico.spi.plugin.CredentialPlaces}).
   *
   * @param headers header names, any letter case
   * @param query query parameter names, any letter case
   */
  Redaction with(Set<String> headers, Set<String> query) {
    return new Redaction(union(this.headers, headers), union(this.query, query), body, replacement);
  }

  private static Set<String> union(Set<String> base, Set<String> more) {
    if (more.isEmpty()) {
      return base;
    }
    java.util.HashSet<String> all = new java.util.HashSet<>(base);
    for (String name : more) {
      all.add(name.toLowerCase(Locale.ROOT));
    }
    return Set.copyOf(all);
  }

  /**
   * A URL (a {@code Referer}, a {@code Location}) with the values of secret parameters replaced in
   * its query and in a fragment of pairs: a page that was opened with {@code ?apikey=...} sends its
   * whole URL along with its next requests, and an OAuth redirect carries {@code
   * #access_token=...}.
   */
  String url(String url) {
    int hash = url.indexOf('#');
    int q = url.indexOf('?');
    if (hash >= 0 && q > hash) {
      q = -1;
    }
    if (q < 0 && hash < 0) {
      return url;
    }
    int end = hash < 0 ? url.length() : hash;
    StringBuilder out = new StringBuilder(url.length());
    if (q < 0) {
      out.append(url, 0, end);
    } else {
      out.append(url, 0, q + 1).append(pairs(url.substring(q + 1, end), query));
    }
    if (hash >= 0) {
      out.append('#').append(pairs(url.substring(hash + 1), query));
    }
    return out.toString();
  }

  /** Whether the value of a body's JSON member or form field {@code name} is redacted. */
  boolean bodyField(String name) {
    return body.contains(name.toLowerCase(Locale.ROOT));
  }

  boolean header(CharSequence name) {
    return headers.contains(name.toString().toLowerCase(Locale.ROOT));
  }

  String replacement() {
    return replacement;
  }

  /** The raw query with the values of secret parameters replaced, names and order kept. */
  String query(String raw) {
    return pairs(raw, query);
  }

  /** A form body ({@code a=1&b=2}) with the values of secret fields replaced. */
  String form(String raw) {
    return pairs(raw, body);
  }

  /**
   * Both {@code &} and {@code ;} end a pair here: the gateway reads {@code &} alone, but an
   * upstream (or a log reader) that splits at {@code ;} would find {@code apikey} in {@code
   * a=1;apikey=k}, so its value is redacted too.
   */
  private String pairs(String raw, Set<String> secret) {
    StringBuilder out = new StringBuilder(raw.length());
    int start = 0;
    while (start <= raw.length()) {
      int amp = separator(raw, start);
      int end = amp < 0 ? raw.length() : amp;
      String pair = raw.substring(start, end);
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      if (start > 0) {
        out.append(raw.charAt(start - 1));
      }
      if (eq >= 0 && secretParameter(name, secret)) {
        out.append(name).append('=').append(replacement);
      } else {
        out.append(pair);
      }
      if (amp < 0) {
        break;
      }
      start = amp + 1;
    }
    return out.toString();
  }

  private static int separator(String raw, int from) {
    for (int i = from; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '&' || c == ';') {
        return i;
      }
    }
    return -1;
  }

  private static boolean secretParameter(String rawName, Set<String> secret) {
    String name;
    try {
      name = QueryStringDecoder.decodeComponent(rawName);
    } catch (IllegalArgumentException e) {
      name = rawName;
    }
    return secret.contains(name.toLowerCase(Locale.ROOT).trim());
  }
}
