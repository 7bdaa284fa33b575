package io.portico.plugins.builtin;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import io.portico.spi.plugin.Exchange;
import io.portico.spi.plugin.Outcome;
import io.portico.spi.plugin.Phase;
import io.portico.spi.plugin.Plugin;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import io.portico.spi.plugin.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@code cors}: Cross-Origin Resource Sharing for browsers.
 *
 * <p>A preflight ({@code OPTIONS} with {@code Origin} and {@code Access-Control-Request-Method}) is
 * answered in ACCESS with {@code 204} and the allow headers, before authentication plugins run (a
 * browser never sends credentials with a preflight), unless {@code preflight-continue} sends it
 * upstream. Every other response to an allowed origin gets {@code Access-Control-Allow-Origin},
 * credentials and expose headers in RESPONSE. A disallowed origin gets no CORS headers, which makes
 * the browser refuse the response; the request itself is not blocked. Whenever the answer depends
 * on the origin, {@code Vary: Origin} is added so that caches keep answers apart.
 */
public final class CorsFactory implements PluginFactory<CorsConfig> {

  static final List<String> DEFAULT_METHODS =
      List.of("GET", "HEAD", "PUT", "PATCH", "POST", "DELETE");

  @Override
  public String name() {
    return "cors";
  }

  @Override
  public int priority() {
    return 2500;
  }

  @Override
  public @Nullable CorsConfig parse(ConfigReader config) {
    Problems problems = config.problems();
    AllowedOrigins origins = new AllowedOrigins(true, Set.of(), List.of());
    if (config.has("allow-origins")) {
      List<ConfigNode> entries = ConfigValues.strings(config, "allow-origins");
      origins = AllowedOrigins.compile(entries, problems);
      ConfigNode list = config.child("allow-origins");
      if (list != null && list.isList() && list.items().isEmpty()) {
        problems.at(list, "an empty list (expected: at least one origin, or * for any)");
      }
    }
    List<String> methods =
        config.has("allow-methods")
            ? tokens(config, "allow-methods", "an HTTP method such as GET", true)
            : DEFAULT_METHODS;
    List<String> allowHeaders =
        config.has("allow-headers")
            ? tokens(config, "allow-headers", HeaderRules.NAME_RULE, false)
            : null;
    List<String> exposeHeaders = tokens(config, "expose-headers", HeaderRules.NAME_RULE, false);
    boolean credentials = config.bool("allow-credentials", false);
    if (credentials && origins != null && origins.any()) {
      ConfigNode node = config.child("allow-origins");
      problems.at(
          node == null ? config.node() : node,
          "\"*\" with allow-credentials: true (expected: explicit origins; browsers refuse"
              + " credentials for any origin)");
    }
    Duration maxAge = config.duration("max-age", null);
    if (maxAge != null && maxAge.toMillis() % 1000 != 0) {
      config.expected("max-age", "a whole number of seconds such as 600s or 1h");
    }
    boolean preflightContinue = config.bool("preflight-continue", false);
    if (origins == null) {
      return null;
    }
    return new CorsConfig(
        origins, methods, allowHeaders, exposeHeaders, credentials, maxAge, preflightContinue);
  }

  private static List<String> tokens(
      ConfigReader config, String key, String rule, boolean upperCase) {
    List<String> out = new ArrayList<>();
    for (ConfigNode node : ConfigValues.strings(config, key)) {
      String token = node.scalarText().trim();
      if (HeaderRules.isToken(token)) {
        out.add(upperCase ? token.toUpperCase(Locale.ROOT) : token);
      } else {
        config.problems().expected(node, rule);
      }
    }
    return out;
  }

  @Override
  public Plugin create(CorsConfig config, PluginContext context) {
    return new CorsPlugin(config);
  }

  /** Answers preflights and decorates responses; header values are joined once, here. */
  private static final class CorsPlugin implements Plugin {

    private static final AsciiString ORIGIN = AsciiString.cached("Origin");
    private static final AsciiString REQUEST_HEADERS =
        AsciiString.cached("Access-Control-Request-Headers");

    private final AllowedOrigins origins;
    private final boolean varies;
    private final boolean credentials;
    private final boolean preflightContinue;
    private final String allowMethods;
    private final @Nullable String allowHeaders;
    private final @Nullable String exposeHeaders;
    private final @Nullable String maxAge;
    private final Set<Phase> phases;

    CorsPlugin(CorsConfig config) {
      this.origins = config.origins();
      this.varies = !origins.any();
      this.credentials = config.allowCredentials();
      this.preflightContinue = config.preflightContinue();
      this.allowMethods = String.join(", ", config.allowMethods());
      List<String> headers = config.allowHeaders();
      this.allowHeaders = headers == null ? null : String.join(", ", headers);
      this.exposeHeaders =
          config.exposeHeaders().isEmpty() ? null : String.join(", ", config.exposeHeaders());
      Duration age = config.maxAge();
      this.maxAge = age == null ? null : Long.toString(age.toSeconds());
      this.phases =
          preflightContinue ? Set.of(Phase.RESPONSE) : Set.of(Phase.ACCESS, Phase.RESPONSE);
    }

    @Override
    public Set<Phase> phases() {
      return phases;
    }

    @Override
    public Outcome access(Exchange exchange) {
      HttpHeaders request = exchange.request().headers();
      if (!isPreflight(exchange.request())) {
        return Outcome.proceed();
      }
      HttpHeaders out = new DefaultHttpHeaders();
      if (varies) {
        out.add(HttpHeaderNames.VARY, ORIGIN);
      }
      String origin = request.get(HttpHeaderNames.ORIGIN);
      if (!origins.allows(origin)) {
        return Reply.of(HttpResponseStatus.NO_CONTENT).withHeaders(out);
      }
      allowOrigin(out, origin);
      if (!allowMethods.isEmpty()) {
        out.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, allowMethods);
      }
      if (allowHeaders != null) {
        if (!allowHeaders.isEmpty()) {
          out.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, allowHeaders);
        }
      } else {
        String requested = request.get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS);
        if (requested != null) {
          out.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, requested);
        }
        out.add(HttpHeaderNames.VARY, REQUEST_HEADERS);
      }
      if (maxAge != null) {
        out.set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, maxAge);
      }
      return Reply.of(HttpResponseStatus.NO_CONTENT).withHeaders(out);
    }

    @Override
    public void response(Exchange exchange) {
      if (!preflightContinue && isPreflight(exchange.request())) {
        return;
      }
      HttpResponse response = exchange.response();
      if (response == null) {
        return;
      }
      HttpHeaders out = response.headers();
      if (varies && !out.containsValue(HttpHeaderNames.VARY, ORIGIN, true)) {
        out.add(HttpHeaderNames.VARY, ORIGIN);
      }
      String origin = exchange.request().headers().get(HttpHeaderNames.ORIGIN);
      if (origin == null || !origins.allows(origin)) {
        return;
      }
      allowOrigin(out, origin);
      if (exposeHeaders != null) {
        out.set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, exposeHeaders);
      }
    }

    private void allowOrigin(HttpHeaders out, String origin) {
      out.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, varies ? origin : "*");
      if (credentials) {
        out.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
      }
    }

    /** A preflight: its answer comes from this plugin, never from the upstream (by default). */
    private static boolean isPreflight(HttpRequest request) {
      return HttpMethod.OPTIONS.equals(request.method())
          && request.headers().contains(HttpHeaderNames.ORIGIN)
          && request.headers().contains(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD);
    }
  }
}
