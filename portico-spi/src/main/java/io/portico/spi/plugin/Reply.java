package io.portico.spi.plugin;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.ReadOnlyHttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A local answer from a request phase: the upstream is not called and the RESPONSE and LOG phases
 * still run. Either a plain response ({@link #of}) or an RFC 9457 problem ({@link #problem}), which
 * the gateway renders as {@code application/problem+json} with the request id.
 *
 * <p>Immutable: {@link #withHeader} and {@link #withHeaders} return a new reply, so a plugin may
 * build a reply once, when it is created, and return the same instance from every exchange:
 *
 * <pre>{@code
 * private static final Reply UNAVAILABLE =
 *     Reply.problem(SERVICE_UNAVAILABLE, "maintenance", "Maintenance", "Back soon.")
 *         .withHeader("Retry-After", 120);
 * }</pre>
 *
 * <p>A refusal may carry a {@link #reason()}: a short machine-readable code ({@code jwt_expired},
 * {@code key_unknown}) that the gateway writes to the access log's {@code failure} field and to the
 * {@code reason} tag of the rejected-requests metric, and never sends to the client. Codes are
 * {@code snake_case} ASCII; a plugin should use a small fixed set of them (they become metric
 * tags), never a value taken from the request:
 *
 * <pre>{@code
 * private static final Reply EXPIRED =
 *     Reply.problem(UNAUTHORIZED, "authentication-required", "Unauthorized", "...")
 *         .withReason("token_expired");
 * }</pre>
 */
public final class Reply implements Outcome {

  private static final byte[] EMPTY = new byte[0];
  private static final HttpHeaders NO_HEADERS = new ReadOnlyHttpHeaders(false);

  private final HttpResponseStatus status;
  private final HttpHeaders headers;
  private final byte[] body;
  private final @Nullable ProblemDetail problem;
  private final @Nullable String reason;

  private Reply(
      HttpResponseStatus status,
      HttpHeaders headers,
      byte[] body,
      @Nullable ProblemDetail problem,
      @Nullable String reason) {
    this.status = StatusReasons.standard(status);
    this.headers = headers;
    this.body = body;
    this.problem = problem;
    this.reason = reason;
  }

  /** A response with an empty body. */
  public static Reply of(HttpResponseStatus status) {
    return new Reply(status, NO_HEADERS, EMPTY, null, null);
  }

  /** A response with a body (copied) and its content type. */
  public static Reply of(HttpResponseStatus status, String contentType, byte[] body) {
    return new Reply(status, NO_HEADERS, body.clone(), null, null)
        .withHeader("content-type", contentType);
  }

  /** A UTF-8 text response. */
  public static Reply text(HttpResponseStatus status, String body) {
    return of(status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A problem response. {@code type} is a stable identifier (a URI or a short slug that the gateway
   * turns into {@code https://portico.dev/problems/<slug>}).
   */
  public static Reply problem(HttpResponseStatus status, String type, String title, String detail) {
    return new Reply(
        status,
        NO_HEADERS,
        EMPTY,
        new ProblemDetail(type, StatusReasons.title(status, title), detail),
        null);
  }

  /**
   * This reply with one more header value (a header may have several, such as {@code
   * WWW-Authenticate}). The value is converted as {@link HttpHeaders#add(CharSequence, Object)}
   * does; a name or value that is not valid in HTTP is refused.
   *
   * @throws IllegalArgumentException when the name or value is not valid in a header
   */
  public Reply withHeader(CharSequence name, Object value) {
    HttpHeaders more = new DefaultHttpHeaders();
    more.add(name, value);
    return withHeaders(more);
  }

  /**
   * This reply with every value of {@code more} added (for headers built together, such as a CORS
   * preflight's). {@code more} is copied; later changes to it do not change the reply.
   */
  public Reply withHeaders(HttpHeaders more) {
    if (more.isEmpty()) {
      return this;
    }
    List<CharSequence> pairs = new ArrayList<>(2 * (headers.size() + more.size()));
    for (HttpHeaders from : List.of(headers, more)) {
      Iterator<Map.Entry<CharSequence, CharSequence>> it = from.iteratorCharSequence();
      while (it.hasNext()) {
        Map.Entry<CharSequence, CharSequence> header = it.next();
        pairs.add(header.getKey());
        pairs.add(header.getValue());
      }
    }
    HttpHeaders frozen = new ReadOnlyHttpHeaders(false, pairs.toArray(CharSequence[]::new));
    return new Reply(status, frozen, body, problem, reason);
  }

  /**
   * This reply with {@code reason}, the machine-readable code of why the request was refused (see
   * the class description). The client never sees it.
   *
   * @throws IllegalArgumentException when {@code reason} is not 1 to 64 characters of {@code
   *     [a-z0-9_]} starting with a letter
   */
  public Reply withReason(String reason) {
    if (!validReason(reason)) {
      throw new IllegalArgumentException(
          "a reply's reason is 1 to 64 characters of a-z, 0-9 and _, starting with a letter");
    }
    return new Reply(status, headers, body, problem, reason);
  }

  /** Why the request was refused (for the access log and metrics), or null when not given. */
  public @Nullable String reason() {
    return reason;
  }

  private static boolean validReason(String reason) {
    int n = reason.length();
    if (n == 0 || n > 64 || reason.charAt(0) < 'a' || reason.charAt(0) > 'z') {
      return false;
    }
    for (int i = 1; i < n; i++) {
      char c = reason.charAt(i);
      if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '_') {
        return false;
      }
    }
    return true;
  }

  public HttpResponseStatus status() {
    return status;
  }

  /** The reply's headers, read-only: changing them throws {@link UnsupportedOperationException}. */
  public HttpHeaders headers() {
    return headers;
  }

  /** A copy of the body; empty for a problem, whose body the gateway renders. */
  public byte[] body() {
    return body.length == 0 ? EMPTY : body.clone();
  }

  /** The problem to render, or null for a plain reply. */
  public @Nullable ProblemDetail problem() {
    return problem;
  }

  /** The fields of an RFC 9457 problem, without {@code status} and {@code instance}. */
  public record ProblemDetail(String type, String title, String detail) {}
}
