package io.portico.config;

import io.portico.plugin.PluginRegistry;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problem;
import io.portico.spi.config.Problems;
import io.portico.spi.plugin.PluginFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
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
 * ListenersSection}, {@link AdminSection}, {@link AiSection}, {@link ServicesSection}, {@link
 * RoutesSection}, {@link PluginsSection} (the {@code plugins} maps of all three levels), {@link
 * ConsumersSection}, {@link LimitsSection}, {@link ForwardingSection}, {@link MetricsSection},
 * {@link TracingSection}, {@link AlertsSection}; this class runs them in that order. What the
 * sections share (problems, the base directory, the readers of names, lists, durations, sizes,
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
  static final InetSocketAddress DEFAULT_LISTENER =
      Objects.requireNonNull(Addresses.bindAddress("127.0.0.1:8080"));
  static final InetSocketAddress DEFAULT_ADMIN =
      Objects.requireNonNull(Addresses.bindAddress("127.0.0.1:9901"));

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
  private final int keep;

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
    this(registry, baseDir, kinds, Integer.MAX_VALUE);
  }

  private ConfigParser(PluginRegistry registry, Path baseDir, DiscoveryKinds kinds, int keep) {
    this.registry = registry;
    this.baseDir = baseDir;
    this.kinds = kinds;
    this.keep = keep;
  }

  /**
   * This parser, keeping only the first {@code keep} problems of a parse and counting the rest
   * ({@link Problems#keeping}): for a write through the admin API, whose answer lists at most
   * {@link #MAX_LISTED}, so that a payload with a million mistakes costs a bounded report.
   */
  public ConfigParser keepingProblems(int keep) {
    return new ConfigParser(registry, baseDir, kinds, keep);
  }

  private Problems problems() {
    return keep == Integer.MAX_VALUE ? new Problems() : Problems.keeping(keep);
  }

  /** Parses {@code loaded}; the result holds its load problems and the parser's own. */
  public ConfigResult parse(LoadResult loaded) {
    if (loaded.root() == null) {
      return new ConfigResult(null, loaded.problems());
    }
    Run run = new Run(registry);
    GatewayConfig config = run.gateway(loaded.root(), version(loaded.text()));
    Problems all = merge(loaded.problems(), run.problems, problems());
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
   * The most problems a report lists (the admin API's answer to a write, {@code portico validate},
   * the audit log); a document with thousands of mistakes (an object of 30,000 unknown keys) gets
   * the first ones and a count of the rest.
   */
  public static final int MAX_LISTED = 100;

  /**
   * The problems a report lists: {@code all} when there are at most {@link #MAX_LISTED}, else the
   * first {@link #MAX_LISTED} and one more, at the next one's place, that counts the rest.
   */
  public static List<Problem> listed(List<Problem> all) {
    return listed(all, all.size());
  }

  /**
   * The problems a report lists of a collection that may have kept only some ({@link
   * Problems#keeping}, at least {@link #MAX_LISTED} and one more): its first {@link #MAX_LISTED}
   * and one that counts every other problem found.
   */
  public static List<Problem> listed(Problems problems) {
    return listed(problems.list(), problems.size());
  }

  private static List<Problem> listed(List<Problem> kept, int total) {
    if (total <= MAX_LISTED || kept.isEmpty()) {
      return kept;
    }
    int shown = Math.min(MAX_LISTED, kept.size());
    int more = total - shown;
    List<Problem> out = new ArrayList<>(kept.subList(0, shown));
    out.add(
        new Problem(
            kept.get(Math.min(MAX_LISTED, kept.size() - 1)).location(),
            "",
            "and "
                + more
                + " more problem"
                + (more == 1 ? "" : "s")
                + ", not listed (the first "
                + shown
                + " are)"));
    return out;
  }

  /** {@link #listed} problems, one per line (as {@link Problems#render} writes them all). */
  public static String renderListed(Problems problems) {
    StringBuilder out = new StringBuilder();
    for (Problem p : listed(problems)) {
      out.append(p).append('\n');
    }
    return out.toString();
  }

  /**
   * Load problems and parse problems in document order. A node the loader already reported (an
   * unset variable, an alias) gets no follow-on problem from the parser.
   */
  private static Problems merge(Problems load, Problems parse, Problems merged) {
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
    all.forEach(merged::add);
    merged.countNotKept(load.notKept() + parse.notKept());
    return merged;
  }

  /**
   * The state of one parse: its problems and the readers every section shares (it is the sections'
   * {@link SectionReaders}), and the plugin factories in effect.
   */
  private final class Run extends SectionReaders {

    PluginRegistry factories;

    Run(PluginRegistry factories) {
      super(ConfigParser.this.problems(), ConfigParser.this.baseDir);
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
      ConfigNode aiNode = top.child("ai");
      AiConfig ai = aiSection.parse(aiNode);
      PluginsSection plugins = new PluginsSection(this, factories);
      ServicesSection serviceSection =
          new ServicesSection(
              this, new ServicePolicies(problems, this::readableFile), kinds, plugins);
      List<ServiceConfig> services = serviceSection.parse(top);
      if (ai != null && aiNode != null) {
        services = serviceSection.aiServices(services, aiSection.services(ai), aiNode);
      }
      List<RouteConfig> routes =
          new RoutesSection(this, plugins, ai, aiSection).parse(top, services);
      List<PluginSpec> global = plugins.parse(top.child("plugins"));
      ConsumersSection consumerSection = new ConsumersSection(this, factories);
      List<ConsumerConfig> consumers = consumerSection.parse(top);
      consumerSection.checkConsumerReferences(consumers, global, services, routes);
      LimitsConfig limits = new LimitsSection(this).parse(top.object("limits"));
      ForwardingConfig forwarding = new ForwardingSection(this).parse(top.object("forwarding"));
      MetricsConfig metrics = MetricsSection.parse(top.object("metrics"));
      TracingConfig tracing = new TracingSection(problems).parse(top.child("tracing"));
      AlertsConfig alerts =
          new AlertsSection(problems, baseDir)
              .parse(
                  top.child("alerts"),
                  routes,
                  services,
                  listeners,
                  runtime.accessLog().sinks().stream()
                      .map(AccessLogConfig.SinkConfig::name)
                      .toList());
      PortalConfig portal = PortalSection.parse(top.child("portal"), top, admin, listeners);
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

  static String join(Set<String> names) {
    return String.join(", ", names);
  }
}
