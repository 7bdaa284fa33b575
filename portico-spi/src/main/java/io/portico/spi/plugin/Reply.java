package io.portico.spi.plugin;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;

/**
 * A local answer from a request phase: the upstream is not called and the RESPONSE and LOG phases
 * still run. Either a plain response ({@link #of}) or an RFC 9457 problem ({@link #problem}), which
 * the gateway renders as {@code application/problem+json} with the request id.
 */
public final class Reply implements Outcome {

  private final HttpResponseStatus status;
  private final HttpHeaders headers;
  private final byte[] body;
  private final ProblemDetail problem;

  private Reply(
      HttpResponseStatus status, HttpHeaders headers, byte[] body, ProblemDetail problem) {
    this.status = status;
    this.headers = headers;
    this.body = body;
    this.problem = problem;
  }

  /** A response with an empty body. */
  public static Reply of(HttpResponseStatus status) {
    return new Reply(status, new DefaultHttpHeaders(), new byte[0], null);
  }

  /** A response with a body and its content type. */
  public static Reply of(HttpResponseStatus status, String contentType, byte[] body) {
    Reply r = new Reply(status, new DefaultHttpHeaders(), body, null);
    r.headers.set("content-type", contentType);
    return r;
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
        status, new DefaultHttpHeaders(), new byte[0], new ProblemDetail(type, title, detail));
  }

  /** Adds a header to the reply; returns this for chaining. */
  public Reply header(CharSequence name, Object value) {
    headers.add(name, value);
    return this;
  }

  public HttpResponseStatus status() {
    return status;
  }

  public HttpHeaders headers() {
    return headers;
  }

  public byte[] body() {
    return body;
  }

  /** The problem to render, or null for a plain reply. */
  public ProblemDetail problem() {
    return problem;
  }

  /** The fields of an RFC 9457 problem, without {@code status} and {@code instance}. */
  public record ProblemDetail(String type, String title, String detail) {}
}
