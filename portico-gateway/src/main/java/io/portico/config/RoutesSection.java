package io.portico.config;

import io.portico.router.RoutePatterns;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Parses the top-level {@code routes} section into {@link RouteConfig}s: each route's name
 * (unique), match (hosts, paths and their variables, methods, headers, query, priority; no two
 * routes the same, {@link SameMatchRoutes}), service (a defined one), path rewriting, timeouts,
 * aggregate, traffic split and mirror, AI options and plugins, and what a route needs to be
 * answered at all.
 */
final class RoutesSection {

  private final SectionReaders in;
  private final Problems problems;
  private final PluginsSection pluginSection;
  private final @Nullable AiConfig ai;
  private final AiSection aiRoutes;

  RoutesSection(
      SectionReaders in, PluginsSection pluginSection, @Nullable AiConfig ai, AiSection aiRoutes) {
    this.in = in;
    this.problems = in.problems;
    this.pluginSection = pluginSection;
    this.ai = ai;
    this.aiRoutes = aiRoutes;
  }

  List<RouteConfig> parse(ConfigReader top, List<ServiceConfig> services) {
    Set<String> serviceNames = new LinkedHashSet<>();
    for (ServiceConfig s : services) {
      if (s.name() != null) {
        serviceNames.add(s.name());
      }
    }
    List<RouteConfig> out = new ArrayList<>();
    Map<String, ConfigNode> names = new HashMap<>();
    SameMatchRoutes sameMatch = new SameMatchRoutes(problems);
    for (ConfigNode item : in.listOf(top.child("routes"), "a list of routes")) {
      int problemsBefore = problems.size();
      ConfigReader r = ConfigReader.of(item, problems);
      ConfigNode nameNode = r.required("name", ConfigParser.NAME_RULE);
      String name = nameNode == null ? null : in.name(nameNode);
      if (nameNode != null && name != null) {
        in.unique(names, name, nameNode, "route");
      }
      List<String> hosts = new ArrayList<>();
      for (ConfigNode host : in.stringItems(r, "hosts")) {
        if (in.checked(host, RoutePatterns.checkHost(host.scalarText()))) {
          hosts.add(host.scalarText().toLowerCase(Locale.ROOT));
        }
      }
      String pathMatch = r.oneOf("path-match", "prefix", List.of("prefix", "exact"));
      List<String> paths = new ArrayList<>();
      List<Set<String>> pathVariables = new ArrayList<>();
      List<ConfigNode> pathNodes = in.stringItems(r, "paths");
      for (ConfigNode path : pathNodes) {
        if (in.checked(path, RoutePatterns.checkPath(path.scalarText()))) {
          paths.add(path.scalarText());
          pathVariables.add(ConfigParser.variables(path.scalarText()));
        }
      }
      ConfigNode pathsNode = r.child("paths");
      if (pathsNode == null) {
        paths.add("/");
        pathVariables.add(Set.of());
      } else if (pathsNode.isList() && pathNodes.isEmpty()) {
        r.expected("paths", "at least one path; omit paths to match every path");
      }
      List<String> methods = new ArrayList<>();
      for (ConfigNode method : in.stringItems(r, "methods")) {
        String upper = method.scalarText().toUpperCase(Locale.ROOT);
        if (upper.equals("CONNECT") || upper.equals("TRACE")) {
          problems.expected(
              method,
              "a method the gateway forwards: "
                  + upper
                  + " is always answered 405 by the gateway itself");
        } else if (ConfigParser.METHODS.contains(upper)) {
          methods.add(upper);
        } else {
          problems.expected(
              method,
              "an HTTP method: "
                  + String.join(
                      ", ",
                      ConfigParser.METHODS.stream()
                          .filter(m -> !m.equals("CONNECT") && !m.equals("TRACE"))
                          .toList()));
        }
      }
      Map<String, String> headers = headers(r);
      Map<String, String> query = query(r);
      int priority = r.integer("priority", 0, -1_000_000, 1_000_000);
      ConfigNode serviceNode = r.child("service");
      String service = SectionReaders.serviceReference(serviceNode, serviceNames, problems);
      boolean stripPrefix = r.bool("strip-prefix", false);
      String rewritePath = rewritePath(r, pathVariables);
      if (stripPrefix && rewritePath != null) {
        r.expected("strip-prefix", "false when rewrite-path is set (use one or the other)");
      }
      boolean preserveHost = r.bool("preserve-host", false);
      TimeoutsConfig.TimeoutsOverride timeouts = null;
      if (r.has("timeouts")) {
        ConfigReader t = r.object("timeouts", TimeoutsConfig.EXAMPLE);
        timeouts =
            new TimeoutsConfig.TimeoutsOverride(
                t.duration("connect", null, Duration.ofMillis(1), ConfigReader.MAX_DURATION),
                t.duration("response", null, Duration.ofMillis(1), ConfigReader.MAX_DURATION),
                t.duration("idle", null, Duration.ofMillis(1), ConfigReader.MAX_DURATION));
        t.finish();
      }
      List<PluginSpec> plugins = pluginSection.parse(r.child("plugins"));
      boolean accessLog = true;
      Boolean accessLogBody = null;
      ConfigNode accessLogNode = r.child("access-log");
      if (accessLogNode != null && accessLogNode.isObject()) {
        ConfigReader a = ConfigReader.of(accessLogNode, problems);
        accessLog = a.bool("enabled", true);
        if (a.has("body")) {
          accessLogBody = a.bool("body", false);
        }
        a.finish();
      } else {
        accessLog = r.bool("access-log", true);
      }
      ConfigNode pluginsNode = r.child("plugins");
      ConfigNode aggregateNode = r.child("aggregate");
      AggregateConfig aggregate = null;
      ConfigNode aiNode = r.child("ai");
      AiConfig.Route ai = aiNode == null ? null : aiRoutes.route(aiNode, this.ai);
      if (aiNode != null) {
        for (String forwardingOnly :
            List.of("service", "strip-prefix", "rewrite-path", "preserve-host", "aggregate")) {
          if (r.has(forwardingOnly)) {
            r.expected(
                forwardingOnly,
                "no "
                    + forwardingOnly
                    + " on a route with ai (the ai section's providers answer it)");
          }
        }
      } else if (aggregateNode != null) {
        aggregate = new AggregateSection(problems, serviceNames).parse(aggregateNode);
        for (String forwardingOnly :
            List.of("service", "strip-prefix", "rewrite-path", "preserve-host")) {
          if (r.has(forwardingOnly)) {
            r.expected(
                forwardingOnly,
                "no "
                    + forwardingOnly
                    + " on a route with aggregate (each backend names its"
                    + " service and path)");
          }
        }
      }
      TrafficConfig traffic = new TrafficSection(problems, serviceNames).parse(r);
      GrpcRouteConfig grpc = new GrpcRouteSection(problems).parse(r);
      if (aiNode == null
          && aggregateNode == null
          && serviceNode == null
          && (pluginsNode == null || pluginsNode.fields().isEmpty())) {
        problems.at(item, noDestination(serviceNames, item.path().startsWith("$")));
      }
      r.finish();
      if (name == null) {
        continue; // reported by in.name or r.required
      }
      RouteConfig route =
          RouteConfig.builder(name)
              .hosts(List.copyOf(hosts))
              .paths(List.copyOf(paths))
              .pathMatch(pathMatch)
              .methods(List.copyOf(methods))
              .headers(headers)
              .query(query)
              .priority(priority)
              .service(service)
              .stripPrefix(stripPrefix)
              .rewritePath(rewritePath)
              .preserveHost(preserveHost)
              .timeouts(timeouts)
              .plugins(plugins)
              .aggregate(aggregate)
              .traffic(traffic)
              .ai(ai)
              .accessLog(accessLog)
              .grpc(grpc)
              .accessLogBody(accessLogBody)
              .build();
      if (problems.size() == problemsBefore) {
        // a route with a mistake matches what its author did not mean: compare only sound ones
        sameMatch.add(route, item);
      }
      out.add(route);
    }
    return List.copyOf(out);
  }

  Map<String, String> headers(ConfigReader r) {
    Map<String, String> out = new LinkedHashMap<>();
    ConfigNode node = r.child("headers");
    if (node == null) {
      return Map.of();
    }
    if (!node.isObject()) {
      problems.expected(node, "an object of header-name: value");
      return Map.of();
    }
    for (Map.Entry<String, ConfigNode> e : node.fields().entrySet()) {
      if (!SectionReaders.TOKEN.matcher(e.getKey()).matches()) {
        problems.at(e.getValue(), '"' + e.getKey() + "\" (expected: a header name)");
      } else if (!e.getValue().isScalar()) {
        problems.expected(e.getValue(), "a header value");
      } else {
        out.put(e.getKey(), e.getValue().text());
      }
    }
    return Collections.unmodifiableMap(out);
  }

  Map<String, String> query(ConfigReader r) {
    Map<String, String> out = new LinkedHashMap<>();
    ConfigNode node = r.child("query");
    if (node == null) {
      return Map.of();
    }
    if (!node.isObject()) {
      problems.expected(node, "an object of parameter: value, or parameter: null for presence");
      return Map.of();
    }
    for (Map.Entry<String, ConfigNode> e : node.fields().entrySet()) {
      ConfigNode value = e.getValue();
      if (value.isNull()) {
        out.put(e.getKey(), null);
      } else if (value.isScalar()) {
        out.put(e.getKey(), value.text());
      } else {
        problems.expected(value, "a value, or null to require only the parameter's presence");
      }
    }
    return Collections.unmodifiableMap(out);
  }

  @Nullable String rewritePath(ConfigReader r, List<Set<String>> pathVariables) {
    ConfigNode node = r.child("rewrite-path");
    if (node == null) {
      return null;
    }
    if (!node.isScalar() || node.scalarText().startsWith("~")) {
      problems.expected(node, "a path template such as /v2/users/{id}");
      return null;
    }
    String template = node.scalarText();
    if (!in.checked(node, RoutePatterns.checkPath(template))) {
      return null;
    }
    Set<String> available = null;
    for (Set<String> vars : pathVariables) {
      if (available == null) {
        available = new LinkedHashSet<>(vars);
      } else {
        available.retainAll(vars);
      }
    }
    if (available == null) {
      available = Set.of();
    }
    for (String variable : ConfigParser.variables(template)) {
      if (!available.contains(variable)) {
        problems.expected(
            node,
            "variables that every path of the route defines"
                + (available.isEmpty()
                    ? " (the paths define none)"
                    : ": {" + String.join("}, {", available) + "}")
                + "; {"
                + variable
                + "} is not one of them");
        return null;
      }
    }
    return template;
  }

  /**
   * The problem of a route that says nothing of where its requests go, with what to add: the
   * config's services by name (or how to declare one), and a plugin that answers by itself; in the
   * form the route was written in, the config file's or, for an object of the admin API ({@code
   * api}: its path is rooted at {@code $}), the API's JSON.
   */
  private static String noDestination(Set<String> serviceNames, boolean api) {
    String service;
    if (serviceNames.isEmpty()) {
      service =
          api
              ? "a service created with PUT /services/NAME (with its targets), named here by"
                  + " \"service\": \"NAME\""
              : "a service declared under services: (name and targets), named here by service:";
    } else {
      service =
          (api ? "\"service\": \"NAME\"" : "service: NAME")
              + ", one of "
              + String.join(", ", serviceNames);
    }
    return "a route needs a service, an aggregate or a plugin that answers it (expected: "
        + service
        + "; or a plugin that answers by itself, such as "
        + (api
            ? "\"plugins\": {\"mock\": {\"body\": \"hello\"}}"
            : "plugins: { mock: { body: hello } }")
        + ")";
  }
}
