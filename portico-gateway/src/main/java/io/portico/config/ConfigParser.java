package io.portico.config;

import io.portico.plugin.PluginRegistry;
import io.portico.router.RoutePatterns;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problem;
import io.portico.spi.config.Problems;
import io.portico.spi.config.Suggestions;
import io.portico.spi.plugin.PluginFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a loaded document into a validated {@link GatewayConfig}, reporting every problem at once.
 *
 * <p>The flow of one parse:
 *
 * <pre>
 *   LoadResult (located tree + load problems)
 *     ─▶ runtime (first: its plugin-dir extends the plugin registry)
 *     ─▶ listeners, admin, services, routes, global plugins, consumers, limits, forwarding
 *     ─▶ cross-checks (route → service names, rewrite variables, address clashes)
 *     ─▶ unknown keys at every level, with "did you mean"
 *     ─▶ ConfigResult: a GatewayConfig when there is no problem, else null and the problems
 * </pre>
 *
 * <p>Each top-level section has its parser, named for it: {@link RuntimeSection}, {@link
 * ListenersSection}, {@link AdminSection}, {@link ConsumersSection}, {@link LimitsSection}, {@link
 * ForwardingSection}, {@link AiSection}, {@link MetricsSection}, {@link TracingSection}, {@link
 * AlertsSection}; this class reads services, routes and plugins, and runs the cross-checks. What
 * the sections share (problems, the base directory, the readers of names, lists, durations, sizes,
 * files and addresses) is a {@link SectionReaders}.
 *
 * <p>Nothing throws on bad input: a bad value is recorded as {@code <path>: <value> (expected:
 * <rule>)} with its file, line and column, a neutral value stands in for it, and parsing goes on,
 * so one run shows every mistake of a document. Problems are returned in document order; when the
 * loader already reported a node (an unset {@code ${VAR}}), the parser's follow-on problems for the
 * same node are dropped.
 *
 * <p>Plugin configs are parsed by their factories: for each entry of a {@code plugins} map the
 * parser finds the factory in the {@link PluginRegistry}, calls {@link PluginFactory#parse} and
 * then {@link ConfigReader#finish()} itself, so unknown plugin keys are always reported. Likewise a
 * service's endpoints are read by the {@link DiscoveryKind} its {@code discovery} names ({@code
 * static}, reading {@code targets}, when absent), found in {@link DiscoveryKinds}.
 *
 * <p>Relative file paths (TLS certificates and keys, the access log, the plugin directory) are
 * resolved against {@code baseDir}, the directory of the config file. Files are only checked for
 * existence and readability; nothing is opened and no socket is bound, so {@code portico validate}
 * has no side effects. A parser is stateless and may be shared.
 */
public final class ConfigParser {

  static final String NAME_RULE = "a name of letters, digits, '.', '_' or '-'";
  static final List<String> METHODS =
      List.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");
  static final List<String> TLS_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
  static final InetSocketAddress DEFAULT_LISTENER = Addresses.bindAddress("127.0.0.1:8080");
  static final InetSocketAddress DEFAULT_ADMIN = Addresses.bindAddress("127.0.0.1:9901");

  /** The directory of the admin API's objects, beside the config file, unless configured. */
  static final String DEFAULT_ADMIN_STORE = "admin-store";

  /** The name {@code admin.token}, the plain read-write token, goes by in the audit log. */
  public static final String ADMIN_TOKEN_NAME = "admin";

  static final String TOKEN_HASH_RULE =
      "sha256: followed by 64 hex digits (portico hash-key prints it)";
  private static final Pattern TEMPLATE_VARIABLE = Pattern.compile("\\{([^{}]*)}");
  private static final Pattern NAMED_GROUP = Pattern.compile("\\(\\?<([A-Za-z][A-Za-z0-9]*)>");

  private final PluginRegistry registry;
  private final Path baseDir;
  private final DiscoveryKinds kinds;

  /**
   * @param registry the plugin factories; a {@code runtime.plugin-dir} adds the jars of that
   *     directory for this parse
   * @param baseDir the directory against which relative file paths are resolved
   */
  public ConfigParser(PluginRegistry registry, Path baseDir) {
    this(registry, baseDir, DiscoveryKinds.builtIn());
  }

  /**
   * @param kinds the endpoint source kinds a service's {@code discovery} may name
   */
  public ConfigParser(PluginRegistry registry, Path baseDir, DiscoveryKinds kinds) {
    this.registry = registry;
    this.baseDir = baseDir;
    this.kinds = kinds;
  }

  /** Parses {@code loaded}; the result holds its load problems and the parser's own. */
  public ConfigResult parse(LoadResult loaded) {
    if (loaded.root() == null) {
      return new ConfigResult(null, loaded.problems());
    }
    Run run = new Run(registry);
    GatewayConfig config = run.gateway(loaded.root(), version(loaded.text()));
    Problems all = merge(loaded.problems(), run.problems);
    return all.isEmpty() ? new ConfigResult(config, all) : new ConfigResult(null, all);
  }

  /** The first 12 hex digits of the SHA-256 of the document text. */
  public static String version(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  /**
   * Load problems and parse problems in document order. A node the loader already reported (an
   * unset variable, an alias) gets no follow-on problem from the parser.
   */
  private static Problems merge(Problems load, Problems parse) {
    Set<String> reported = new HashSet<>();
    List<Problem> all = new ArrayList<>(load.list());
    for (Problem p : all) {
      if (!p.message().startsWith(ConfigLoader.DUPLICATE_KEY)) {
        reported.add(p.path());
      }
    }
    for (Problem p : parse.list()) {
      if (!reported.contains(p.path()) || p.path().isEmpty()) {
        all.add(p);
      }
    }
    all.sort(
        Comparator.comparingInt((Problem p) -> p.location().line())
            .thenComparingInt(p -> p.location().column()));
    Problems merged = new Problems();
    all.forEach(merged::add);
    return merged;
  }

  /**
   * The state of one parse: its problems and the readers every section shares (it is the sections'
   * {@link SectionReaders}), and the plugin factories in effect.
   */
  private final class Run extends SectionReaders {

    final ServicePolicies policies = new ServicePolicies(problems, this::readableFile);
    PluginRegistry factories;
    AiConfig ai;
    AiSection aiRoutes;

    Run(PluginRegistry factories) {
      super(new Problems(), ConfigParser.this.baseDir);
      this.factories = factories;
    }

    GatewayConfig gateway(ConfigNode root, String version) {
      ConfigReader top = ConfigReader.of(root, problems);
      RuntimeSection runtimeSection = new RuntimeSection(this, factories);
      RuntimeConfig runtime = runtimeSection.parse(top.object("runtime"));
      factories = runtimeSection.factories();
      List<ListenerConfig> listeners = new ListenersSection(this).parse(top);
      AdminConfig admin = new AdminSection(this).parse(top, listeners);
      AiSection aiSection =
          new AiSection(problems, baseDir, kinds.find(DiscoveryKinds.DEFAULT), kinds.find("dns"));
      ai = aiSection.parse(top.child("ai"));
      List<ServiceConfig> services = services(top);
      if (ai != null) {
        services = aiServices(services, aiSection.services(ai), top.child("ai"));
      }
      aiRoutes = aiSection;
      List<RouteConfig> routes = routes(top, services);
      List<PluginSpec> global = plugins(top.child("plugins"));
      ConsumersSection consumerSection = new ConsumersSection(this, factories);
      List<ConsumerConfig> consumers = consumerSection.parse(top);
      consumerSection.checkConsumerReferences(consumers, global, services, routes);
      LimitsConfig limits = new LimitsSection(this).parse(top.object("limits"));
      ForwardingConfig forwarding = new ForwardingSection(this).parse(top.object("forwarding"));
      MetricsConfig metrics = MetricsSection.parse(top.object("metrics"));
      TracingConfig tracing = new TracingSection(problems).parse(top.child("tracing"));
      AlertsConfig alerts =
          new AlertsSection(problems, baseDir)
              .parse(top.child("alerts"), routes, services, listeners);
      top.finish();
      return new GatewayConfig(
          listeners,
          admin,
          services,
          routes,
          global,
          consumers,
          limits,
          forwarding,
          runtime,
          tracing,
          root,
          version,
          metrics,
          alerts);
    }

    // ---- services

    /** The configured services and the AI providers' services, whose names must not clash. */
    List<ServiceConfig> aiServices(
        List<ServiceConfig> configured, List<ServiceConfig> providers, ConfigNode aiNode) {
      List<ServiceConfig> all = new ArrayList<>(configured);
      for (ServiceConfig p : providers) {
        if (configured.stream().anyMatch(s -> p.name().equals(s.name()))) {
          problems.at(
              aiNode, "service name " + p.name() + " is taken by the ai provider of that name");
        }
        all.add(p);
      }
      return List.copyOf(all);
    }

    List<ServiceConfig> services(ConfigReader top) {
      List<ServiceConfig> out = new ArrayList<>();
      Map<String, ConfigNode> names = new HashMap<>();
      for (ConfigNode item : listOf(top.child("services"), "a list of services")) {
        ConfigReader r = ConfigReader.of(item, problems);
        ConfigNode nameNode = r.required("name", NAME_RULE);
        String name = nameNode == null ? null : name(nameNode);
        if (name != null) {
          unique(names, name, nameNode, "service");
        }
        DiscoverySpec discovery = discovery(r);
        UpstreamTlsConfig tls = policies.tls(r, discovery);
        BalancerConfig balancer = policies.balancer(r);
        HealthConfig health = policies.health(r);
        UpstreamProtocolConfig protocol = new UpstreamProtocolSection(problems).parse(r, tls);
        ConfigReader t = r.object("timeouts");
        TimeoutsConfig timeouts =
            new TimeoutsConfig(
                positiveDuration(t, "connect", TimeoutsConfig.DEFAULTS.connect()),
                positiveDuration(t, "response", TimeoutsConfig.DEFAULTS.response()),
                positiveDuration(t, "idle", TimeoutsConfig.DEFAULTS.idle()));
        t.finish();
        ConfigReader p = r.object("pool");
        PoolConfig pool =
            new PoolConfig(
                p.integer("max-connections", PoolConfig.DEFAULTS.maxConnections(), 1, 1_000_000),
                p.integer("max-pending", PoolConfig.DEFAULTS.maxPending(), 0, 1_000_000),
                positiveDuration(p, "idle-timeout", PoolConfig.DEFAULTS.idleTimeout()));
        p.finish();
        ConfigReader rt = r.object("retry");
        RetryConfig retry =
            new RetryConfig(
                rt.integer("attempts", RetryConfig.DEFAULTS.attempts(), 0, 10),
                rt.integer("budget-percent", RetryConfig.DEFAULTS.budgetPercent(), 0, 100));
        rt.finish();
        String hostHeader = r.string("host-header", null);
        if (hostHeader != null && (hostHeader.isEmpty() || hostHeader.contains(" "))) {
          problems.expected(r.child("host-header"), "a host such as api.internal or api:8080");
          hostHeader = null;
        }
        List<PluginSpec> plugins = plugins(r.child("plugins"));
        r.finish();
        out.add(
            new ServiceConfig(
                name,
                discovery,
                timeouts,
                pool,
                retry,
                hostHeader,
                plugins,
                tls,
                balancer,
                health,
                protocol));
      }
      return List.copyOf(out);
    }

    /**
     * The service's endpoint source: the kind its {@code discovery} names, as a name ({@code
     * discovery: static}) or as the {@code kind} of an object holding the kind's settings ({@code
     * discovery: { kind: dns, ... }}); default {@code static}. The kind parses its own keys; null
     * when the kind is unknown.
     */
    DiscoverySpec discovery(ConfigReader service) {
      ConfigNode node = service.child("discovery");
      String name = DiscoveryKinds.DEFAULT;
      if (node != null) {
        ConfigNode nameNode = node;
        if (node.isObject()) {
          nameNode = node.fields().get("kind");
          if (nameNode == null || nameNode.isNull()) {
            problems.add(
                new Problem(
                    node.location(),
                    node.childPath("kind"),
                    "missing (expected: one of " + String.join(", ", kinds.names()) + ")"));
            return null;
          }
        }
        name = nameNode.isScalar() ? nameNode.text() : null;
        DiscoveryKind<?> kind = name == null ? null : kinds.find(name);
        if (kind == null) {
          String hint = name == null ? null : Suggestions.closest(name, kinds.names());
          problems.at(
              nameNode,
              nameNode.describe()
                  + " (expected: one of "
                  + String.join(", ", kinds.names())
                  + ")"
                  + (hint == null ? "" : "; did you mean \"" + hint + "\"?"));
          return null;
        }
      }
      DiscoveryKind<?> kind = kinds.find(name);
      return new DiscoverySpec(kind, kind.parse(service));
    }

    // ---- routes

    List<RouteConfig> routes(ConfigReader top, List<ServiceConfig> services) {
      Set<String> serviceNames = new LinkedHashSet<>();
      for (ServiceConfig s : services) {
        if (s.name() != null) {
          serviceNames.add(s.name());
        }
      }
      List<RouteConfig> out = new ArrayList<>();
      Map<String, ConfigNode> names = new HashMap<>();
      for (ConfigNode item : listOf(top.child("routes"), "a list of routes")) {
        ConfigReader r = ConfigReader.of(item, problems);
        ConfigNode nameNode = r.required("name", NAME_RULE);
        String name = nameNode == null ? null : name(nameNode);
        if (name != null) {
          unique(names, name, nameNode, "route");
        }
        List<String> hosts = new ArrayList<>();
        for (ConfigNode host : stringItems(r, "hosts")) {
          if (checked(host, RoutePatterns.checkHost(host.text()))) {
            hosts.add(host.text().toLowerCase(Locale.ROOT));
          }
        }
        String pathMatch = r.oneOf("path-match", "prefix", List.of("prefix", "exact"));
        List<String> paths = new ArrayList<>();
        List<Set<String>> pathVariables = new ArrayList<>();
        List<ConfigNode> pathNodes = stringItems(r, "paths");
        for (ConfigNode path : pathNodes) {
          if (checked(path, RoutePatterns.checkPath(path.text()))) {
            paths.add(path.text());
            pathVariables.add(variables(path.text()));
          }
        }
        if (!r.has("paths")) {
          paths.add("/");
          pathVariables.add(Set.of());
        } else if (r.child("paths").isList() && pathNodes.isEmpty()) {
          problems.expected(r.child("paths"), "at least one path; omit paths to match every path");
        }
        List<String> methods = new ArrayList<>();
        for (ConfigNode method : stringItems(r, "methods")) {
          String upper = method.text().toUpperCase(Locale.ROOT);
          if (METHODS.contains(upper)) {
            methods.add(upper);
          } else {
            problems.expected(method, "an HTTP method: " + String.join(", ", METHODS));
          }
        }
        Map<String, String> headers = headers(r);
        Map<String, String> query = query(r);
        int priority = r.integer("priority", 0, -1_000_000, 1_000_000);
        ConfigNode serviceNode = r.child("service");
        String service = serviceReference(serviceNode, serviceNames, problems);
        boolean stripPrefix = r.bool("strip-prefix", false);
        String rewritePath = rewritePath(r, pathVariables);
        if (stripPrefix && rewritePath != null) {
          problems.expected(
              r.child("strip-prefix"), "false when rewrite-path is set (use one or the other)");
        }
        boolean preserveHost = r.bool("preserve-host", false);
        TimeoutsConfig.TimeoutsOverride timeouts = null;
        if (r.has("timeouts")) {
          ConfigReader t = r.object("timeouts");
          timeouts =
              new TimeoutsConfig.TimeoutsOverride(
                  positiveDuration(t, "connect", null),
                  positiveDuration(t, "response", null),
                  positiveDuration(t, "idle", null));
          t.finish();
        }
        List<PluginSpec> plugins = plugins(r.child("plugins"));
        boolean accessLog = r.bool("access-log", true);
        ConfigNode pluginsNode = r.child("plugins");
        ConfigNode aggregateNode = r.child("aggregate");
        AggregateConfig aggregate = null;
        ConfigNode aiNode = r.child("ai");
        AiConfig.Route ai = aiNode == null ? null : aiRoutes.route(aiNode, this.ai);
        if (aiNode != null) {
          for (String forwardingOnly :
              List.of("service", "strip-prefix", "rewrite-path", "preserve-host", "aggregate")) {
            if (r.has(forwardingOnly)) {
              problems.expected(
                  r.child(forwardingOnly),
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
              problems.expected(
                  r.child(forwardingOnly),
                  "no "
                      + forwardingOnly
                      + " on a route with aggregate (each backend names its"
                      + " service and path)");
            }
          }
        }
        TrafficConfig traffic = new TrafficSection(problems, serviceNames).parse(r);
        if (aiNode == null
            && aggregateNode == null
            && serviceNode == null
            && (pluginsNode == null || pluginsNode.fields().isEmpty())) {
          problems.at(item, "a route needs a service, an aggregate or a plugin that answers it");
        }
        r.finish();
        out.add(
            new RouteConfig(
                name,
                List.copyOf(hosts),
                List.copyOf(paths),
                pathMatch,
                List.copyOf(methods),
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
                accessLog));
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
        if (!TOKEN.matcher(e.getKey()).matches()) {
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

    String rewritePath(ConfigReader r, List<Set<String>> pathVariables) {
      ConfigNode node = r.child("rewrite-path");
      if (node == null) {
        return null;
      }
      if (!node.isScalar() || node.text().startsWith("~")) {
        problems.expected(node, "a path template such as /v2/users/{id}");
        return null;
      }
      String template = node.text();
      if (!checked(node, RoutePatterns.checkPath(template))) {
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
      for (String variable : variables(template)) {
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

    // ---- plugins

    List<PluginSpec> plugins(ConfigNode node) {
      if (node == null) {
        return List.of();
      }
      if (!node.isObject()) {
        problems.expected(node, "an object of plugin-name: config");
        return List.of();
      }
      List<PluginSpec> out = new ArrayList<>();
      for (Map.Entry<String, ConfigNode> e : node.fields().entrySet()) {
        String name = e.getKey();
        ConfigNode config = e.getValue();
        PluginFactory<?> factory = factories.find(name);
        if (factory == null) {
          String hint = Suggestions.closest(name, factories.names());
          problems.at(
              config,
              "unknown plugin \""
                  + name
                  + (factories.names().isEmpty()
                      ? "\" (expected: an installed plugin; none is installed)"
                      : "\" (expected one of: " + join(factories.names()) + ")")
                  + (hint == null ? "" : "; did you mean \"" + hint + "\"?"));
          continue;
        }
        Object parsed = parsePlugin(name, factory, config);
        if (parsed != null) {
          out.add(new PluginSpec(name, factory, parsed, config));
        }
      }
      return List.copyOf(out);
    }

    /**
     * Runs the factory on its own problems, so a factory that also calls finish() is harmless, and
     * keeps what it returned only when no problem was recorded (the contract of {@link
     * PluginFactory#parse}).
     */
    Object parsePlugin(String name, PluginFactory<?> factory, ConfigNode config) {
      Problems own = new Problems();
      Object parsed = null;
      try {
        ConfigReader reader = ConfigReader.of(config, own);
        parsed = factory.parse(reader);
        reader.finish();
      } catch (RuntimeException e) {
        own.at(
            config, "plugin \"" + name + "\" failed to read its config (expected: no error): " + e);
      }
      Set<Problem> distinct = new LinkedHashSet<>(own.list());
      distinct.forEach(problems::add);
      if (parsed == null && distinct.isEmpty()) {
        problems.at(config, "plugin \"" + name + "\" rejected its config without saying why");
      }
      return distinct.isEmpty() ? parsed : null;
    }
  }

  /** The variable names of a path template, or the named groups of a {@code ~regex}. */
  static Set<String> variables(String pattern) {
    Set<String> out = new LinkedHashSet<>();
    Matcher m = (pattern.startsWith("~") ? NAMED_GROUP : TEMPLATE_VARIABLE).matcher(pattern);
    while (m.find()) {
      String name = m.group(1);
      int colon = name.indexOf(':');
      if (colon >= 0) {
        name = name.substring(0, colon);
      }
      if (name.endsWith("*")) {
        name = name.substring(0, name.length() - 1);
      }
      out.add(name.strip());
    }
    return out;
  }

  private static String join(Set<String> names) {
    return String.join(", ", names);
  }
}
