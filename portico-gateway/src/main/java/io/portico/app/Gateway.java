package io.portico.app;

import io.netty.channel.EventLoopGroup;
import io.portico.accounts.Accounts;
import io.portico.admin.AdminApi;
import io.portico.admin.AdminServer;
import io.portico.config.ConfigFiles;
import io.portico.config.ConfigLoader;
import io.portico.config.ConfigResult;
import io.portico.config.GatewayConfig;
import io.portico.config.LoadResult;
import io.portico.config.RouteConfig;
import io.portico.observe.ExchangeObserver;
import io.portico.observe.alert.Alerting;
import io.portico.observe.log.AccessLogPipeline;
import io.portico.observe.log.LogTail;
import io.portico.observe.log.SinkStats;
import io.portico.observe.metrics.GatewayMetrics;
import io.portico.observe.trace.Tracing;
import io.portico.plugin.PluginRegistry;
import io.portico.plugin.SharedResources;
import io.portico.proxy.ProxyContext;
import io.portico.proxy.ProxyServer;
import io.portico.proxy.Transport;
import io.portico.snapshot.ReloadResult;
import io.portico.snapshot.Snapshot;
import io.portico.snapshot.SnapshotCompiler;
import io.portico.snapshot.SnapshotHolder;
import io.portico.spi.config.Problems;
import io.portico.spi.plugin.PluginContext;
import io.portico.store.ConfigStore;
import io.portico.store.ObjectWrite;
import io.portico.store.Precondition;
import io.portico.store.WriteResult;
import io.portico.upstream.ActiveEndpoints;
import io.portico.upstream.EndpointSources;
import io.portico.upstream.UpstreamHooks;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: wires a running gateway from a config file and owns everything it starts.
 * Nothing else creates event loops, servers or snapshots.
 *
 * <pre>
 *   config file ─▶ ConfigFiles (load + parse) ─▶ SnapshotCompiler ─▶ SnapshotHolder
 *                                                                    │
 *   event loops ─▶ ProxyServer (listeners, per-loop upstream pools) ◀─┘ reads per request
 * </pre>
 *
 * <p>Endpoint sources outlive snapshots: {@link EndpointSources} keeps a service's source across
 * reloads while its config is unchanged and closes the others once the new snapshot is active;
 * {@link ActiveEndpoints} then has every event loop evict the pools of endpoints no service lists
 * any more, after a reload or when a source drops them.
 *
 * <p>Reloads ({@link #reload()}) and admin writes ({@link ConfigLayers}) are serialised: the new
 * config is loaded and compiled on the caller's thread beside the running one and swapped in one
 * step; an invalid config changes nothing and its problems are returned. The config is the file
 * with the admin API's objects over it ({@link io.portico.store.LayeredConfig}): a reload re-reads
 * the file and keeps the API's objects, an admin write keeps the file as last loaded. The admin
 * listener and the portal's listener read and change the running gateway through one {@link
 * GatewayAdminApi}.
 *
 * <p>Plugin instances belong to their snapshot. A snapshot replaced by a reload is retired by the
 * {@link SnapshotHolder} once the last exchange that started under it has finished; its plugins are
 * then closed ({@link io.portico.spi.plugin.Plugin#close()}) on the {@code portico-retire} thread,
 * never on an event loop. At shutdown, once the exchanges in flight have drained (or the shutdown
 * timeout passed) and the event loops have stopped, the plugins of every snapshot not retired yet
 * are closed, then the shared resources ({@link io.portico.spi.plugin.PluginContext#shared}).
 */
public final class Gateway implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Gateway.class);

  /** Start-up failed because the config is invalid. */
  public static final class InvalidConfigException extends Exception {
    private final transient Problems problems;

    public InvalidConfigException(Problems problems) {
      super("invalid configuration:\n" + problems.render());
      this.problems = problems;
    }

    public Problems problems() {
      return problems;
    }
  }

  private final Path configFile;
  private final PluginRegistry registry;
  private final ConfigLayers layers;
  private final Transport transport;
  private final EventLoopGroup group;
  private final SnapshotHolder snapshots;
  private final SnapshotCompiler compiler;
  private final ProxyServer proxy;
  private final List<InetSocketAddress> listeners;
  private final @Nullable AccessLogPipeline accessLog;
  private final LogTail logTail;
  private final @Nullable GatewayMetrics metrics;
  private final @Nullable Tracing tracing;
  private final @Nullable Alerting alerting;
  private final @Nullable AdminServer admin;
  private final @Nullable AdminServer portalListener;
  private @Nullable Accounts accounts;
  private io.portico.portal.@Nullable Portal portal;
  private @Nullable String setupToken;
  private final SharedResources sharedResources = new SharedResources();

  private final EndpointSources endpointSources = new EndpointSources();
  private final ActiveEndpoints activeEndpoints;

  /** The environment variable holding the first admin account's password. */
  public static final String ADMIN_PASSWORD_ENV = "PORTICO_ADMIN_PASSWORD";

  private volatile boolean draining;
  private final ConfigChanges changes;
  private final PluginRetirer retirer = new PluginRetirer();

  private Gateway(
      Path configFile,
      PluginRegistry registry,
      ConfigLayers layers,
      GatewayConfig config,
      ExchangeObserver extraObserver,
      Map<String, String> env)
      throws InvalidConfigException, InterruptedException, java.io.IOException {
    this.configFile = configFile;
    this.registry = registry;
    this.layers = layers;
    this.transport = Transport.detect();
    this.group = transport.newGroup(config.runtime().ioThreads(), "portico-io");
    PluginContext pluginContext =
        new PluginContext() {
          @Override
          public io.netty.channel.EventLoopGroup eventLoops() {
            return group;
          }

          @Override
          public String configSource() {
            return String.valueOf(configFile);
          }

          @Override
          public <T extends AutoCloseable> T shared(
              String key, Class<T> type, java.util.function.Supplier<T> factory) {
            return sharedResources.get(key, type, factory);
          }
        };
    this.compiler = new SnapshotCompiler(pluginContext, endpointSources);
    SnapshotCompiler.Result compiled = compiler.compile(config);
    Snapshot first = compiled.snapshot();
    if (first == null) {
      layers.close();
      endpointSources.close();
      group.shutdownGracefully();
      retirer.awaitRetirements();
      sharedResources.close();
      throw new InvalidConfigException(compiled.problems());
    }
    this.snapshots = new SnapshotHolder(first, retirer::retire);
    this.activeEndpoints = new ActiveEndpoints(this::evictPools);
    this.metrics =
        config.metrics().enabled() ? GatewayMetrics.start(config.metrics(), group) : null;
    this.alerting =
        config.alerts() == null
            ? null
            : Alerting.start(config, new AlertSources(snapshots, this::accessLogSinks));
    if (metrics != null && alerting != null) {
      metrics.bind(alerting);
    }
    this.logTail = new LogTail(config.runtime().accessLog());
    this.changes =
        new ConfigChanges(
            layers, compiler, snapshots, endpointSources, this::activate, metrics, alerting);
    activate(first);
    this.accessLog = AccessLogPipeline.open(config.runtime().accessLog());
    applyAccessLog(first);
    ExchangeObserver observer =
        Observers.withMetrics(
            metrics,
            Observers.combine(
                accessLog,
                Observers.both(
                    logTail,
                    alerting == null
                        ? extraObserver
                        : Observers.both(alerting.observer(), extraObserver))));
    this.tracing = Tracing.start(config.tracing());
    this.proxy =
        new ProxyServer(
            transport,
            group,
            new ProxyContext(
                snapshots,
                observer,
                UpstreamHooks.NONE,
                tracing,
                accessLog == null ? null : config.runtime().accessLog().body()));
    try {
      this.listeners = Listening.bindListeners(proxy, config.listeners());
      if (metrics != null) {
        metrics.attach(new MetricsSources(proxy, snapshots), group, config.listeners());
        metrics.delivery(accessLogSinks(), tracing);
      }
      ConfigStore store = layers.store();
      if (config.admin().address() != null && config.admin().console().enabled() && store != null) {
        Accounts opened = Accounts.open(store, config.admin().console(), Clock.systemUTC());
        this.setupToken = opened.bootstrap(env.get(ADMIN_PASSWORD_ENV)).orElse(null);
        this.accounts = opened;
        if (config.portal().enabled()) {
          this.portal = io.portico.portal.Portal.open(store, config.portal(), Clock.systemUTC());
        }
      }
      AdminApi adminApi =
          new GatewayAdminApi(
              this, registry, changes, layers, accounts, portal, metrics, alerting, logTail, env);
      InetSocketAddress adminAddress = config.admin().address();
      AdminServer adminServer =
          adminAddress == null
              ? null
              : Listening.bind(
                  "admin.address",
                  adminAddress,
                  () ->
                      AdminServer.start(
                          config.admin(), group, transport.serverChannel(), adminApi));
      InetSocketAddress portalAddress = config.portal().address();
      try {
        this.portalListener =
            adminServer == null || portal == null || portalAddress == null
                ? null
                : Listening.bind(
                    "portal.address",
                    portalAddress,
                    () ->
                        AdminServer.startPortal(
                            config.admin(),
                            portalAddress,
                            group,
                            transport.serverChannel(),
                            adminApi));
      } catch (Throwable e) {
        if (adminServer != null) {
          adminServer.close();
        }
        throw e;
      }
      this.admin = adminServer;
    } catch (Throwable e) {
      // Netty's sync() rethrows a bind failure, a checked IOException, undeclared: catch it all,
      // and let go of any listener already bound before it propagates. A step of the clean-up
      // that fails (a task offered to a loop already shut down) is added to it, never raised in
      // its place, and the steps after it still run.
      StartFailure steps = new StartFailure(e);
      steps.run(() -> proxy.shutdownGracefully(java.time.Duration.ZERO));
      steps.run(activeEndpoints::close);
      steps.run(endpointSources::close);
      steps.run(() -> group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS));
      steps.run(this::closeObservers);
      steps.run(snapshots::retireAll);
      steps.run(retirer::awaitRetirements);
      steps.run(sharedResources::close);
      steps.run(layers::close);
      throw e;
    }
    log.info(
        "portico {} serving config {} on {} ({} transport, event loops: {})",
        Version.current(),
        config.version(),
        listeners,
        transport.name(),
        ioThreadCount());
  }

  /**
   * Tells the access log which routes of {@code active} are not logged, and where its plugins read
   * credentials.
   */
  private void applyAccessLog(Snapshot active) {
    java.util.Set<String> off =
        active.config().routes().stream()
            .filter(r -> !r.accessLog())
            .map(RouteConfig::name)
            .collect(java.util.stream.Collectors.toSet());
    PluginCredentialPlaces credentials = PluginCredentialPlaces.of(active.config());
    if (accessLog != null) {
      accessLog.routesOff(off);
      accessLog.credentialPlaces(credentials.headers(), credentials.query());
    }
    logTail.routesOff(off);
    logTail.credentialPlaces(credentials.headers(), credentials.query());
  }

  /** Each access-log sink's counts (delivered, dropped, failed); empty when the log is off. */
  public List<SinkStats> accessLogSinks() {
    return accessLog == null ? List.of() : accessLog.sinks();
  }

  /**
   * Loads {@code configFile} and starts serving it, with the plugins found on the class path.
   *
   * @param observer told about every finished exchange besides the access log; {@link
   *     ExchangeObserver#NONE} for none
   */
  public static Gateway start(Path configFile, Map<String, String> env, ExchangeObserver observer)
      throws InvalidConfigException, InterruptedException, java.io.IOException {
    return start(configFile, env, observer, PluginRegistry.load(Gateway.class.getClassLoader()));
  }

  /**
   * Loads {@code configFile} and starts serving it with the plugins of {@code registry} (plus those
   * of the config's {@code runtime.plugin-dir}), for embedding and plugin tests.
   *
   * @param observer told about every finished exchange besides the access log; {@link
   *     ExchangeObserver#NONE} for none
   */
  public static Gateway start(
      Path configFile, Map<String, String> env, ExchangeObserver observer, PluginRegistry registry)
      throws InvalidConfigException, InterruptedException, java.io.IOException {
    ConfigLoader loader = ConfigLoader.withEnvironment(env);
    LoadResult file = loader.load(configFile);
    ConfigResult fileOnly = ConfigFiles.parse(file, configFile, registry);
    GatewayConfig fileConfig = fileOnly.config();
    if (fileConfig == null) {
      throw new InvalidConfigException(fileOnly.problems());
    }
    ConfigLayers layers = ConfigLayers.open(configFile, loader, registry, file, fileConfig.admin());
    ConfigResult result = layers.parse(file, layers.layer());
    GatewayConfig config = result.config();
    if (config == null) {
      layers.close();
      throw new InvalidConfigException(result.problems());
    }
    return new Gateway(configFile, registry, layers, config, observer, env);
  }

  /** Re-reads the config file; applies it only when it is valid. Thread-safe. */
  public ReloadResult reload() {
    return changes.reload();
  }

  /** Applies an admin write; see {@link AdminApi#write}. Thread-safe. */
  public WriteResult write(ObjectWrite write) {
    return changes.write(write);
  }

  /** Rolls the API's objects back to a stored version; see {@link AdminApi#rollback}. */
  public WriteResult rollback(long version, String actor, List<Precondition> preconditions) {
    return changes.rollback(version, actor, preconditions);
  }

  /** The endpoints {@code gone} left every service: evict their pools on every event loop. */
  private void evictPools(java.util.Collection<java.net.InetSocketAddress> gone) {
    ProxyServer server = proxy;
    if (server != null) {
      server.evictPools(gone);
    }
  }

  private void activate(Snapshot active) {
    activeEndpoints.track(active.services().values());
    endpointSources.activate();
    applyAccessLog(active);
    if (metrics != null) {
      MetricsSources.activated(metrics, active);
    }
    if (alerting != null) {
      alerting.apply(active.config());
    }
  }

  /** Whether shutdown has begun: the gateway no longer reports itself ready. */
  boolean draining() {
    return draining;
  }

  public Snapshot snapshot() {
    return snapshots.current();
  }

  public String version() {
    return snapshots.current().version();
  }

  /** The bound client listeners (a configured port 0 shows the chosen port). */
  public List<InetSocketAddress> listeners() {
    return listeners;
  }

  public Path configFile() {
    return configFile;
  }

  public EventLoopGroup eventLoops() {
    return group;
  }

  private int ioThreadCount() {
    int n = 0;
    for (var ignored : group) {
      n++;
    }
    return n;
  }

  /** The web console's address, or null when the admin listener or the console is off. */
  public @Nullable String consoleUrl() {
    InetSocketAddress a = adminAddress();
    if (a == null || accounts == null) {
      return null;
    }
    return "http://" + urlHost(a) + ":" + a.getPort() + "/console/";
  }

  /**
   * The gateway's public URL as the portal's try-it panel calls it: {@code portal.gateway-url}, or
   * the first listener's bound address ({@code https} with TLS); null without listeners.
   */
  public @Nullable String gatewayUrl() {
    GatewayConfig c = snapshots.current().config();
    if (c.portal().gatewayUrl() != null) {
      return c.portal().gatewayUrl();
    }
    if (listeners.isEmpty() || c.listeners().isEmpty()) {
      return null;
    }
    InetSocketAddress a = listeners.get(0);
    return (c.listeners().get(0).tls() != null ? "https://" : "http://")
        + urlHost(a)
        + ":"
        + a.getPort();
  }

  /**
   * How a URL names the host of a bound address: a wildcard address as the loopback one, an IPv6
   * address in brackets.
   */
  private static String urlHost(InetSocketAddress a) {
    if (a.getAddress().isAnyLocalAddress()) {
      return "127.0.0.1";
    }
    String host = a.getAddress().getHostAddress();
    return a.getAddress() instanceof java.net.Inet6Address ? "[" + host + "]" : host;
  }

  /** The portal's own listener's address ({@code portal.address}), or null without one. */
  public @Nullable InetSocketAddress portalAddress() {
    return portalListener == null ? null : portalListener.address();
  }

  /** The developer portal's address, or null when the portal is off. */
  public @Nullable String portalUrl() {
    InetSocketAddress own = portalAddress();
    if (own != null) {
      return "http://" + urlHost(own) + ":" + own.getPort() + "/portal/";
    }
    String console = consoleUrl();
    return console == null || portal == null
        ? null
        : console.substring(0, console.length() - "console/".length()) + "portal/";
  }

  /**
   * The one-time first-run setup link (the token in the fragment, which browsers do not send), or
   * null when an account exists or the link was used or expired.
   */
  public @Nullable String setupLink() {
    String url = consoleUrl();
    Accounts a = accounts;
    if (url == null || a == null || setupToken == null || !a.setupPending()) {
      return null;
    }
    return url + "#setup=" + setupToken;
  }

  /** The bound admin address, or null when the admin listener is off. */
  public @Nullable InetSocketAddress adminAddress() {
    return admin == null ? null : admin.address();
  }

  /**
   * Graceful shutdown: stop accepting, drain in-flight exchanges up to the configured timeout, then
   * stop everything. Idempotent.
   */
  @Override
  public void close() {
    if (!changes.close()) {
      return;
    }
    draining = true;
    proxy.shutdownGracefully(snapshots.current().config().runtime().shutdownTimeout());
    if (portalListener != null) {
      portalListener.close();
    }
    if (admin != null) {
      admin.close();
    }
    activeEndpoints.close();
    endpointSources.close();
    group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
    snapshots.retireAll();
    retirer.awaitRetirements();
    sharedResources.close();
    closeObservers();
    layers.close();
  }

  /** Closes what observes the exchanges: the access log, the metrics, tracing and alerting. */
  private void closeObservers() {
    if (accessLog != null) {
      accessLog.close();
    }
    if (metrics != null) {
      metrics.close();
    }
    if (tracing != null) {
      tracing.close();
    }
    if (alerting != null) {
      alerting.close();
    }
  }

  /** The tracer, or null when {@code tracing} is off. */
  public @Nullable Tracing tracing() {
    return tracing;
  }
}
