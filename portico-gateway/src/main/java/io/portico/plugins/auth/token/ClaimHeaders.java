package io.portico.plugins.auth.token;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Copies chosen token claims to upstream headers ({@code claims-to-headers}): strings as they are,
 * lists joined with commas, other values as JSON text. Client-supplied copies of those headers are
 * removed first, so an upstream can trust them. Immutable.
 */
final class ClaimHeaders {

  private final Map<String, AsciiString> headers;
  private final Set<String> names;

  /** {@code headers}: claim name to the header that carries it upstream. */
  ClaimHeaders(Map<String, AsciiString> headers) {
    this.headers = Map.copyOf(headers);
    this.names =
        headers.values().stream()
            .map(AsciiString::toString)
            .collect(Collectors.toUnmodifiableSet());
  }

  /** The names of the headers that carry claims upstream. */
  Set<String> names() {
    return names;
  }

  /** Removes every claim header the client may have sent. */
  void strip(HttpHeaders request) {
    for (AsciiString name : headers.values()) {
      request.remove(name);
    }
  }

  /** Strips client copies, then sets the headers of the claims that are present. */
  void forward(Map<String, Object> claims, HttpHeaders request) {
    strip(request);
    for (Map.Entry<String, AsciiString> e : headers.entrySet()) {
      String value = ClaimValues.text(claims.get(e.getKey()));
      if (value != null) {
        request.set(e.getValue(), value);
      }
    }
  }
}
