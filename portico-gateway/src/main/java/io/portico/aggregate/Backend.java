package io.portico.aggregate;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringEncoder;
import io.portico.config.BackendConfig;
import io.portico.upstream.UpstreamService;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One backend of an {@link AggregatePlan}, compiled: its service, the request made to it (head
 * fields prepared once, copied per call), its deadline, the backends it waits for, and its {@link
 * Shaping}. Immutable; shared by every exchange of its snapshot.
 */
final class Backend {

  private final String name;
  private final UpstreamService service;
  private final HttpMethod method;
  private final String uri;
  private final HttpHeaders headers;
  private final byte @Nullable [] body;
  private final long timeoutNanos;
  private final boolean required;
  private final int[] after;
  private final Shaping shaping;

  Backend(BackendConfig config, UpstreamService service, int[] after) {
    this.name = config.name();
    this.service = service;
    this.method = HttpMethod.valueOf(config.method());
    this.uri = uri(config.path(), config.query());
    this.body = config.body();
    HttpHeaders h = new DefaultHttpHeaders();
    config.headers().forEach(h::set);
    if (body != null) {
      if (!h.contains(HttpHeaderNames.CONTENT_TYPE)) {
        h.set(HttpHeaderNames.CONTENT_TYPE, config.bodyContentType());
      }
      h.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    } else if (method == HttpMethod.POST
        || method == HttpMethod.PUT
        || method == HttpMethod.PATCH) {
      h.set(HttpHeaderNames.CONTENT_LENGTH, "0");
    }
    this.headers = h;
    this.timeoutNanos = config.timeout() == null ? Long.MAX_VALUE : config.timeout().toNanos();
    this.required = config.required();
    this.after = after.clone();
    this.shaping = new Shaping(config.merge());
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

  byte @Nullable [] body() {
    return body;
  }

  String method() {
    return method.name();
  }

  String uri() {
    return uri;
  }

  /** A fresh request head for one call (the call's attempts may edit it). */
  HttpRequest newHead() {
    return new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri, headers.copy());
  }

  private static String uri(String path, Map<String, String> query) {
    if (query.isEmpty()) {
      return path;
    }
    QueryStringEncoder encoder = new QueryStringEncoder("");
    query.forEach(encoder::addParam);
    String params = encoder.toString().substring(1);
    return path + (path.indexOf('?') < 0 ? "?" : "&") + params;
  }
}
