package io.portico.snapshot;

import io.netty.handler.ssl.ApplicationProtocolNames;
import io.portico.aggregate.AggregatePlan;
import io.portico.ai.AiPlan;
import io.portico.config.ConsumerConfig;
import io.portico.config.DiscoverySpec;
import io.portico.config.GatewayConfig;
import io.portico.config.HealthConfig;
import io.portico.config.ListenerConfig;
import io.portico.config.PluginSpec;
import io.portico.config.RouteConfig;
import io.portico.config.ServiceConfig;
import io.portico.config.TimeoutsConfig;
import io.portico.config.UpstreamProtocolConfig;
import io.portico.config.UpstreamTlsConfig;
import io.portico.forwarding.ForwardingPolicy;
import io.portico.plugin.PluginChain;
import io.portico.plugin.PluginInstances;
import io.portico.router.PathTemplate;
import io.portico.router.RequestTarget;
import io.portico.router.RouteSpec;
import io.portico.router.Router;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.Problem;
import io.portico.spi.config.Problems;
import io.portico.spi.plugin.ConsumerSpec;
import io.portico.spi.plugin.PluginContext;
import io.portico.spi.plugin.PluginFactory;
import io.portico.tls.ServerTls;
import io.portico.traffic.RouteTraffic;
import io.portico.upstream.CallGate;
import io.portico.upstream.EndpointHealth;
import io.portico.upstream.EndpointSource;
import io.portico.upstream.EndpointSourceKind;
import io.portico.upstream.EndpointSources;
import io.portico.upstream.RetryBudget;
import io.portico.upstream.UpstreamService;
import io.portico.upstream.balance.Balancers;
import io.portico.upstream.health.CircuitBreaker;
import io.portico.upstream.health.HealthCheckers;
import io.portico.upstream.health.ServiceHealth;
import io.portico.upstream.tls.UpstreamTls;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * Compiles a validated {@link GatewayConfig} into a {@link Snapshot}: gets each service's endpoint
 * source (the running one when unchanged, see {@link EndpointSources}), creates plugin instances,
 * merges plugin chains per route, builds the router and loads the listeners' certificates. Runs off
 * the event loops (at start-up and on reload); may block on DNS and files.
 *
 * <p>A config that fails to compile closes the plugin instances already made for it, so a plugin
 * that started background work in {@code create} stops it, and discards the endpoint sources it
 * started; a compiled snapshot owns its instances ({@link Snapshot#plugins()}) until it is retired.
 */
public final class SnapshotCompiler {

  /** A compiled snapshot, or the problems that prevented it. */
  public record Result(@Nullable Snapshot snapshot, Problems problems) {
    public boolean ok() {
      return snapshot != null;
    }
  }

  private final PluginContext pluginContext;
  private final EndpointSources sources;
  private final HealthCheckers checkers;

  /** A compiler whose endpoint sources are its own, never kept across compiles. */
  public SnapshotCompiler(PluginContext pluginContext) {
    this(pluginContext, new EndpointSources());
  }

  /**
   * @param sources the gateway's running endpoint sources: a compile takes a service's running
   *     source when its config is unchanged; the caller {@link EndpointSources#activate()
   *     activates} the compile's sources once its snapshot is swapped in
   */
  public SnapshotCompiler(PluginContext pluginContext, EndpointSources sources) {
    this.pluginContext = pluginContext;
    this.sources = sources;
    this.checkers = new HealthCheckers(pluginContext::eventLoops);
    sources.attach(checkers);
  }

  /**
   * Compiles {@code config}. When it has problems, the endpoint sources created for it are closed
   * again; when it has none, they wait for {@link EndpointSources#activate()}.
   */
  public Result compile(GatewayConfig config) {
    List<PluginChain.Entry> created = new ArrayList<>();
    sources.begin();
    Result result;
    try {
      result = compile(config, created);
    } catch (RuntimeException | Error e) {
      PluginInstances.close(created, config.version());
      sources.discard();
      throw e;
    }
    if (!result.ok()) {
      PluginInstances.close(created, config.version());
      sources.discard();
    }
    return result;
  }

  /** Where a service's endpoint source reports problems found while it is created. */
  private static EndpointSourceKind.Context context(
      GatewayConfig config, ServiceConfig service, Problems problems) {
    return new EndpointSourceKind.Context() {
      @Override
      public String service() {
        return service.name();
      }

      @Override
      public void problem(String key, String message) {
        problems.add(serviceProblem(config, service.name(), key, message));
      }
    };
  }

  /**
   * The TLS of a service's probes: HTTP probes speak HTTP/1.1 (ALPN {@code http/1.1}) and gRPC
   * probes HTTP/2 (ALPN {@code h2} only), whatever the service's protocol.
   */
  private static @Nullable UpstreamTls probeTls(
      ServiceConfig service, HealthConfig.Active active, @Nullable UpstreamTls tls) {
    UpstreamTlsConfig tlsConfig = service.tls();
    if (tls == null || tlsConfig == null) {
      return null;
    }
    boolean grpc = active.type() == HealthConfig.ProbeType.GRPC;
    if (grpc == service.protocol().http2()
        && (!grpc || service.protocol().protocol() == UpstreamProtocolConfig.Protocol.H2)) {
      // The service's own ALPN fits: http/1.1 for HTTP probes, h2 only for gRPC ones.
      return tls;
    }
    try {
      return grpc
          ? UpstreamTls.load(tlsConfig, List.of(ApplicationProtocolNames.HTTP_2))
          : UpstreamTls.load(tlsConfig);
    } catch (SSLException e) {
      return tls; // reported when the service's own TLS was loaded
    }
  }

  /** What a service's connections offer by ALPN: {@code h2} only when it must speak HTTP/2. */
  private static List<String> alpn(UpstreamProtocolConfig.Protocol protocol) {
    return switch (protocol) {
      case H2 -> List.of(ApplicationProtocolNames.HTTP_2);
      case AUTO -> List.of(ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1);
      default -> List.of(ApplicationProtocolNames.HTTP_1_1);
    };
  }

  /** The service's upstream TLS, loaded now (its files read); null when plain or not loadable. */
  private static @Nullable UpstreamTls upstreamTls(
      GatewayConfig config, ServiceConfig service, Problems problems) {
    if (service.tls() == null) {
      return null;
    }
    try {
      return UpstreamTls.load(service.tls(), alpn(service.protocol().protocol()));
    } catch (SSLException e) {
      problems.add(
          serviceProblem(
              config,
              service.name(),
              "tls",
              "cannot load the CA bundle or client certificate (expected: PEM files that load): "
                  + e.getMessage()));
      return null;
    }
  }

  /**
   * A problem about {@code key} of the service {@code name}, at that key of the service in the file
   * ({@code services[i].key}) or in its admin API object ({@code /services/name: $.key}).
   */
  private static Problem serviceProblem(
      GatewayConfig config, String name, String key, String message) {
    return ObjectProblems.at(config, "services", name, key, message);
  }

  private Result compile(GatewayConfig config, List<PluginChain.Entry> created) {
    PluginContext pluginContext = withConsumers(this.pluginContext, config);
    Problems problems = new Problems();
    Map<String, List<PluginChain.Entry>> servicePlugins = new LinkedHashMap<>();
    Map<String, UpstreamService> services = new LinkedHashMap<>();
    for (ServiceConfig sc : config.services()) {
      // A service without a discovery comes only from a config with problems, never compiled.
      DiscoverySpec discovery =
          Objects.requireNonNull(sc.discovery(), "discovery of a parsed service");
      EndpointSource source = sources.source(sc.name(), discovery, context(config, sc, problems));
      UpstreamTls tls = upstreamTls(config, sc, problems);
      HealthConfig hc = sc.health();
      CircuitBreaker breaker =
          hc.circuitBreaker() == null
              ? null
              : checkers.breaker(sc.name(), hc.circuitBreaker(), source);
      EndpointHealth health =
          hc.active() == null && hc.passive() == null && breaker == null
              ? EndpointHealth.ALL
              : new ServiceHealth(
                  hc.active() == null
                      ? null
                      : checkers.checker(
                          sc.name(), hc.active(), source, probeTls(sc, hc.active(), tls)),
                  hc.passive() == null ? null : checkers.detector(sc.name(), hc.passive(), source),
                  breaker,
                  hc.allUnhealthy());
      services.put(
          sc.name(),
          new UpstreamService(
              sc.name(),
              source,
              Balancers.create(sc.balancer()),
              sc.timeouts(),
              sc.pool(),
              sc.retry(),
              new RetryBudget(sc.retry().budgetPercent()),
              sc.hostHeader(),
              tls,
              Balancers.hashKey(sc.balancer()),
              health,
              breaker == null ? CallGate.OPEN : breaker,
              sc.protocol()));
      servicePlugins.put(sc.name(), instantiate(sc.plugins(), problems, pluginContext, created));
    }
    List<PluginChain.Entry> global =
        instantiate(config.plugins(), problems, pluginContext, created);
    IdentityHeaderSet identityHeaders = new IdentityHeaderSet();
    identityHeaders.addAll(global);
    servicePlugins.values().forEach(identityHeaders::addAll);

    Router.Builder<CompiledRoute> router = Router.builder();
    if (config.limits().strictPaths()) {
      Map<RequestTarget.Reason, CompiledRoute> refusals = new EnumMap<>(RequestTarget.Reason.class);
      for (RequestTarget.Reason reason : RequestTarget.Reason.values()) {
        refusals.put(reason, PathRefusal.route(reason));
      }
      router.strictPaths(refusals::get);
    }
    Map<String, CompiledRoute> routes = new LinkedHashMap<>();
    AiPlan.Compiler aiPlans = new AiPlan.Compiler(services, System::getenv, pluginContext);
    int order = 0;
    for (RouteConfig rc : config.routes()) {
      UpstreamService service = rc.service() == null ? null : services.get(rc.service());
      List<PluginChain.Entry> routePlugins =
          instantiate(rc.plugins(), problems, pluginContext, created);
      identityHeaders.addAll(routePlugins);
      PluginChain chain =
          PluginChain.merge(
              global,
              rc.service() == null
                  ? List.of()
                  : servicePlugins.getOrDefault(rc.service(), List.of()),
              routePlugins);
      TimeoutsConfig timeouts =
          (service == null ? TimeoutsConfig.DEFAULTS : service.timeouts())
              .overriddenBy(rc.timeouts());
      PathTemplate rewrite = rc.rewritePath() == null ? null : PathTemplate.of(rc.rewritePath());
      AggregatePlan aggregate =
          rc.aggregate() == null ? null : AggregatePlan.compile(rc.aggregate(), services);
      RouteTraffic traffic =
          rc.traffic() == null ? null : RouteTraffic.compile(rc.traffic(), services, rc.timeouts());
      AiPlan ai = rc.ai() == null ? null : aiPlans.compile(rc.ai());
      CompiledRoute route =
          new CompiledRoute(rc, service, chain, timeouts, rewrite, aggregate, traffic, ai);
      routes.put(rc.name(), route);
      router.add(
          new RouteSpec(
              rc.name(),
              rc.hosts(),
              rc.paths(),
              rc.pathMatch(),
              Set.copyOf(rc.methods()),
              rc.headers(),
              rc.query(),
              rc.priority(),
              order++),
          route);
    }
    for (String[] p : aiPlans.problems()) {
      problems.add(ObjectProblems.at(config, "ai.providers", p[0], p[1], p[2]));
    }
    Map<String, ServerTls> tls = loadTls(config, problems);
    if (!problems.isEmpty()) {
      return new Result(null, problems);
    }
    Snapshot snapshot =
        new Snapshot(
            config,
            router.build(),
            java.util.Collections.unmodifiableMap(routes),
            Map.copyOf(services),
            PluginChain.merge(global),
            new ForwardingPolicy(config.forwarding()),
            Map.copyOf(tls),
            identityHeaders.toList(),
            List.copyOf(created),
            Instant.now());
    return new Result(snapshot, problems);
  }

  /**
   * The problems of the listeners' certificates and keys and of the services' CA bundles and client
   * certificates, found by loading them as {@link #compile} does (a file that is not a certificate,
   * a key that is not the certificate's): for {@code portico validate}, which checks what {@code
   * run} would refuse without compiling a snapshot.
   */
  public static Problems tlsProblems(GatewayConfig config) {
    Problems problems = new Problems();
    loadTls(config, problems);
    for (ServiceConfig service : config.services()) {
      upstreamTls(config, service, problems);
    }
    return problems;
  }

  private static Map<String, ServerTls> loadTls(GatewayConfig config, Problems problems) {
    Map<String, ServerTls> out = new LinkedHashMap<>();
    List<ListenerConfig> listeners = config.listeners();
    for (int i = 0; i < listeners.size(); i++) {
      ListenerConfig listener = listeners.get(i);
      if (listener.tls() == null) {
        continue;
      }
      ServerTls.Result loaded = ServerTls.load(listener.tls(), listener.http2());
      for (ServerTls.LoadFailure f : loaded.failures()) {
        ConfigNode cert = certNode(config.source(), i, f.certificate());
        String rule =
            "a PEM certificate chain that loads with its PKCS#8 PEM private key; " + f.reason();
        if (cert != null) {
          problems.expected(cert, rule);
        } else {
          problems.add(
              new Problem(
                  config.source().location(),
                  "listeners[" + i + "].tls.certificates[" + f.certificate() + "].cert",
                  "(expected: " + rule + ")"));
        }
      }
      if (loaded.tls() != null) {
        out.put(listener.name(), loaded.tls());
      }
    }
    return out;
  }

  /** The node of {@code listeners[listener].tls.certificates[certificate].cert}, or null. */
  private static @Nullable ConfigNode certNode(ConfigNode root, int listener, int certificate) {
    ConfigNode node = root == null ? null : root.fields().get("listeners");
    node = node == null || node.items().size() <= listener ? null : node.items().get(listener);
    node = node == null ? null : node.fields().get("tls");
    node = node == null ? null : node.fields().get("certificates");
    node =
        node == null || node.items().size() <= certificate ? null : node.items().get(certificate);
    return node == null ? null : node.fields().get("cert");
  }

  /** The instances of {@code specs}, each also added to {@code created}. */
  private static List<PluginChain.Entry> instantiate(
      List<PluginSpec> specs,
      Problems problems,
      PluginContext pluginContext,
      List<PluginChain.Entry> created) {
    List<PluginChain.Entry> out = new ArrayList<>();
    for (PluginSpec spec : specs) {
      try {
        PluginChain.Entry entry =
            new PluginChain.Entry(
                spec.name(),
                spec.factory().priority(),
                create(spec.factory(), spec.config(), pluginContext));
        created.add(entry);
        out.add(entry);
      } catch (RuntimeException e) {
        problems.at(
            spec.node(), "plugin \"" + spec.name() + "\" failed to start: " + e.getMessage());
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static <C> io.portico.spi.plugin.Plugin create(
      PluginFactory<C> factory, Object config, PluginContext pluginContext) {
    return factory.create((C) config, pluginContext);
  }

  /** The gateway's plugin context, plus the consumers of the config being compiled. */
  private static PluginContext withConsumers(PluginContext base, GatewayConfig config) {
    List<ConsumerSpec> consumers = new ArrayList<>();
    for (ConsumerConfig c : config.consumers()) {
      consumers.add(new ConsumerSpec(c.name(), c.customId(), c.groups(), c.credentials()));
    }
    List<ConsumerSpec> frozen = List.copyOf(consumers);
    return new PluginContext() {
      @Override
      public io.netty.channel.EventLoopGroup eventLoops() {
        return base.eventLoops();
      }

      @Override
      public String configSource() {
        return base.configSource();
      }

      @Override
      public List<ConsumerSpec> consumers() {
        return frozen;
      }

      @Override
      public <T extends AutoCloseable> T shared(
          String key, Class<T> type, java.util.function.Supplier<T> factory) {
        return base.shared(key, type, factory);
      }
    };
  }
}
