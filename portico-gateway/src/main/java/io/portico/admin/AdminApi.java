package io.portico.admin;

import io.portico.observe.alert.Alerting;
import io.portico.observe.log.SinkStats;
import io.portico.observe.metrics.GatewayMetrics;
import io.portico.snapshot.ReloadResult;
import io.portico.snapshot.Snapshot;
import io.portico.store.ConfigStore;
import io.portico.store.ObjectLayer;
import io.portico.store.ObjectWrite;
import io.portico.store.Precondition;
import io.portico.store.WriteResult;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What the admin listener reads and triggers in the running gateway. The admin package owns this
 * interface and the composition root ({@code io.portico.app.Gateway}) implements it, so the admin
 * listener never depends on the gateway that starts it.
 *
 * <p>The blocking methods ({@link #reload}, {@link #write}, {@link #rollback}) are called off the
 * event loops; the gateway serialises them.
 */
public interface AdminApi {

  /** The version Portico was built as. */
  String buildVersion();

  /** The active snapshot. */
  Snapshot snapshot();

  /** Reloads the config from its file, keeping the objects written through the API. */
  ReloadResult reload();

  /** Whether the gateway takes traffic (listeners bound, not draining). */
  boolean ready();

  /**
   * Applies a write to the API's object layer as one new snapshot and store version, when its
   * preconditions hold and the config it makes is valid; otherwise nothing changes.
   */
  WriteResult write(ObjectWrite write);

  /**
   * Checks a write exactly as {@link #write} would and answers {@link WriteResult.Valid} with the
   * config it would make, or why it would not apply; changes nothing and stores nothing.
   */
  default WriteResult dryRun(ObjectWrite write) {
    return new WriteResult.Failed(501, "admin-dry-run-unsupported", "No dry runs here.");
  }

  /** Makes the object layer of store version {@code version} current again, as a new version. */
  WriteResult rollback(long version, String actor, List<Precondition> preconditions);

  /** The objects written through the API over the file's (empty without a store). */
  ObjectLayer layer();

  /** The store of versions and audit log; null when {@code admin.store} is off. */
  @Nullable ConfigStore store();

  /** The gateway's metrics; null when {@code metrics.enabled} is false. */
  default @Nullable GatewayMetrics metrics() {
    return null;
  }

  /** Built-in alerting; null when the config started without an {@code alerts} section. */
  default @Nullable Alerting alerting() {
    return null;
  }

  /**
   * The console's accounts; null when the console is off or there is no store to keep them in
   * ({@code admin.store: off}).
   */
  default io.portico.accounts.@Nullable Accounts accounts() {
    return null;
  }

  /** The developer portal; null when it is off or there are no accounts. */
  default io.portico.portal.@Nullable Portal portal() {
    return null;
  }

  /** The bound client listeners in config order (a configured port 0 shows the chosen port). */
  default List<java.net.InetSocketAddress> listeners() {
    return List.of();
  }

  /** The gateway's public URL for the portal's try-it panel, or null when it has none. */
  default @Nullable String gatewayUrl() {
    return null;
  }

  /** Each access-log sink's counts, in config order; empty when the access log is off. */
  default List<SinkStats> accessLogSinks() {
    return List.of();
  }

  /** The live tail of the access log ({@code GET /logs/tail}); null when there is none. */
  default io.portico.observe.log.@Nullable LogTail logTail() {
    return null;
  }

  /** The installed plugin factories ({@code GET /schemas/plugins}); none by default. */
  default io.portico.plugin.PluginRegistry plugins() {
    return io.portico.plugin.PluginRegistry.of(List.of());
  }

  /**
   * The value of the environment variable {@code name} as the gateway reads it (the config's {@code
   * ${...}} and provider keys' {@code env:}), or null when unset.
   */
  default @Nullable String environment(String name) {
    return System.getenv(name);
  }
}
