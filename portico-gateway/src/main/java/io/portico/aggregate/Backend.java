package io.portico.aggregate;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringEncoder;
import io.portico.config.BackendBody;
import io.portico.config.BackendConfig;
import io.portico.spi.plugin.Exchange;
import io.portico.template.BackendBodies;
import io.portico.template.Encodings;
import io.portico.template.Template;
import io.portico.template.Variable;
import io.portico.upstream.UpstreamService;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One backend of an {@link AggregatePlan}, compiled: its service, the templates of the request made
 * to it (method, path, headers, query, body, compiled at load time and rendered per call), its
 * deadline, the backends it waits for, and its {@link Shaping}. Immutable; shared by every exchange
 * of its snapshot.
 */
final class Backend {

  /**
   * The rendered method is not an HTTP method, or the rendered path has a dot segment: the backend
   * fails without a call.
   */
  static final class InvalidRequest extends Exception {
    InvalidRequest(String message) {
      super(message, null, false, false);
    }
  }

  private final String name;
  private final UpstreamService service;
  private final Template method;
  private final @Nullable HttpMethod constantMethod;
  private final Template path;
  private final Map<String, Template> query;
  private final Map<String, Template> headers;
  private final @Nullable BackendBody body;
  private final long timeoutNanos;
  private final boolean required;
  private final int[] after;
  private final Shaping shaping;
  private final boolean readsRequestBody;

  Backend(BackendConfig config, UpstreamService service, int[] after) {
    this.name = config.name();
    this.service = service;
    this.method = config.method();
    this.constantMethod = method.isConstant() ? HttpMethod.valueOf(method.text()) : null;
    this.path = config.path();
    this.query = config.query();
    this.headers = config.headers();
    this.body = config.body();
    this.timeoutNanos = config.timeout() == null ? Long.MAX_VALUE : config.timeout().toNanos();
    this.required = config.required();
    this.after = after.clone();
    this.shaping = new Shaping(config.merge());
    boolean[] reads = {usesBody(method) || usesBody(path)};
    query.values().forEach(t -> reads[0] |= usesBody(t));
    headers.values().forEach(t -> reads[0] |= usesBody(t));
    if (body != null) {
      body.templates(t -> reads[0] |= usesBody(t));
    }
    this.readsRequestBody = reads[0];
  }

  private static boolean usesBody(Template t) {
    return t.variables().contains(Variable.BODY);
  }

  String name() {
    return name;
  }

  UpstreamService service() {
    return service;
  }

  /** The backend's own deadline from its start, or {@code Long.MAX_VALUE} for none. */
  long timeoutNanos() {
    return timeoutNanos;
  }

  boolean required() {
    return required;
  }

  /** The indexes (in the plan) of the backends this one waits for. */
  int[] after() {
    return after;
  }

  Shaping shaping() {
    return shaping;
  }

  /** Whether a template of the request reads the client's body ({@code ${body...}}). */
  boolean readsRequestBody() {
    return readsRequestBody;
  }

  /**
   * The request for one call, rendered for {@code exchange}: a fresh head (the call's attempts may
   * edit it) and the body bytes (null for none).
   */
  Request render(Exchange exchange, @Nullable JsonNode requestBody, BackendBodies backends)
      throws InvalidRequest {
    HttpMethod m = constantMethod;
    if (m == null) {
      String text = method.renderString(exchange, requestBody, backends);
      if (!Encodings.isToken(text) || text.equals("CONNECT") || text.equals("TRACE")) {
        throw new InvalidRequest(
            "The method rendered from \"" + method.text() + "\" is not an HTTP method.");
      }
      m = HttpMethod.valueOf(text);
    }
    StringBuilder uri = new StringBuilder(64);
    path.render(exchange, requestBody, backends, uri);
    if (!path.isConstant() && Encodings.hasDotSegment(uri)) {
      throw new InvalidRequest(
          "The path rendered from \"" + path.text() + "\" has a dot segment (. or ..).");
    }
    if (!query.isEmpty()) {
      // A value that renders empty (missing, without a default) leaves its parameter out, as an
      // empty header value leaves its header out.
      QueryStringEncoder encoder = new QueryStringEncoder("");
      boolean any = false;
      for (Map.Entry<String, Template> e : query.entrySet()) {
        String value = e.getValue().renderString(exchange, requestBody, backends);
        if (!value.isEmpty()) {
          encoder.addParam(e.getKey(), value);
          any = true;
        }
      }
      if (any) {
        String encoded = encoder.toString();
        uri.append(uri.indexOf("?") < 0 ? '?' : '&').append(encoded, 1, encoded.length());
      }
    }
    HttpHeaders h = new DefaultHttpHeaders();
    for (Map.Entry<String, Template> e : headers.entrySet()) {
      String value = e.getValue().renderString(exchange, requestBody, backends);
      if (!value.isEmpty()) {
        h.set(e.getKey(), value);
      }
    }
    BackendBody b = body;
    byte[] bytes = b == null ? null : b.render(exchange, requestBody, backends);
    if (b != null && bytes != null) {
      if (!h.contains(HttpHeaderNames.CONTENT_TYPE)) {
        h.set(HttpHeaderNames.CONTENT_TYPE, b.contentType());
      }
      h.setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    } else if (m == HttpMethod.POST || m == HttpMethod.PUT || m == HttpMethod.PATCH) {
      h.set(HttpHeaderNames.CONTENT_LENGTH, "0");
    }
    return new Request(new DefaultHttpRequest(HttpVersion.HTTP_1_1, m, uri.toString(), h), bytes);
  }

  /** A rendered request: its head and its body bytes, or null for none. */
  record Request(HttpRequest head, byte @Nullable [] body) {}
}
