package io.portico.config;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A route: which requests it takes and what to do with them.
 *
 * @param hosts host patterns ({@code api.example.com}, {@code *.example.com}); empty = any
 * @param paths path patterns: {@code /exact}, {@code /prefix/} style prefixes (every path is a
 *     prefix unless {@code pathMatch} is exact), templates {@code /users/{id}}, or regex {@code
 *     ~^/v[0-9]+/}
 * @param pathMatch {@code prefix} (default) or {@code exact}
 * @param methods upper-case methods; empty = any
 * @param headers required header values (exact match, case-insensitive names)
 * @param query required query parameters (exact value, or {@code null} value for presence)
 * @param priority higher wins among routes matching the same request; see the router's precedence
 *     rules
 * @param service the service name, or null when plugins answer the route
 * @param stripPrefix whether the matched literal prefix is removed before forwarding
 * @param rewritePath a replacement path template ({@code /v2/users/{id}}), or null
 * @param preserveHost send the client's Host upstream instead of the service's
 * @param timeouts overrides of the service's timeouts, or null
 * @param aggregate the backends whose answers are merged into this route's answer, or null when the
 *     route forwards to {@code service} (or plugins answer it)
 * @param traffic the route's traffic split and mirror, or null
 * @param ai the AI gateway answers this route (OpenAI-compatible endpoints), or null
 * @param accessLog whether the route's exchanges are written to the access log
 * @param grpc the route's gRPC settings, or null for the defaults ({@link
 *     GrpcRouteConfig#DEFAULTS})
 * @param accessLogBody whether the route's bodies are captured in the access log, or null to follow
 *     {@code runtime.access-log.body.all-routes}
 */
public record RouteConfig(
    String name,
    List<String> hosts,
    List<String> paths,
    String pathMatch,
    List<String> methods,
    Map<String, String> headers,
    Map<String, String> query,
    int priority,
    @Nullable String service,
    boolean stripPrefix,
    @Nullable String rewritePath,
    boolean preserveHost,
    TimeoutsConfig.@Nullable TimeoutsOverride timeouts,
    List<PluginSpec> plugins,
    @Nullable AggregateConfig aggregate,
    @Nullable TrafficConfig traffic,
    AiConfig.@Nullable Route ai,
    boolean accessLog,
    @Nullable GrpcRouteConfig grpc,
    @Nullable Boolean accessLogBody) {

  /** A builder of the route {@code name}: see {@link Builder} for the defaults. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** A builder holding this route's components, to make a route that differs in a few. */
  public Builder toBuilder() {
    Builder b = new Builder(name);
    b.hosts = hosts;
    b.paths = paths;
    b.pathMatch = pathMatch;
    b.methods = methods;
    b.headers = headers;
    b.query = query;
    b.priority = priority;
    b.service = service;
    b.stripPrefix = stripPrefix;
    b.rewritePath = rewritePath;
    b.preserveHost = preserveHost;
    b.timeouts = timeouts;
    b.plugins = plugins;
    b.aggregate = aggregate;
    b.traffic = traffic;
    b.ai = ai;
    b.accessLog = accessLog;
    b.grpc = grpc;
    b.accessLogBody = accessLogBody;
    return b;
  }

  /**
   * Builds a {@link RouteConfig}. Unset components default to: no hosts, paths, methods, header or
   * query conditions (empty), {@code pathMatch} {@code prefix}, priority 0, no service, no prefix
   * stripped, no rewrite, the service's Host, no timeouts override, no plugins, no aggregate,
   * traffic, AI or gRPC section, written to the access log with the log's own body capture (null).
   */
  public static final class Builder {
    private final String name;
    private List<String> hosts = List.of();
    private List<String> paths = List.of();
    private String pathMatch = "prefix";
    private List<String> methods = List.of();
    private Map<String, String> headers = Map.of();
    private Map<String, String> query = Map.of();
    private int priority;
    private @Nullable String service;
    private boolean stripPrefix;
    private @Nullable String rewritePath;
    private boolean preserveHost;
    private TimeoutsConfig.@Nullable TimeoutsOverride timeouts;
    private List<PluginSpec> plugins = List.of();
    private @Nullable AggregateConfig aggregate;
    private @Nullable TrafficConfig traffic;
    private AiConfig.@Nullable Route ai;
    private boolean accessLog = true;
    private @Nullable GrpcRouteConfig grpc;
    private @Nullable Boolean accessLogBody;

    private Builder(String name) {
      this.name = name;
    }

    public Builder hosts(List<String> hosts) {
      this.hosts = hosts;
      return this;
    }

    public Builder paths(List<String> paths) {
      this.paths = paths;
      return this;
    }

    public Builder pathMatch(String pathMatch) {
      this.pathMatch = pathMatch;
      return this;
    }

    public Builder methods(List<String> methods) {
      this.methods = methods;
      return this;
    }

    public Builder headers(Map<String, String> headers) {
      this.headers = headers;
      return this;
    }

    public Builder query(Map<String, String> query) {
      this.query = query;
      return this;
    }

    public Builder priority(int priority) {
      this.priority = priority;
      return this;
    }

    public Builder service(@Nullable String service) {
      this.service = service;
      return this;
    }

    public Builder stripPrefix(boolean stripPrefix) {
      this.stripPrefix = stripPrefix;
      return this;
    }

    public Builder rewritePath(@Nullable String rewritePath) {
      this.rewritePath = rewritePath;
      return this;
    }

    public Builder preserveHost(boolean preserveHost) {
      this.preserveHost = preserveHost;
      return this;
    }

    public Builder timeouts(TimeoutsConfig.@Nullable TimeoutsOverride timeouts) {
      this.timeouts = timeouts;
      return this;
    }

    public Builder plugins(List<PluginSpec> plugins) {
      this.plugins = plugins;
      return this;
    }

    public Builder aggregate(@Nullable AggregateConfig aggregate) {
      this.aggregate = aggregate;
      return this;
    }

    public Builder traffic(@Nullable TrafficConfig traffic) {
      this.traffic = traffic;
      return this;
    }

    public Builder ai(AiConfig.@Nullable Route ai) {
      this.ai = ai;
      return this;
    }

    public Builder accessLog(boolean accessLog) {
      this.accessLog = accessLog;
      return this;
    }

    public Builder grpc(@Nullable GrpcRouteConfig grpc) {
      this.grpc = grpc;
      return this;
    }

    public Builder accessLogBody(@Nullable Boolean accessLogBody) {
      this.accessLogBody = accessLogBody;
      return this;
    }

    public RouteConfig build() {
      return new RouteConfig(
          name,
          hosts,
          paths,
          pathMatch,
          methods,
          headers,
          query,
          priority,
          service,
          stripPrefix,
          rewritePath,
          preserveHost,
          timeouts,
          plugins,
          aggregate,
          traffic,
          ai,
          accessLog,
          grpc,
          accessLogBody);
    }
  }

  /** The route's gRPC settings, the defaults when it has no {@code grpc} section. */
  public GrpcRouteConfig grpcOrDefaults() {
    return grpc == null ? GrpcRouteConfig.DEFAULTS : grpc;
  }
}
