package io.portico.testkit;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A request as the {@link Origin} received it from the gateway.
 *
 * @param method the request method, e.g. {@code GET}
 * @param uri the request target as received: the path and query the gateway forwarded
 * @param headers every header, by lower-case name, values in the order received
 * @param body the whole request body; empty when there was none
 */
public record RecordedRequest(
    String method, String uri, Map<String, List<String>> headers, byte[] body) {

  public RecordedRequest {
    headers = Map.copyOf(headers);
    body = body.clone();
  }

  /** The path of {@link #uri()}, without the query. */
  public String path() {
    int q = uri.indexOf('?');
    return q < 0 ? uri : uri.substring(0, q);
  }

  /** The first value of the header {@code name} (any case), or null when it was not sent. */
  public String header(String name) {
    List<String> values = headers(name);
    return values.isEmpty() ? null : values.get(0);
  }

  /** Every value of the header {@code name} (any case); empty when it was not sent. */
  public List<String> headers(String name) {
    return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
  }

  /** The body as UTF-8 text. */
  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  @Override
  public byte[] body() {
    return body.clone();
  }
}
