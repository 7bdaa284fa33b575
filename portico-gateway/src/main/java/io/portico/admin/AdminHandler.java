package io.portico.admin;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.portico.snapshot.Snapshot;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;

/**
 * Serves the admin endpoints:
 *
 * <ul>
 *   <li>{@code GET /status}: liveness, always 200 while the process runs; with each service's
 *       endpoint source and how fresh its endpoints are ({@link DiscoveryStatus}), and each
 *       access-log sink's counts (queued, delivered, dropped, failed)
 *   <li>{@code GET /ready}: 200 while the gateway takes traffic, 503 while it drains
 *   <li>{@code GET /metrics}: the gateway's metrics for Prometheus ({@link MetricsEndpoint})
 *   <li>{@code GET /config}: the active config as JSON, secrets redacted, with its version
 *   <li>{@code GET /routes}: the compiled routes in config order with their plugin chains
 *   <li>{@code POST /reload}: reloads the config file; 200 when applied, 422 with every problem
 *       when rejected (the running config keeps serving)
 *   <li>{@code /alerts}: alert states and silences ({@link AlertsEndpoint})
 * </ul>
 *
 * This class checks every request and dispatches it; each resource is answered by its own class:
 * {@link StatusEndpoint}, {@link ConfigEndpoint}, {@link RoutesEndpoint}, {@link ReloadEndpoint},
 * {@link QuotasEndpoint}, {@link HealthStatus} ({@code /services/{name}/health}), {@link
 * MetricsEndpoint}, {@link AlertsEndpoint} and {@link ObjectEndpoints}.
 *
 * <p>Every request must name the admin listener in {@code Host} ({@link AdminHosts}: the loopback
 * names, the address it was reached on, {@code admin.allowed-hosts}), else 421, so that a web page
 * cannot reach the API through a rebound DNS name; and must use an origin-form target ({@code
 * /status}, not {@code http://host/status}). When a token is configured every request also needs
 * {@code Authorization: Bearer <token>}, compared in constant time.
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

  /** When the admin listener first served, the start of {@code /status}'s uptime. */
  static final Instant STARTED = Instant.now();

  private final AdminApi api;
  private final AdminAuth auth;
  private final AdminHosts hosts;
  private final ExecutorService blocking;

  AdminHandler(AdminApi api, AdminAuth auth, AdminHosts hosts, ExecutorService blocking) {
    this.api = api;
    this.auth = auth;
    this.hosts = hosts;
    this.blocking = blocking;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) throws IOException {
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    if (!req.decoderResult().isSuccess()) {
      send(
          ctx,
          problem(HttpResponseStatus.BAD_REQUEST, "bad-request", "The request is malformed."),
          false);
      return;
    }
    if (!req.uri().startsWith("/")) {
      send(
          ctx,
          problem(
              HttpResponseStatus.BAD_REQUEST,
              "bad-request",
              "The request target must be a path such as /status."),
          false);
      return;
    }
    List<String> host = req.headers().getAll(HttpHeaderNames.HOST);
    if (host.size() != 1
        || !hosts.allows(host.get(0), (InetSocketAddress) ctx.channel().localAddress())) {
      send(
          ctx,
          problem(
              HttpResponseStatus.MISDIRECTED_REQUEST,
              "admin-host-not-allowed",
              "The admin API answers only to localhost, its own address and the names of"
                  + " admin.allowed-hosts."),
          false);
      return;
    }
    String path = new QueryStringDecoder(req.uri()).path();
    HttpMethod method = req.method();
    if (path.equals("/metrics") && api.metrics() != null && api.metrics().isPublic()) {
      if (requireGet(ctx, method, keepAlive)) {
        MetricsEndpoint.serve(ctx, req, api.metrics(), blocking, keepAlive);
      }
      return;
    }
    AdminAuth.Caller caller = auth.caller(req);
    if (caller == null) {
      FullHttpResponse r =
          problem(
              HttpResponseStatus.UNAUTHORIZED,
              "admin-unauthorized",
              "A valid admin bearer token is required.");
      r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"portico-admin\"");
      send(ctx, r, keepAlive);
      return;
    }
    if (path.equals("/openapi.json")) {
      if (requireGet(ctx, method, keepAlive)) {
        send(ctx, json(HttpResponseStatus.OK, OpenApi.document()), keepAlive);
      }
      return;
    }
    if (path.startsWith("/services/") && path.endsWith("/health")) {
      String name = path.substring("/services/".length(), path.length() - "/health".length());
      if (!name.isEmpty() && name.indexOf('/') < 0) {
        if (requireGet(ctx, method, keepAlive)) {
          HealthStatus.serve(ctx, api, name, keepAlive);
        }
        return;
      }
    }
    if (ObjectEndpoints.handles(path)
        && !(path.equals("/routes") && (method == HttpMethod.GET || method == HttpMethod.HEAD))) {
      objects(ctx, req, caller, keepAlive);
      return;
    }
    if (path.equals("/reload") && !caller.canWrite()) {
      send(
          ctx,
          problem(
              HttpResponseStatus.FORBIDDEN,
              "admin-forbidden",
              "The token " + caller.name() + " is read-only."),
          keepAlive);
      return;
    }
    if (AlertsEndpoint.handles(path)) {
      alerts(ctx, req, path, caller, keepAlive);
      return;
    }
    if (path.startsWith("/quotas/") && path.length() > 8) {
      if (requireGet(ctx, method, keepAlive)) {
        QuotasEndpoint.serve(ctx, api, path.substring(8), keepAlive);
      }
      return;
    }
    switch (path) {
      case "/status" -> {
        if (requireGet(ctx, method, keepAlive)) {
          send(ctx, json(HttpResponseStatus.OK, StatusEndpoint.write(api)), keepAlive);
        }
      }
      case "/metrics" -> {
        if (requireGet(ctx, method, keepAlive)) {
          MetricsEndpoint.serve(ctx, req, api.metrics(), blocking, keepAlive);
        }
      }
      case "/ready" -> {
        if (requireGet(ctx, method, keepAlive)) {
          boolean ready = api.ready();
          send(
              ctx,
              json(
                  ready ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                  "{\"ready\":" + ready + "}"),
              keepAlive);
        }
      }
      case "/config" -> {
        if (requireGet(ctx, method, keepAlive)) {
          send(ctx, json(HttpResponseStatus.OK, ConfigEndpoint.write(api.snapshot())), keepAlive);
        }
      }
      case "/routes" -> {
        if (requireGet(ctx, method, keepAlive)) {
          Snapshot s = api.snapshot();
          FullHttpResponse r = json(HttpResponseStatus.OK, RoutesEndpoint.write(s, api.layer()));
          r.headers().set(HttpHeaderNames.ETAG, "\"" + s.version() + "\"");
          send(ctx, r, keepAlive);
        }
      }
      case "/reload" -> {
        if (method != HttpMethod.POST) {
          send(ctx, methodNotAllowed("POST"), keepAlive);
          return;
        }
        ReloadEndpoint.serve(ctx, api, blocking, keepAlive);
      }
      default ->
          send(
              ctx,
              problem(
                  HttpResponseStatus.NOT_FOUND,
                  "admin-not-found",
                  "No admin endpoint " + path + "."),
              keepAlive);
    }
  }

  /** {@code /alerts} and its silences ({@link AlertsEndpoint}), off the event loop. */
  private void alerts(
      ChannelHandlerContext ctx,
      FullHttpRequest req,
      String path,
      AdminAuth.Caller caller,
      boolean keepAlive) {
    req.retain();
    blocking.execute(
        () -> {
          FullHttpResponse r;
          try {
            r = AlertsEndpoint.handle(req, path, api.alerting(), caller);
          } catch (IOException | RuntimeException e) {
            r =
                problem(
                    HttpResponseStatus.INTERNAL_SERVER_ERROR,
                    "admin-error",
                    "The alerts could not be read: " + e);
          } finally {
            req.release();
          }
          FullHttpResponse response = r;
          ctx.executor().execute(() -> send(ctx, response, keepAlive));
        });
  }

  /** The config objects and their history ({@link ObjectEndpoints}); writes off the event loop. */
  private void objects(
      ChannelHandlerContext ctx, FullHttpRequest req, AdminAuth.Caller caller, boolean keepAlive)
      throws IOException {
    ObjectEndpoints.Outcome outcome = ObjectEndpoints.handle(req, api, caller);
    if (outcome instanceof ObjectEndpoints.Outcome.Now now) {
      send(ctx, now.response(), keepAlive);
      return;
    }
    ObjectEndpoints.Write write = ((ObjectEndpoints.Outcome.Later) outcome).write();
    blocking.execute(
        () -> {
          FullHttpResponse r;
          try {
            r = write.run(api);
          } catch (IOException | RuntimeException e) {
            r =
                problem(
                    HttpResponseStatus.INTERNAL_SERVER_ERROR,
                    "admin-error",
                    "The write failed: " + e);
          }
          FullHttpResponse response = r;
          ctx.executor().execute(() -> send(ctx, response, keepAlive));
        });
  }

  private boolean requireGet(ChannelHandlerContext ctx, HttpMethod method, boolean keepAlive) {
    if (method == HttpMethod.GET || method == HttpMethod.HEAD) {
      return true;
    }
    send(ctx, methodNotAllowed("GET"), keepAlive);
    return false;
  }

  static FullHttpResponse json(HttpResponseStatus status, String body) {
    FullHttpResponse r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    return r;
  }

  static FullHttpResponse problem(HttpResponseStatus status, String type, String detail) {
    String body =
        "{\"type\":\"https://portico.dev/problems/"
            + type
            + "\",\"title\":\""
            + status.reasonPhrase()
            + "\",\"status\":"
            + status.code()
            + ",\"detail\":\""
            + new String(JsonStringEncoder.getInstance().quoteAsString(detail))
            + "\"}";
    FullHttpResponse r = json(status, body);
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/problem+json");
    return r;
  }

  static FullHttpResponse methodNotAllowed(String allowed) {
    FullHttpResponse r =
        problem(
            HttpResponseStatus.METHOD_NOT_ALLOWED, "method-not-allowed", "Use " + allowed + ".");
    r.headers().set(HttpHeaderNames.ALLOW, allowed);
    return r;
  }

  static void send(ChannelHandlerContext ctx, FullHttpResponse r, boolean keepAlive) {
    HttpUtil.setContentLength(r, r.content().readableBytes());
    if (keepAlive) {
      ctx.writeAndFlush(r);
    } else {
      r.headers().set(HttpHeaderNames.CONNECTION, "close");
      ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
