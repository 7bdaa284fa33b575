package io.portico.config;

import io.portico.plugin.PluginLoadException;
import io.portico.plugin.PluginRegistry;
import io.portico.router.RoutePatterns;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problem;
import io.portico.spi.config.Problems;
import io.portico.spi.config.Suggestions;
import io.portico.spi.plugin.ConsumerReferences;
import io.portico.spi.plugin.CredentialChecker;
import io.portico.spi.plugin.PluginFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
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
  private static final Pattern TOKEN_HASH = Pattern.compile("sha256:[0-9a-fA-F]{64}");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
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

  /** The state of one parse: its problems and the plugin factories in effect. */
  private final class Run {

    final Problems problems = new Problems();
    final ServicePolicies policies = new ServicePolicies(problems, this::readableFile);
    PluginRegistry factories;
    AiConfig ai;
    AiSection aiRoutes;

    Run(PluginRegistry factories) {
      this.factories = factories;
    }

    GatewayConfig gateway(ConfigNode root, String version) {
      ConfigReader top = ConfigReader.of(root, problems);
      RuntimeConfig runtime = runtime(top.object("runtime"));
      List<ListenerConfig> listeners = listeners(top);
      AdminConfig admin = admin(top, listeners);
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
      List<ConsumerConfig> consumers = consumers(top);
      checkConsumerReferences(consumers, global, services, routes);
      LimitsConfig limits = limits(top.object("limits"));
      ForwardingConfig forwarding = forwarding(top.object("forwarding"));
      MetricsConfig metrics = MetricsSection.parse(top.object("metrics"));
      TracingConfig tracing = new TracingSection(problems).parse(top.child("tracing"));
      AlertsConfig alerts =
          new AlertsSection(problems, baseDir)
              .parse(top.child("alerts"), routes, services, listeners);
      PortalConfig portal = PortalSection.parse(top.child("portal"), top);
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
          alerts,
          portal);
    }

    // ---- listeners and admin

    List<ListenerConfig> listeners(ConfigReader top) {
      ConfigNode node = top.child("listeners");
      if (node == null) {
        return List.of(new ListenerConfig("http-8080", DEFAULT_LISTENER, null, true));
      }
      List<ConfigNode> items = listOf(node, "a list of listeners");
      if (node.isList() && items.isEmpty()) {
        problems.expected(node, "at least one listener");
      }
      List<ListenerConfig> out = new ArrayList<>();
      Map<String, ConfigNode> names = new HashMap<>();
      Map<InetSocketAddress, ConfigNode> addresses = new HashMap<>();
      for (ConfigNode item : items) {
        ConfigReader r = ConfigReader.of(item, problems);
        ConfigNode addressNode = r.required("address", Addresses.BIND_RULE);
        InetSocketAddress address = addressNode == null ? null : bindAddress(addressNode);
        TlsConfig tls = r.has("tls") ? tls(ConfigReader.of(r.child("tls"), problems)) : null;
        boolean http2 = r.bool("http2", true);
        ConfigNode nameNode = r.child("name");
        if (nameNode != null) {
          unique(names, name(nameNode), nameNode, "listener");
        }
        String name = nameNode != null ? nameNode.text() : defaultName(names, tls, address, item);
        if (address != null && address.getPort() != 0) {
          ConfigNode first = addresses.putIfAbsent(address, addressNode);
          if (first != null) {
            problems.expected(
                addressNode,
                "an address not used by another listener; " + first.path() + " has it");
          }
        }
        r.finish();
        out.add(new ListenerConfig(name, address, tls, http2));
      }
      return List.copyOf(out);
    }

    /** {@code http-<port>} or {@code https-<port>}, suffixed {@code -2}, {@code -3}... if taken. */
    String defaultName(
        Map<String, ConfigNode> names, TlsConfig tls, InetSocketAddress address, ConfigNode item) {
      String base = (tls == null ? "http-" : "https-") + (address == null ? 0 : address.getPort());
      String name = base;
      for (int n = 2; names.containsKey(name); n++) {
        name = base + "-" + n;
      }
      names.put(name, item);
      return name;
    }

    TlsConfig tls(ConfigReader r) {
      List<TlsConfig.Certificate> certificates = new ArrayList<>();
      ConfigNode list = r.required("certificates", "a list of {cert, key, server-names}");
      if (list != null) {
        List<ConfigNode> items = listOf(list, "a list of {cert, key, server-names}");
        if (list.isList() && items.isEmpty()) {
          problems.expected(list, "at least one certificate");
        }
        for (ConfigNode item : items) {
          ConfigReader c = ConfigReader.of(item, problems);
          Path cert = readableFile(c.required("cert", "a PEM certificate chain file"));
          Path key = readableFile(c.required("key", "a PEM private key file"));
          List<String> serverNames = new ArrayList<>();
          for (ConfigNode name : stringItems(c, "server-names")) {
            if (checked(name, RoutePatterns.checkHost(name.text()))) {
              serverNames.add(name.text().toLowerCase(Locale.ROOT));
            }
          }
          c.finish();
          certificates.add(new TlsConfig.Certificate(List.copyOf(serverNames), cert, key));
        }
      }
      List<String> protocols = new ArrayList<>();
      if (r.has("protocols")) {
        for (ConfigNode p : stringItems(r, "protocols")) {
          if (TLS_PROTOCOLS.contains(p.text())) {
            protocols.add(p.text());
          } else {
            problems.expected(p, "one of " + String.join(", ", TLS_PROTOCOLS));
          }
        }
      } else {
        protocols.addAll(TLS_PROTOCOLS);
      }
      String clientAuth = r.oneOf("client-auth", "none", List.of("none", "optional", "require"));
      Path clientCa = null;
      if (!clientAuth.equals("none")) {
        clientCa = readableFile(r.required("client-ca", "a PEM file of client certificate CAs"));
      } else if (r.has("client-ca")) {
        problems.at(
            r.child("client-ca"),
            "client-ca without client-auth (expected: client-auth: optional or require)");
      }
      r.finish();
      return new TlsConfig(
          List.copyOf(certificates),
          List.copyOf(protocols),
          TlsConfig.ClientAuth.valueOf(clientAuth.toUpperCase(Locale.ROOT)),
          clientCa);
    }

    AdminConfig admin(ConfigReader top, List<ListenerConfig> listeners) {
      ConfigNode node = top.child("admin");
      if (node == null) {
        return new AdminConfig(
            DEFAULT_ADMIN,
            null,
            List.of(),
            List.of(),
            baseDir.resolve(DEFAULT_ADMIN_STORE),
            AdminConfig.DEFAULT_HISTORY);
      }
      if (isOff(node)) {
        return new AdminConfig(
            null,
            null,
            List.of(),
            List.of(),
            baseDir.resolve(DEFAULT_ADMIN_STORE),
            AdminConfig.DEFAULT_HISTORY);
      }
      ConfigReader r = ConfigReader.of(node, problems);
      InetSocketAddress address = DEFAULT_ADMIN;
      ConfigNode addressNode = r.child("address");
      if (addressNode != null) {
        address = isOff(addressNode) ? null : bindAddress(addressNode);
      }
      for (ListenerConfig listener : listeners) {
        if (address != null && address.getPort() != 0 && address.equals(listener.address())) {
          problems.expected(
              addressNode,
              "an address not used by a listener; listener " + listener.name() + " has it");
        }
      }
      String token = r.string("token", null);
      List<AdminConfig.Token> tokens = adminTokens(r, token);
      if (token != null && token.isEmpty()) {
        problems.expected(r.child("token"), "a non-empty token");
      } else if (address != null
          && !address.getAddress().isLoopbackAddress()
          && token == null
          && tokens.isEmpty()) {
        problems.expected(
            addressNode,
            "a loopback address such as 127.0.0.1:9901, or a token in admin.token or"
                + " admin.tokens");
      }
      Path store = baseDir.resolve(DEFAULT_ADMIN_STORE);
      ConfigNode storeNode = r.child("store");
      if (storeNode != null) {
        if (isOff(storeNode)) {
          store = null;
        } else if (!storeNode.isScalar() || storeNode.text().isEmpty()) {
          problems.expected(storeNode, "a directory, or off");
        } else {
          store = baseDir.resolve(storeNode.text());
          if (Files.exists(store) && !Files.isDirectory(store)) {
            problems.expected(storeNode, "a directory (it is a file)");
          }
        }
      }
      int history = r.integer("history", AdminConfig.DEFAULT_HISTORY, 1, 100_000);
      ConsoleConfig console = ConsoleSection.parse(r.child("console"), r);
      List<String> allowedHosts = new ArrayList<>();
      for (ConfigNode host : stringItems(r, "allowed-hosts")) {
        String name = Addresses.hostName(host.text());
        if (name == null) {
          problems.expected(host, Addresses.HOST_RULE);
        } else {
          allowedHosts.add(name);
        }
      }
      r.finish();
      return new AdminConfig(
          address,
          token == null || token.isEmpty() ? null : token,
          List.copyOf(allowedHosts),
          tokens,
          store,
          history,
          console);
    }

    /**
     * {@code admin.tokens}: each {name, hash, role}; names unique, {@code admin} taken by {@code
     * admin.token} when that is set.
     */
    List<AdminConfig.Token> adminTokens(ConfigReader admin, String plainToken) {
      List<AdminConfig.Token> out = new ArrayList<>();
      Map<String, ConfigNode> names = new HashMap<>();
      for (ConfigNode item : listOf(admin.child("tokens"), "a list of {name, hash, role}")) {
        ConfigReader t = ConfigReader.of(item, problems);
        ConfigNode nameNode = t.required("name", NAME_RULE);
        String name = nameNode == null ? null : name(nameNode);
        if (name != null) {
          if (plainToken != null && name.equals(ADMIN_TOKEN_NAME)) {
            problems.expected(nameNode, "a name other than admin, which admin.token has");
          }
          unique(names, name, nameNode, "admin token");
        }
        ConfigNode hashNode = t.required("hash", TOKEN_HASH_RULE);
        String hash = null;
        if (hashNode != null) {
          if (hashNode.isScalar() && TOKEN_HASH.matcher(hashNode.text()).matches()) {
            hash = hashNode.text().toLowerCase(Locale.ROOT);
          } else {
            problems.expected(hashNode, TOKEN_HASH_RULE);
          }
        }
        String role = t.oneOf("role", "read-only", List.of("read-only", "read-write"));
        t.finish();
        if (name != null && hash != null) {
          out.add(
              new AdminConfig.Token(
                  name,
                  hash,
                  role.equals("read-write")
                      ? AdminConfig.Role.READ_WRITE
                      : AdminConfig.Role.READ_ONLY));
        }
      }
      return List.copyOf(out);
    }

    InetSocketAddress bindAddress(ConfigNode node) {
      if (!node.isScalar()) {
        problems.expected(node, Addresses.BIND_RULE);
        return null;
      }
      InetSocketAddress address = Addresses.bindAddress(node.text());
      if (address == null) {
        problems.expected(node, Addresses.BIND_RULE);
      }
      return address;
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
        String service = null;
        if (serviceNode != null) {
          service = serviceNode.isScalar() ? serviceNode.text() : null;
          if (service == null || !serviceNames.contains(service)) {
            String hint = service == null ? null : Suggestions.closest(service, serviceNames);
            problems.at(
                serviceNode,
                serviceNode.describe()
                    + " (expected: the name of a service"
                    + (serviceNames.isEmpty() ? "; none is defined" : ": " + join(serviceNames))
                    + ")"
                    + (hint == null ? "" : "; did you mean \"" + hint + "\"?"));
            service = null;
          }
        }
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

    // ---- consumers

    List<ConsumerConfig> consumers(ConfigReader top) {
      List<ConsumerConfig> out = new ArrayList<>();
      Map<String, ConfigNode> names = new HashMap<>();
      for (ConfigNode item : listOf(top.child("consumers"), "a list of consumers")) {
        ConfigReader r = ConfigReader.of(item, problems);
        ConfigNode nameNode = r.required("name", "a non-empty name");
        String name = null;
        if (nameNode != null) {
          if (!nameNode.isScalar() || nameNode.text().isEmpty() || !headerSafe(nameNode)) {
            problems.expected(nameNode, "a non-empty name without control characters");
          } else {
            name = nameNode.text();
            unique(names, name, nameNode, "consumer");
          }
        }
        String customId = r.string("custom-id", null);
        if (customId != null && !headerSafe(r.child("custom-id"))) {
          problems.expected(r.child("custom-id"), "an id without control characters");
          customId = null;
        }
        List<String> groups = new ArrayList<>();
        for (ConfigNode group : stringItems(r, "groups")) {
          if (headerSafe(group) && !group.text().isEmpty()) {
            groups.add(group.text());
          } else {
            problems.expected(group, "a group name without control characters");
          }
        }
        Map<String, ConfigNode> credentials = new LinkedHashMap<>();
        ConfigNode creds = r.child("credentials");
        if (creds != null) {
          if (creds.isObject()) {
            credentials.putAll(creds.fields());
            checkCredentials(creds);
          } else {
            problems.expected(creds, "an object of credential-kind: config");
          }
        }
        r.finish();
        out.add(
            new ConsumerConfig(
                name, customId, List.copyOf(groups), Collections.unmodifiableMap(credentials)));
      }
      return List.copyOf(out);
    }

    /** Plugins that name consumers (an {@code anonymous} fallback) must name existing ones. */
    private void checkConsumerReferences(
        List<ConsumerConfig> consumers,
        List<PluginSpec> global,
        List<ServiceConfig> services,
        List<RouteConfig> routes) {
      Set<String> names = new HashSet<>();
      for (ConsumerConfig c : consumers) {
        if (c.name() != null) {
          names.add(c.name());
        }
      }
      List<PluginSpec> specs = new ArrayList<>(global);
      services.forEach(s -> specs.addAll(s.plugins()));
      routes.forEach(r -> specs.addAll(r.plugins()));
      for (PluginSpec spec : specs) {
        if (spec.config() != null && spec.factory() instanceof ConsumerReferences<?> references) {
          checkReferences(references, spec, names);
        }
      }
    }

    /** The factory's {@code parse} made {@code spec.config()}, so it has the factory's type. */
    @SuppressWarnings("unchecked")
    private <C> void checkReferences(
        ConsumerReferences<C> references, PluginSpec spec, Set<String> names) {
      references.checkConsumerReferences((C) spec.config(), spec.node(), names, problems);
    }

    /**
     * Each credential kind must name a plugin; a plugin that knows its credentials checks them
     * here, so {@code portico validate} reports them.
     */
    private void checkCredentials(ConfigNode creds) {
      for (Map.Entry<String, ConfigNode> e : creds.fields().entrySet()) {
        PluginFactory<?> factory = factories.find(e.getKey());
        if (factory == null) {
          problems.at(
              e.getValue(),
              "unknown credential kind \""
                  + e.getKey()
                  + "\" (expected: the name of an authentication plugin)");
        } else if (factory instanceof CredentialChecker checker) {
          checker.checkCredentials(e.getValue(), problems);
        }
      }
    }

    // ---- limits, forwarding, runtime

    LimitsConfig limits(ConfigReader r) {
      LimitsConfig d = LimitsConfig.DEFAULTS;
      LimitsConfig limits =
          new LimitsConfig(
              intSize(r, "max-request-line", d.maxRequestLine(), 256),
              intSize(r, "max-header-size", d.maxHeaderSize(), 1024),
              r.integer("max-header-count", d.maxHeaderCount(), 1, 10_000),
              intSize(r, "max-header-field-size", d.maxHeaderFieldSize(), 256),
              r.integer("max-chunk-extensions", d.maxChunkExtensions(), 0, 1 << 20),
              intSize(r, "max-chunk-extensions-size", d.maxChunkExtensionsSize(), 0),
              r.size("max-body-size", d.maxBodySize()),
              positiveDuration(r, "header-timeout", d.headerTimeout()),
              positiveDuration(r, "body-timeout", d.bodyTimeout()),
              positiveDuration(r, "keep-alive-timeout", d.keepAliveTimeout()),
              r.integer("max-requests-per-connection", d.maxRequestsPerConnection(), 0, 1 << 30),
              r.integer(
                  "http2-max-concurrent-streams",
                  d.http2MaxConcurrentStreams(),
                  1,
                  Integer.MAX_VALUE),
              r.integer("http2-max-resets-per-window", d.http2MaxResetsPerWindow(), 1, 1 << 30),
              positiveDuration(r, "http2-reset-window", d.http2ResetWindow()),
              r.integer(
                  "http2-max-control-frames-per-window",
                  d.http2MaxControlFramesPerWindow(),
                  1,
                  1 << 30),
              positiveDuration(r, "http2-control-frame-window", d.http2ControlFrameWindow()),
              r.oneOf("path-policy", d.pathPolicy(), LimitsConfig.PATH_POLICIES),
              r.size(
                  "max-decoded-response-size",
                  d.maxDecodedResponseSize(),
                  1024,
                  ConfigReader.MAX_SIZE),
              r.integer("max-decoding-ratio", d.maxDecodingRatio(), 0, 1 << 20));
      r.finish();
      return limits;
    }

    ForwardingConfig forwarding(ConfigReader r) {
      ForwardingConfig d = ForwardingConfig.DEFAULTS;
      List<String> trusted = new ArrayList<>();
      for (ConfigNode cidr : stringItems(r, "trusted-proxies")) {
        if (Addresses.isCidr(cidr.text())) {
          trusted.add(cidr.text());
        } else {
          problems.expected(cidr, Addresses.CIDR_RULE);
        }
      }
      String via = r.string("via", d.via());
      if ("off".equals(via)) {
        via = null;
      } else if (via != null && !TOKEN.matcher(via).matches()) {
        problems.expected(r.child("via"), "a pseudonym such as portico, or off");
        via = d.via();
      }
      String requestIdHeader = r.string("request-id-header", d.requestIdHeader());
      if (requestIdHeader != null && !TOKEN.matcher(requestIdHeader).matches()) {
        problems.expected(r.child("request-id-header"), "a header name such as X-Request-Id");
        requestIdHeader = d.requestIdHeader();
      }
      String clientAddressHeader =
          r.oneOf(
              "client-address-header",
              d.clientAddressHeader(),
              ForwardingConfig.CLIENT_ADDRESS_HEADERS);
      r.finish();
      return new ForwardingConfig(List.copyOf(trusted), via, requestIdHeader, clientAddressHeader);
    }

    RuntimeConfig runtime(ConfigReader r) {
      RuntimeConfig d = RuntimeConfig.DEFAULTS;
      int ioThreads = r.integer("io-threads", d.ioThreads(), 0, 1024);
      Duration shutdownTimeout =
          r.duration("shutdown-timeout", d.shutdownTimeout(), Duration.ZERO, Duration.ofHours(1));
      AccessLogConfig accessLog = d.accessLog();
      ConfigNode log = r.child("access-log");
      if (log != null) {
        accessLog = new AccessLogSection(problems, baseDir).parse(log);
      }
      boolean watchConfig = r.bool("watch-config", d.watchConfig());
      Path pluginDir = d.pluginDir();
      ConfigNode dirNode = r.child("plugin-dir");
      if (dirNode != null) {
        pluginDir = pluginDir(dirNode);
      }
      r.finish();
      return new RuntimeConfig(ioThreads, shutdownTimeout, accessLog, watchConfig, pluginDir);
    }

    Path pluginDir(ConfigNode node) {
      if (!node.isScalar() || node.text().isEmpty()) {
        problems.expected(node, "a directory of plugin jars");
        return null;
      }
      Path dir = baseDir.resolve(node.text()).normalize();
      if (!Files.isDirectory(dir)) {
        problems.expected(node, "a directory of plugin jars; " + dir + " is not a directory");
        return null;
      }
      try {
        factories = factories.withPluginDir(dir);
      } catch (PluginLoadException e) {
        problems.at(node, e.getMessage());
      }
      return dir;
    }

    // ---- shared readers

    boolean isOff(ConfigNode node) {
      return node.isScalar() && node.text().equals("off");
    }

    /** The items of a list node; null reads as empty, anything else is reported. */
    List<ConfigNode> listOf(ConfigNode node, String expected) {
      if (node == null) {
        return List.of();
      }
      if (!node.isList()) {
        problems.expected(node, expected);
        return List.of();
      }
      return node.items();
    }

    /** The scalar items of a list of strings (a lone scalar counts as one item). */
    List<ConfigNode> stringItems(ConfigReader r, String key) {
      ConfigNode node = r.child(key);
      if (node == null) {
        return List.of();
      }
      if (node.isScalar()) {
        return List.of(node);
      }
      if (!node.isList()) {
        problems.expected(node, "a list of strings");
        return List.of();
      }
      List<ConfigNode> out = new ArrayList<>();
      for (ConfigNode item : node.items()) {
        if (item.isScalar()) {
          out.add(item);
        } else {
          problems.expected(item, "a string");
        }
      }
      return out;
    }

    String name(ConfigNode node) {
      if (!node.isScalar() || !NAME.matcher(node.text()).matches()) {
        problems.expected(node, NAME_RULE);
        return null;
      }
      return node.text();
    }

    void unique(Map<String, ConfigNode> seen, String name, ConfigNode node, String what) {
      if (name == null) {
        return;
      }
      ConfigNode first = seen.putIfAbsent(name, node);
      if (first != null) {
        problems.expected(node, "a " + what + " name not used before; " + first.path() + " has it");
      }
    }

    /**
     * Whether a scalar can travel in a header (a consumer's name, id and groups are forwarded
     * upstream): no control character but HTAB.
     */
    boolean headerSafe(ConfigNode node) {
      return node.text().chars().noneMatch(c -> (c < 0x20 && c != '\t') || c == 0x7F);
    }

    /** Records {@code rule} as expected at {@code node} when it is not null. */
    boolean checked(ConfigNode node, String rule) {
      if (rule != null) {
        problems.expected(node, rule);
        return false;
      }
      return true;
    }

    Duration positiveDuration(ConfigReader r, String key, Duration defaultValue) {
      return r.duration(key, defaultValue, Duration.ofMillis(1), ConfigReader.MAX_DURATION);
    }

    /** A size that fits an {@code int}: from {@code min} bytes to 1g. */
    int intSize(ConfigReader r, String key, int defaultValue, int min) {
      return (int) r.size(key, defaultValue, min, 1L << 30);
    }

    Path readableFile(ConfigNode node) {
      if (node == null) {
        return null;
      }
      if (!node.isScalar() || node.text().isEmpty()) {
        problems.expected(node, "a file path");
        return null;
      }
      Path file = baseDir.resolve(node.text()).normalize();
      String reason =
          !Files.exists(file)
              ? " does not exist"
              : !Files.isRegularFile(file)
                  ? " is not a file"
                  : !Files.isReadable(file) ? " is not readable" : null;
      if (reason != null) {
        problems.expected(node, "a readable PEM file; " + file + reason);
        return null;
      }
      return file;
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
