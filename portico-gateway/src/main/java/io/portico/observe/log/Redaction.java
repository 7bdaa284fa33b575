package io.portico.observe.log;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.Locale;
import java.util.Set;

/**
 * Which header and query parameter values never reach a sink: their names (compared without letter
 * case; query names after percent-decoding) are kept, their values replaced by {@code replacement}.
 */
final class Redaction {

  private final Set<String> headers;
  private final Set<String> query;
  private final String replacement;

  /**
   * @param headers header names, lower case
   * @param query query parameter names, lower case
   */
  Redaction(Set<String> headers, Set<String> query, String replacement) {
    this.headers = headers;
    this.query = query;
    this.replacement = replacement;
  }

  boolean header(CharSequence name) {
    return headers.contains(name.toString().toLowerCase(Locale.ROOT));
  }

  String replacement() {
    return replacement;
  }

  /** The raw query with the values of secret parameters replaced, names and order kept. */
  String query(String raw) {
    StringBuilder out = new StringBuilder(raw.length());
    int start = 0;
    while (start <= raw.length()) {
      int amp = raw.indexOf('&', start);
      int end = amp < 0 ? raw.length() : amp;
      String pair = raw.substring(start, end);
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      if (start > 0) {
        out.append('&');
      }
      if (eq >= 0 && secretParameter(name)) {
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

  private boolean secretParameter(String rawName) {
    String name;
    try {
      name = QueryStringDecoder.decodeComponent(rawName);
    } catch (IllegalArgumentException e) {
      name = rawName;
    }
    return query.contains(name.toLowerCase(Locale.ROOT));
  }
}
