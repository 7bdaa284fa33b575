package io.portico.testkit;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the {@link Origin} answers to a request. Immutable: each {@code with...} returns a new
 * reply.
 *
 * <pre>{@code
 * origin.answer(request -> OriginReply.text(200, "hello").withHeader("Cache-Control", "no-store"));
 * }</pre>
 */
public final class OriginReply {

  private final int status;
  private final List<Map.Entry<String, String>> headers;
  private final byte[] body;
  private final Duration delay;

  private OriginReply(
      int status, List<Map.Entry<String, String>> headers, byte[] body, Duration delay) {
    this.status = status;
    this.headers = List.copyOf(headers);
    this.body = body;
    this.delay = delay;
  }

  /** A response with this status and no body. */
  public static OriginReply status(int status) {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("status: " + status + " (expected: 100 to 599)");
    }
    return new OriginReply(status, List.of(), new byte[0], Duration.ZERO);
  }

  /** A {@code text/plain; charset=utf-8} response. */
  public static OriginReply text(int status, String body) {
    return status(status).withBody("text/plain; charset=utf-8", body);
  }

  /** This reply with one more header value. */
  public OriginReply withHeader(String name, String value) {
    List<Map.Entry<String, String>> more = new ArrayList<>(headers);
    more.add(Map.entry(name, value));
    return new OriginReply(status, more, body, delay);
  }

  /** This reply with {@code body} (UTF-8) and a {@code Content-Type}. */
  public OriginReply withBody(String contentType, String body) {
    return withBody(contentType, body.getBytes(StandardCharsets.UTF_8));
  }

  /** This reply with {@code body} (copied) and a {@code Content-Type}. */
  public OriginReply withBody(String contentType, byte[] body) {
    return new OriginReply(status, headers, body.clone(), delay)
        .withHeader("Content-Type", contentType);
  }

  /** This reply, sent after {@code delay} (for timeouts and requests in flight). */
  public OriginReply withDelay(Duration delay) {
    return new OriginReply(status, headers, body, delay);
  }

  public int statusCode() {
    return status;
  }

  /** The headers in the order they were added, a name once per value. */
  public List<Map.Entry<String, String>> headers() {
    return headers;
  }

  public byte[] body() {
    return body.clone();
  }

  public Duration delay() {
    return delay;
  }
}
