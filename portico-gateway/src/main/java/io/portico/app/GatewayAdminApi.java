package io.portico.app;

import io.portico.accounts.Accounts;
import io.portico.admin.AdminApi;
import io.portico.observe.alert.Alerting;
import io.portico.observe.log.LogTail;
import io.portico.observe.log.SinkStats;
import io.portico.observe.metrics.GatewayMetrics;
import io.portico.plugin.PluginRegistry;
import io.portico.portal.Portal;
import io.portico.snapshot.ReloadResult;
import io.portico.snapshot.Snapshot;
import io.portico.store.ConfigStore;
import io.portico.store.ObjectLayer;
import io.portico.store.ObjectWrite;
import io.portico.store.Precondition;
import io.portico.store.WriteResult;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The running gateway as the admin listener sees it: {@link Gateway} makes one, once its listeners
 * are bound and its accounts and portal open, and hands it to the admin listener and to the
 * portal's own listener.
 *
 * <p>Ownership: it owns nothing. Every part it answers with (the change step, the config layers,
 * the accounts, the portal, metrics, alerting, the log tail) belongs to the {@link Gateway}, which
 * closes them; the admin listeners stop calling before that, since the gateway closes them first.
 *
 * <p>Threading: the admin listeners call it from their event loops for the reads, which are live
 * (the active snapshot, readiness, the access-log sinks' counts) or fixed at start, and from their
 * blocking threads for {@link #reload}, {@link #write}, {@link #rollback} and {@link #dryRun},
 * which {@link ConfigChanges} serialises with each other and with shutdown.
 */
final class GatewayAdminApi implements AdminApi {

  private final Gateway gateway;
  private final PluginRegistry registry;
  private final ConfigChanges changes;
  private final ConfigLayers layers;
  private final @Nullable Accounts accounts;
  private final @Nullable Portal portal;
  private final @Nullable GatewayMetrics metrics;
  private final @Nullable Alerting alerting;
  private final LogTail logTail;
  private final Map<String, String> env;

  /**
   * @param env the environment the config was read with ({@link #environment})
   */
  GatewayAdminApi(
      Gateway gateway,
      PluginRegistry registry,
      ConfigChanges changes,
      ConfigLayers layers,
      @Nullable Accounts accounts,
      @Nullable Portal portal,
      @Nullable GatewayMetrics metrics,
      @Nullable Alerting alerting,
      LogTail logTail,
      Map<String, String> env) {
    this.gateway = gateway;
    this.registry = registry;
    this.changes = changes;
    this.layers = layers;
    this.accounts = accounts;
    this.portal = portal;
    this.metrics = metrics;
    this.alerting = alerting;
    this.logTail = logTail;
    this.env = env;
  }

  @Override
  public String buildVersion() {
    return Version.current();
  }

  @Override
  public Snapshot snapshot() {
    return gateway.snapshot();
  }

  @Override
  public List<SinkStats> accessLogSinks() {
    return gateway.accessLogSinks();
  }

  @Override
  public PluginRegistry plugins() {
    return registry;
  }

  @Override
  public ReloadResult reload() {
    return changes.reload();
  }

  @Override
  public boolean ready() {
    return !gateway.draining();
  }

  @Override
  public WriteResult write(ObjectWrite write) {
    return changes.write(write);
  }

  @Override
  public WriteResult rollback(long version, String actor, List<Precondition> preconditions) {
    return changes.rollback(version, actor, preconditions);
  }

  @Override
  public WriteResult dryRun(ObjectWrite write) {
    return changes.dryRun(write);
  }

  @Override
  public ObjectLayer layer() {
    return changes.layer();
  }

  @Override
  public @Nullable ConfigStore store() {
    return layers.store();
  }

  @Override
  public @Nullable Accounts accounts() {
    return accounts;
  }

  @Override
  public @Nullable Portal portal() {
    return portal;
  }

  @Override
  public @Nullable String gatewayUrl() {
    return gateway.gatewayUrl();
  }

  @Override
  public @Nullable GatewayMetrics metrics() {
    return metrics;
  }

  @Override
  public @Nullable Alerting alerting() {
    return alerting;
  }

  @Override
  public LogTail logTail() {
    return logTail;
  }

  @Override
  public List<InetSocketAddress> listeners() {
    return gateway.listeners();
  }

  @Override
  public @Nullable String environment(String name) {
    return env.get(name);
  }
}
