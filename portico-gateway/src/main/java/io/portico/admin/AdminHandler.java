package io.portico.admin;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
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
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.portico.snapshot.Snapshot;
import io.portico.spi.plugin.StatusReasons;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Serves the admin endpoints:
 *
 * <ul>
 *   <li>{@code GET /status}: liveness, always 200 while the process runs; with each service's
 *       endpoint source and how fresh its endpoints are ({@link DiscoveryStatus}), and each
 *       access-log sink's counts (queued, delivered, dropped, failed)
 *   <li>{@code GET /ready}: 200 while the gateway takes traffic, 503 while it drains
 *   <li>{@code GET /metrics}: the gateway's metrics for Prometheus ({@link MetricsEndpoint})
 *   <li>{@code GET /metrics/summary}: traffic per route and consumer for the console ({@link
 *       MetricsEndpoint})
 *   <li>{@code GET /config}: the active config as JSON, secrets redacted, with its version
 *   <li>{@code GET /routes}: the compiled routes in config order with their plugin chains
 *   <li>{@code POST /reload}: reloads the config file; 200 when applied, 422 with every problem
 *       when rejected (the running config keeps serving)
 *   <li>{@code /alerts}: alert states and silences ({@link AlertsEndpoint})
 *   <li>{@code /auth/...} and {@code /accounts...}: the console's accounts, sessions and tokens
 *       ({@link AccountEndpoints}); {@code /console}: the web console's files ({@link
 *       ConsoleAssets})
 * </ul>
 *
 * This class checks every request and dispatches it; each resource is answered by its own class:
 * {@link StatusEndpoint}, {@link ConfigEndpoint}, {@link RoutesEndpoint}, {@link ReloadEndpoint},
 * {@link QuotasEndpoint}, {@link HealthStatus} ({@code /services/{name}/health}), {@link
 * MetricsEndpoint}, {@link AlertsEndpoint} and {@link ObjectEndpoints}; a consumer's keys by {@link
 * ConsumerKeys}, the live access log ({@code /logs/tail}) by {@link LogTailEndpoint}, the installed
 * plugins and their config schemas ({@code /schemas/plugins}) by {@link PluginsEndpoint}.
 *
 * <p>Every request must name the admin listener in {@code Host} ({@link AdminHosts}: the loopback
 * names, the address it was reached on, {@code admin.allowed-hosts}), else 421, so that a web page
 * cannot reach the API through a rebound DNS name; and must use an origin-form target ({@code
 * /status}, not {@code http://host/status}). Then, in order: a write from another origin is refused
 * (403); a write's body must be JSON without a member named twice ({@link WriteBodyCheck}: 415,
 * 400); the caller is found ({@link AdminAuth}: a config token, an account's token, the console's
 * session cookie, or anonymous on an open listener; 401 when none is valid); a write with a session
 * must carry the session's CSRF token (403); and {@link AdminAccess} decides from the caller's role
 * whether the endpoint may run (403). Only then does the endpoint run.
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

  private final AdminApi api;
  private final AdminAuth auth;
  private final AdminHosts hosts;

  /**
   * The most requests that may wait for the listener's one blocking thread. Each holds its body (up
   * to 1 MiB) until its turn, and a sign-in's bcrypt takes tens of milliseconds: without a bound,
   * anyone who reaches the listener could queue bodies until the process runs out of memory. Past
   * it a request is answered 503 at once ({@code /ready} excepted); event loops that check at the
   * same moment may each add one more.
   */
  static final int MAX_QUEUED = 64;

  private final AdminWork blocking;

  AdminHandler(AdminApi api, AdminAuth auth, AdminHosts hosts, AdminWork blocking) {
    this.api = api;
    this.auth = auth;
    this.hosts = hosts;
    this.blocking = blocking;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) throws IOException {
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    if (!req.decoderResult().isSuccess()) {
      send(ctx, malformed(req.decoderResult().cause()), false);
      return;
    }
    if (!req.uri().startsWith("/")) {
      send(
          ctx,
          problem(
              HttpResponseStatus.BAD_REQUEST,
              "admin-bad-request",
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
    if (ConsoleAssets.handles(path) && api.accounts() != null) {
      send(ctx, ConsoleAssets.serve(path, method), keepAlive);
      return;
    }
    if (PortalAssets.handles(path) && api.portal() != null) {
      send(
          ctx,
          PortalAssets.serve(
              path, method, req.headers().get(HttpHeaderNames.ACCEPT_ENCODING), api.gatewayUrl()),
          keepAlive);
      return;
    }
    if (blocking.waiting() >= MAX_QUEUED && !path.equals("/ready")) {
      FullHttpResponse busy =
          problem(
              HttpResponseStatus.SERVICE_UNAVAILABLE,
              "admin-busy",
              "The admin API has " + MAX_QUEUED + " requests waiting; try again shortly.");
      busy.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
      send(ctx, busy, false);
      return;
    }
    if (path.equals("/metrics") && api.metrics() != null && api.metrics().isPublic()) {
      if (requireGet(ctx, method, keepAlive)) {
        MetricsEndpoint.serve(ctx, req, api.metrics(), blocking, keepAlive);
      }
      return;
    }
    boolean write =
        method != HttpMethod.GET && method != HttpMethod.HEAD && method != HttpMethod.OPTIONS;
    if (write && !sameOrigin(req, host.get(0))) {
      send(
          ctx,
          problem(
              HttpResponseStatus.FORBIDDEN,
              "admin-cross-origin",
              "A write from another origin is refused: the admin API takes writes from its own"
                  + " console and from clients that send no Origin."),
          keepAlive);
      return;
    }
    FullHttpResponse badBody = write ? WriteBodyCheck.refusal(req) : null;
    if (badBody != null) {
      send(ctx, badBody, keepAlive);
      return;
    }
    if (AccountEndpoints.anonymous(path)) {
      String address = clientAddress(ctx);
      io.portico.accounts.Session current = auth.session(req);
      offLoop(
          ctx,
          req,
          keepAlive,
          "The sign-in failed: ",
          () -> AccountEndpoints.signIn(req, path, api.accounts(), current, address));
      return;
    }
    if (PortalEndpoints.anonymous(path)) {
      String address = clientAddress(ctx);
      offLoop(
          ctx,
          req,
          keepAlive,
          "The sign-up failed: ",
          () -> PortalEndpoints.signUp(req, api, address));
      return;
    }
    AdminAuth.Caller caller = auth.caller(req);
    if (caller == null) {
      FullHttpResponse r =
          problem(
              HttpResponseStatus.UNAUTHORIZED,
              "admin-unauthorized",
              "A valid admin bearer token or a console session is required: send"
                  + " Authorization: Bearer <token> with a token of admin.token or admin.tokens,"
                  + " or an account's API token (docs/admin-api.md), or sign in at /console/.");
      r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"portico-admin\"");
      send(ctx, r, keepAlive);
      return;
    }
    io.portico.accounts.Session session = caller.session();
    if (write && session != null && !csrfMatches(req, session)) {
      send(
          ctx,
          problem(
              HttpResponseStatus.FORBIDDEN,
              "admin-csrf",
              "A write with a console session needs its CSRF token in X-CSRF-Token."),
          keepAlive);
      return;
    }
    String refusal = AdminAccess.refusal(caller, method, path);
    if (refusal != null) {
      send(ctx, problem(HttpResponseStatus.FORBIDDEN, "admin-forbidden", refusal), keepAlive);
      return;
    }
    if (AccountEndpoints.handles(path)) {
      offLoop(
          ctx,
          req,
          keepAlive,
          "The account change failed: ",
          () -> AccountEndpoints.handle(req, path, caller, api.accounts()));
      return;
    }
    if (PortalEndpoints.handles(path)) {
      offLoop(
          ctx,
          req,
          keepAlive,
          "The portal change failed: ",
          () -> PortalEndpoints.handle(req, path, caller, api));
      return;
    }
    if (path.equals("/openapi.json")) {
      if (requireGet(ctx, method, keepAlive)) {
        send(ctx, json(HttpResponseStatus.OK, OpenApi.document()), keepAlive);
      }
      return;
    }
    if (PluginsEndpoint.handles(path)) {
      if (requireGet(ctx, method, keepAlive)) {
        offLoop(
            ctx,
            req,
            keepAlive,
            "The plugins could not be read: ",
            () -> PluginsEndpoint.handle(path, api));
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
    if (ConsumerKeys.handles(path)) {
      offLoop(
          ctx,
          req,
          keepAlive,
          "The key change failed: ",
          () -> ConsumerKeys.handle(req, path, caller, api));
      return;
    }
    if (path.equals("/logs/tail")) {
      if (method == HttpMethod.GET) {
        LogTailEndpoint.serve(ctx, req, api, keepAlive);
      } else {
        send(ctx, methodNotAllowed("GET"), keepAlive);
      }
      return;
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
    if (AiEndpoints.handles(path)) {
      if (path.equals("/ai/try")) {
        offLoop(ctx, req, keepAlive, "The try failed: ", () -> AiEndpoints.tryRoute(req, api));
      } else {
        send(ctx, AiEndpoints.handle(method, api), keepAlive);
      }
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
      case "/metrics/summary" -> {
        if (requireGet(ctx, method, keepAlive)) {
          MetricsEndpoint.summary(ctx, api.metrics(), blocking, keepAlive);
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
          ListQuery.Parsed parsed = ListQuery.parse(new QueryStringDecoder(req.uri()));
          if (parsed instanceof ListQuery.Parsed.Bad bad) {
            send(ctx, bad.response(), keepAlive);
            return;
          }
          ListQuery query = ((ListQuery.Parsed.Ok) parsed).query();
          FullHttpResponse r =
              json(HttpResponseStatus.OK, RoutesEndpoint.write(s, api.layer(), query));
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
                  "No admin endpoint " + path + "." + ListenerHint.of(api.listeners())),
              keepAlive);
    }
  }

  /** Runs {@code answer} on the admin thread and sends its response on the channel's loop. */
  private void offLoop(
      ChannelHandlerContext ctx,
      FullHttpRequest req,
      boolean keepAlive,
      String failure,
      AdminWork.Answer answer) {
    blocking.submit(
        ctx,
        keepAlive,
        req,
        answer,
        e ->
            problem(
                HttpResponseStatus.INTERNAL_SERVER_ERROR, "admin-error", failure + e.getMessage()));
  }

  /** {@code /alerts} and its silences ({@link AlertsEndpoint}), off the event loop. */
  private void alerts(
      ChannelHandlerContext ctx,
      FullHttpRequest req,
      String path,
      AdminAuth.Caller caller,
      boolean keepAlive) {
    blocking.submit(
        ctx,
        keepAlive,
        req,
        () -> AlertsEndpoint.handle(req, path, api.alerting(), api.store(), caller),
        e ->
            problem(
                HttpResponseStatus.INTERNAL_SERVER_ERROR,
                "admin-error",
                "The alerts could not be read: " + e));
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
    blocking.submit(
        ctx,
        keepAlive,
        null,
        () -> write.run(api),
        e ->
            problem(
                HttpResponseStatus.INTERNAL_SERVER_ERROR, "admin-error", "The write failed: " + e));
  }

  /**
   * Whether a write comes from the listener's own origin: its {@code Origin}, when sent, is {@code
   * http://} or {@code https://} and the request's {@code Host}; without {@code Origin}, a {@code
   * Sec-Fetch-Site} other than {@code same-origin} or {@code none} is refused too. Scripts send
   * neither and pass.
   */
  static boolean sameOrigin(FullHttpRequest req, String host) {
    String origin = req.headers().get(HttpHeaderNames.ORIGIN);
    if (origin != null) {
      String h = host.toLowerCase(Locale.ROOT);
      String o = origin.toLowerCase(Locale.ROOT);
      return o.equals("http://" + h) || o.equals("https://" + h);
    }
    String site = req.headers().get("Sec-Fetch-Site");
    return site == null || site.equals("same-origin") || site.equals("none");
  }

  private static boolean csrfMatches(FullHttpRequest req, io.portico.accounts.Session session) {
    String given = req.headers().get("X-CSRF-Token");
    return given != null
        && java.security.MessageDigest.isEqual(
            given.getBytes(StandardCharsets.UTF_8),
            session.csrf().getBytes(StandardCharsets.UTF_8));
  }

  private static String clientAddress(ChannelHandlerContext ctx) {
    return ctx.channel().remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null
        ? a.getAddress().getHostAddress()
        : "unknown";
  }

  static FullHttpResponse empty(HttpResponseStatus status) {
    return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
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
            + StatusReasons.reason(status.code())
            + "\",\"status\":"
            + status.code()
            + ",\"detail\":\""
            + new String(JsonStringEncoder.getInstance().quoteAsString(detail))
            + "\"}";
    FullHttpResponse r = json(status, body);
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/problem+json");
    return r;
  }

  /** The answer to a request the decoder refused: 414 and 431 for what was too long, else 400. */
  private static FullHttpResponse malformed(Throwable cause) {
    if (cause instanceof TooLongHttpLineException) {
      return problem(
          HttpResponseStatus.REQUEST_URI_TOO_LONG,
          "admin-uri-too-long",
          "The request line is longer than the admin listener reads.");
    }
    if (cause instanceof TooLongHttpHeaderException) {
      return problem(
          HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
          "admin-headers-too-large",
          "The request headers are larger than the admin listener reads.");
    }
    return problem(
        HttpResponseStatus.BAD_REQUEST, "admin-bad-request", "The request is malformed.");
  }

  static FullHttpResponse methodNotAllowed(String allowed) {
    FullHttpResponse r =
        problem(
            HttpResponseStatus.METHOD_NOT_ALLOWED,
            "admin-method-not-allowed",
            "Use " + allowed + ".");
    r.headers().set(HttpHeaderNames.ALLOW, allowed);
    return r;
  }

  static void send(ChannelHandlerContext ctx, FullHttpResponse r, boolean keepAlive) {
    send(ctx, r, keepAlive, ctx.newPromise());
  }

  /** Sends {@code r}, closing after it unless {@code keepAlive}; {@code written} completes then. */
  static void send(
      ChannelHandlerContext ctx, FullHttpResponse r, boolean keepAlive, ChannelPromise written) {
    HttpUtil.setContentLength(r, r.content().readableBytes());
    r.headers().set("X-Content-Type-Options", "nosniff");
    if (!r.headers().contains(HttpHeaderNames.CACHE_CONTROL)) {
      r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    }
    if (keepAlive) {
      ctx.writeAndFlush(r, written);
    } else {
      r.headers().set(HttpHeaderNames.CONNECTION, "close");
      ctx.writeAndFlush(r, written).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
