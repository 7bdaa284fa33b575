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

  /** A route without gRPC settings whose body capture follows the access log's. */
  public RouteConfig(
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
      boolean accessLog) {
    this(
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
        null,
        null);
  }

  /**
   * A route without traffic split, mirror, AI gateway or gRPC settings, written to the access log.
   */
  public RouteConfig(
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
      @Nullable AggregateConfig aggregate) {
    this(
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
        null,
        null,
        true);
  }

  /** A route that forwards to a service, or that plugins answer. */
  public RouteConfig(
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
      List<PluginSpec> plugins) {
    this(
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
        null);
  }

  /** The route's gRPC settings, the defaults when it has no {@code grpc} section. */
  public GrpcRouteConfig grpcOrDefaults() {
    return grpc == null ? GrpcRouteConfig.DEFAULTS : grpc;
  }
}
