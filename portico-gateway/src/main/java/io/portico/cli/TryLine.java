package io.portico.cli;

import io.portico.config.GatewayConfig;
import io.portico.config.PluginSpec;
import io.portico.config.RouteConfig;
import io.portico.config.ServiceConfig;
import io.portico.plugins.auth.AuthenticatorFactory;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The banner's {@code try:} line: a curl command for a route a newcomer can call as it is.
 *
 * <p>Routes are taken in the order of the file, and the first one that needs nothing the user lacks
 * wins: no credential (no authentication plugin on the route, its service or globally, unless it
 * admits {@code anonymous} callers), not an AI or gRPC route (they need a provider or a gRPC
 * client), answering {@code GET}, with no header or query condition. When every route needs
 * something, the first route without a credential is shown, else the first route, and the line says
 * which credential it needs. A route restricted to hosts gets the {@code Host} header it matches;
 * one restricted to other methods gets {@code -X}.
 */
final class TryLine {

  private TryLine() {}

  /** The line's command and note, e.g. {@code curl -i http://127.0.0.1:8080/hello}. */
  static String of(GatewayConfig config, String base) {
    List<String> global = credentialPlugins(config.plugins());
    RouteConfig best = null;
    String path = null;
    int bestRank = Integer.MAX_VALUE;
    for (RouteConfig route : config.routes()) {
      String literal = literalPath(route);
      if (literal == null) {
        continue;
      }
      int rank = rank(route, credentials(config, route, global));
      if (rank < bestRank) {
        best = route;
        path = literal;
        bestRank = rank;
      }
    }
    if (best == null || path == null) {
      return "curl -i " + base + "/";
    }
    StringBuilder line = new StringBuilder("curl -i");
    if (!best.methods().isEmpty() && !best.methods().contains("GET")) {
      line.append(" -X ").append(best.methods().get(0));
    }
    String host = hostHeader(best);
    if (host != null) {
      line.append(" -H 'Host: ").append(host).append('\'');
    }
    if (best.ai() != null && path.endsWith("/")) {
      path += "models"; // GET …/models answers without a provider call
    }
    line.append(' ').append(base).append(path);
    List<String> needs = credentials(config, best, global);
    if (!needs.isEmpty()) {
      line.append("   (route ")
          .append(best.name())
          .append(" needs a ")
          .append(String.join(" or ", needs))
          .append(" credential of a consumer: see docs/plugins/")
          .append(needs.get(0))
          .append(".md)");
    }
    return line.toString();
  }

  /** The scheme of the i-th bound listener (listeners are bound in the order of the config). */
  static String scheme(GatewayConfig config, int i) {
    return i < config.listeners().size() && config.listeners().get(i).tls() != null
        ? "https://"
        : "http://";
  }

  /** Lower is easier to call: 0 as it is, 1 with a special client or condition, 2 credentials. */
  private static int rank(RouteConfig route, List<String> credentials) {
    if (!credentials.isEmpty()) {
      return 2;
    }
    boolean plain =
        route.ai() == null
            && route.grpc() == null
            && (route.methods().isEmpty() || route.methods().contains("GET"))
            && route.headers().isEmpty()
            && route.query().isEmpty();
    return plain ? 0 : 1;
  }

  private static List<String> credentials(
      GatewayConfig config, RouteConfig route, List<String> global) {
    List<String> names = new ArrayList<>(credentialPlugins(route.plugins()));
    if (route.service() != null) {
      for (ServiceConfig s : config.services()) {
        if (s.name().equals(route.service())) {
          names.addAll(credentialPlugins(s.plugins()));
        }
      }
    }
    names.addAll(global);
    return names.stream().distinct().toList();
  }

  /** The plugins of a list that turn away a caller without a credential. */
  private static List<String> credentialPlugins(List<PluginSpec> plugins) {
    List<String> names = new ArrayList<>();
    for (PluginSpec p : plugins) {
      if (p.factory() instanceof AuthenticatorFactory<?> auth) {
        if (anonymous(auth, p.config()) == null) {
          names.add(p.name());
        }
      } else if (p.name().equals("openid-connect")) {
        names.add(p.name());
      }
    }
    return names;
  }

  @SuppressWarnings("unchecked")
  private static <C> @Nullable String anonymous(AuthenticatorFactory<C> factory, Object config) {
    return factory.settings((C) config).anonymous();
  }

  /** The first path of a route that a request can use as written (no template, no regex). */
  private static @Nullable String literalPath(RouteConfig route) {
    for (String p : route.paths()) {
      if (p.startsWith("/") && !p.contains("{")) {
        return p;
      }
    }
    return route.paths().isEmpty() ? "/" : null;
  }

  private static @Nullable String hostHeader(RouteConfig route) {
    if (route.hosts().isEmpty()) {
      return null;
    }
    String host = route.hosts().get(0);
    return host.startsWith("*.") ? "www." + host.substring(2) : host;
  }
}
