package io.portico.config;

import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problem;
import io.portico.spi.config.Problems;
import io.portico.spi.config.Suggestions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Parses the top-level {@code services} section into {@link ServiceConfig}s: each service's name
 * (unique), endpoint source (the {@link DiscoveryKind} its {@code discovery} names), TLS, balancer
 * and health ({@link ServicePolicies}), upstream protocol, timeouts, pool, retry, host header and
 * plugins; and adds the AI providers' services, whose names must not clash.
 */
final class ServicesSection {

  private final SectionReaders in;
  private final Problems problems;
  private final ServicePolicies policies;
  private final DiscoveryKinds kinds;
  private final PluginsSection pluginSection;

  ServicesSection(
      SectionReaders in,
      ServicePolicies policies,
      DiscoveryKinds kinds,
      PluginsSection pluginSection) {
    this.in = in;
    this.problems = in.problems;
    this.policies = policies;
    this.kinds = kinds;
    this.pluginSection = pluginSection;
  }

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

  List<ServiceConfig> parse(ConfigReader top) {
    List<ServiceConfig> out = new ArrayList<>();
    Map<String, ConfigNode> names = new HashMap<>();
    for (ConfigNode item : in.listOf(top.child("services"), "a list of services")) {
      ConfigReader r = ConfigReader.of(item, problems);
      ConfigNode nameNode = r.required("name", ConfigParser.NAME_RULE);
      String name = nameNode == null ? null : in.name(nameNode);
      if (nameNode != null && name != null) {
        in.unique(names, name, nameNode, "service");
      }
      DiscoverySpec discovery = discovery(r);
      UpstreamTlsConfig tls = policies.tls(r, discovery);
      BalancerConfig balancer = policies.balancer(r);
      HealthConfig health = policies.health(r);
      UpstreamProtocolConfig protocol = new UpstreamProtocolSection(problems).parse(r, tls);
      ConfigReader t = r.object("timeouts", TimeoutsConfig.EXAMPLE);
      TimeoutsConfig timeouts =
          new TimeoutsConfig(
              in.positiveDuration(t, "connect", TimeoutsConfig.DEFAULTS.connect()),
              in.positiveDuration(t, "response", TimeoutsConfig.DEFAULTS.response()),
              in.positiveDuration(t, "idle", TimeoutsConfig.DEFAULTS.idle()));
      t.finish();
      ConfigReader p = r.object("pool");
      PoolConfig pool =
          new PoolConfig(
              p.integer("max-connections", PoolConfig.DEFAULTS.maxConnections(), 1, 1_000_000),
              p.integer("max-pending", PoolConfig.DEFAULTS.maxPending(), 0, 1_000_000),
              in.positiveDuration(p, "idle-timeout", PoolConfig.DEFAULTS.idleTimeout()));
      p.finish();
      ConfigReader rt = r.object("retry");
      RetryConfig retry =
          new RetryConfig(
              rt.integer("attempts", RetryConfig.DEFAULTS.attempts(), 0, 10),
              rt.integer("budget-percent", RetryConfig.DEFAULTS.budgetPercent(), 0, 100));
      rt.finish();
      String hostHeader = r.string("host-header", null);
      if (hostHeader != null && (hostHeader.isEmpty() || hostHeader.contains(" "))) {
        r.expected("host-header", "a host such as api.internal or api:8080");
        hostHeader = null;
      }
      List<PluginSpec> plugins = pluginSection.parse(r.child("plugins"));
      r.finish();
      if (name == null) {
        continue; // reported by in.name or r.required
      }
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
  @Nullable DiscoverySpec discovery(ConfigReader service) {
    ConfigNode node = service.child("discovery");
    DiscoveryKind<?> kind = kinds.find(DiscoveryKinds.DEFAULT);
    if (node != null) {
      ConfigNode nameNode = node;
      if (node.isObject()) {
        nameNode = node.fields().get("kind");
        if (nameNode == null || nameNode.isNull()) {
          // discovery: { dns: { name: ... } } is the shape of other gateways: name the fix.
          String nested =
              node.fields().keySet().stream()
                  .filter(kinds.names()::contains)
                  .findFirst()
                  .map(
                      k ->
                          "; \""
                              + k
                              + "\" is a kind: write discovery: { kind: "
                              + k
                              + ", ... } with its settings beside kind")
                  .orElse("");
          problems.add(
              new Problem(
                  node.location(),
                  node.childPath("kind"),
                  "missing (expected: one of " + String.join(", ", kinds.names()) + ")" + nested));
          return null;
        }
      }
      String name = nameNode.isScalar() ? nameNode.text() : null;
      kind = name == null ? null : kinds.find(name);
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
    if (kind == null) {
      service.expected(
          "discovery", "one of " + String.join(", ", kinds.names()) + " (none is the default)");
      return null;
    }
    return new DiscoverySpec(kind, kind.parse(service));
  }
}
