package io.portico.app;

import io.portico.admin.AdminApi;
import io.portico.config.ConfigResult;
import io.portico.config.GatewayConfig;
import io.portico.config.ListenerConfig;
import io.portico.config.LoadResult;
import io.portico.config.NoRoutesWarning;
import io.portico.observe.alert.Alerting;
import io.portico.observe.metrics.GatewayMetrics;
import io.portico.plugin.PluginInstances;
import io.portico.snapshot.ReloadResult;
import io.portico.snapshot.Snapshot;
import io.portico.snapshot.SnapshotCompiler;
import io.portico.snapshot.SnapshotHolder;
import io.portico.spi.config.Problems;
import io.portico.store.ObjectLayer;
import io.portico.store.ObjectWrite;
import io.portico.store.Precondition;
import io.portico.store.WriteResult;
import io.portico.upstream.EndpointSources;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The change step of a running gateway: a reload of the config file, and the admin API's writes and
 * rollbacks. Each is serialised with the others and with shutdown: the new config is loaded, parsed
 * and compiled on the caller's thread beside the running one, swapped in one step and activated
 * (the composition root's {@code activate}); an invalid config changes nothing and its problems are
 * returned. After {@link #close()} every change is refused.
 */
final class ConfigChanges {

  private static final Logger log = LoggerFactory.getLogger(Gateway.class);

  private final Object lock = new Object();
  private final ConfigLayers layers;
  private final SnapshotCompiler compiler;
  private final SnapshotHolder snapshots;
  private final EndpointSources endpointSources;
  private final Consumer<Snapshot> activate;
  private final @Nullable GatewayMetrics metrics;
  private final @Nullable Alerting alerting;
  private boolean closed;

  ConfigChanges(
      ConfigLayers layers,
      SnapshotCompiler compiler,
      SnapshotHolder snapshots,
      EndpointSources endpointSources,
      Consumer<Snapshot> activate,
      @Nullable GatewayMetrics metrics,
      @Nullable Alerting alerting) {
    this.layers = layers;
    this.compiler = compiler;
    this.snapshots = snapshots;
    this.endpointSources = endpointSources;
    this.activate = activate;
    this.metrics = metrics;
    this.alerting = alerting;
  }

  /** Re-reads the config file; applies it only when it is valid. Thread-safe. */
  ReloadResult reload() {
    synchronized (lock) {
      if (closed) {
        return ReloadResult.rejected(snapshots.current().version(), new Problems());
      }
      LoadResult file = layers.loadFile();
      ConfigResult result = layers.parse(file, layers.layer());
      GatewayConfig config = result.config();
      if (config == null) {
        log.warn(
            "config reload rejected; still serving {}:\n{}",
            snapshots.current().version(),
            result.problems().render());
        countReload(false);
        return ReloadResult.rejected(snapshots.current().version(), result.problems());
      }
      SnapshotCompiler.Result compiled = compiler.compile(config);
      Snapshot next = compiled.snapshot();
      if (next == null) {
        log.warn(
            "config reload rejected; still serving {}:\n{}",
            snapshots.current().version(),
            compiled.problems().render());
        countReload(false);
        return ReloadResult.rejected(snapshots.current().version(), compiled.problems());
      }
      Snapshot old = snapshots.swap(next);
      activate.accept(next);
      String changes = FileChanges.describe(layers.fileRoot(), file.root());
      layers.fileLoaded(file);
      List<String> warnings = new ArrayList<>(2);
      if (!bindings(old.config().listeners()).equals(bindings(config.listeners()))) {
        warnings.add(
            "adding, removing, renaming or moving a listener, or turning its TLS on or off, takes"
                + " effect on restart");
      }
      if (!old.config().admin().equals(config.admin())
          || old.config().runtime().ioThreads() != config.runtime().ioThreads()
          || !java.util.Objects.equals(
              old.config().runtime().accessLog(), config.runtime().accessLog())
          || old.config().metrics().differsAtRestart(config.metrics())
          || (alerting == null && config.alerts() != null)) {
        warnings.add(
            "changes to the admin listener, runtime.io-threads, runtime.access-log, metrics"
                + " other than metrics.server-timing, or adding an alerts section to a gateway"
                + " started without one take effect on restart");
      }
      String noRoutes = NoRoutesWarning.of(config, layers.configFile());
      if (noRoutes != null) {
        warnings.add(noRoutes.substring("warning: ".length()));
      }
      log.info("config reloaded: {} -> {} ({})", old.version(), next.version(), changes);
      for (String warning : warnings) {
        log.warn("{}", warning);
      }
      countReload(true);
      return new ReloadResult(true, next.version(), compiled.problems(), warnings);
    }
  }

  /** Applies an admin write; see {@link AdminApi#write}. Thread-safe. */
  WriteResult write(ObjectWrite write) {
    synchronized (lock) {
      if (closed) {
        return new WriteResult.Failed(503, "admin-unavailable", "The gateway is shutting down.");
      }
      return layers.write(write, snapshots.current(), this::compileAndSwap);
    }
  }

  /** Checks an admin write without applying it; see {@link AdminApi#dryRun}. Thread-safe. */
  WriteResult dryRun(ObjectWrite write) {
    synchronized (lock) {
      if (closed) {
        return new WriteResult.Failed(503, "admin-unavailable", "The gateway is shutting down.");
      }
      return layers.dryRun(write, snapshots.current(), this::compileAndDiscard);
    }
  }

  /** Compiles {@code config} as a write would, then closes what the compile opened. */
  private Problems compileAndDiscard(GatewayConfig config) {
    SnapshotCompiler.Result compiled = compiler.compile(config);
    Snapshot next = compiled.snapshot();
    if (next != null) {
      endpointSources.discard();
      PluginInstances.close(next.plugins(), next.version());
      return new Problems();
    }
    return compiled.problems();
  }

  /** Rolls the API's objects back to a stored version; see {@link AdminApi#rollback}. */
  WriteResult rollback(long version, String actor, List<Precondition> preconditions) {
    synchronized (lock) {
      if (closed) {
        return new WriteResult.Failed(503, "admin-unavailable", "The gateway is shutting down.");
      }
      return layers.rollback(
          version, actor, preconditions, snapshots.current(), this::compileAndSwap);
    }
  }

  /**
   * The step of a write between validation and the swap: compiles {@code config}; when it compiles,
   * runs {@code commit} (the store write) and swaps the snapshot in only if that succeeded.
   */
  private ConfigLayers.Applied compileAndSwap(GatewayConfig config, ConfigLayers.Commit commit) {
    SnapshotCompiler.Result compiled = compiler.compile(config);
    Snapshot next = compiled.snapshot();
    if (next == null) {
      return new ConfigLayers.Applied(null, compiled.problems(), null);
    }
    try {
      commit.run();
    } catch (java.io.IOException | RuntimeException e) {
      endpointSources.discard();
      PluginInstances.close(next.plugins(), next.version());
      return new ConfigLayers.Applied(null, compiled.problems(), e);
    }
    Snapshot old = snapshots.swap(next);
    activate.accept(next);
    log.info("config changed through the admin API: {} -> {}", old.version(), next.version());
    return new ConfigLayers.Applied(next, compiled.problems(), null);
  }

  private void countReload(boolean applied) {
    if (metrics != null) {
      metrics.reloaded(applied);
    }
    if (alerting != null) {
      if (applied) {
        alerting.reloadApplied();
      } else {
        alerting.reloadRejected();
      }
    }
  }

  /**
   * What a reload cannot change about the listeners: their names, addresses and whether they use
   * TLS. Certificates, TLS protocols and {@code http2} apply to connections accepted after it.
   */
  private static List<String> bindings(List<ListenerConfig> listeners) {
    return listeners.stream()
        .map(l -> l.name() + " " + l.address() + (l.tls() == null ? "" : " tls"))
        .toList();
  }

  /** The admin API's objects, read between changes. */
  ObjectLayer layer() {
    synchronized (lock) {
      return layers.layer();
    }
  }

  /** Refuses every change from now on; false when that was already so. */
  boolean close() {
    synchronized (lock) {
      if (closed) {
        return false;
      }
      closed = true;
      return true;
    }
  }
}
