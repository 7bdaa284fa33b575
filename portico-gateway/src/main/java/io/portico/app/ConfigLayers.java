package io.portico.app;

import io.portico.config.AdminConfig;
import io.portico.config.ConfigFiles;
import io.portico.config.ConfigLoader;
import io.portico.config.ConfigParser;
import io.portico.config.ConfigResult;
import io.portico.config.GatewayConfig;
import io.portico.config.LoadResult;
import io.portico.plugin.PluginRegistry;
import io.portico.snapshot.Snapshot;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.Problems;
import io.portico.store.AuditEntry;
import io.portico.store.Change;
import io.portico.store.ConfigStore;
import io.portico.store.ConfigVersion;
import io.portico.store.DirectoryConfigStore;
import io.portico.store.LayeredConfig;
import io.portico.store.ObjectJson;
import io.portico.store.ObjectKey;
import io.portico.store.ObjectLayer;
import io.portico.store.ObjectWrite;
import io.portico.store.Precondition;
import io.portico.store.WriteResult;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two layers of the config, the file and the admin API's objects over it, and the write path of
 * the admin API:
 *
 * <pre>
 *   write ─▶ preconditions (404 / 409 / 412) ─▶ layer' = layer + changes
 *         ─▶ parse(file ⊕ layer') ── problems ─▶ Rejected (nothing changed)
 *         ─▶ compile ─▶ store.commit(version) ─▶ swap ─▶ Applied
 * </pre>
 *
 * A store that cannot be written rejects the compiled snapshot, so what serves is always what a
 * restart serves. Every write, applied or not, goes to the audit log.
 *
 * <p>Not thread-safe: {@link Gateway} calls it under its reload lock, which serialises reloads and
 * writes.
 */
final class ConfigLayers implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ConfigLayers.class);

  /** The result of compiling a written config, committing it and swapping it in. */
  record Applied(@Nullable Snapshot snapshot, Problems problems, @Nullable Exception failure) {}

  /** Writes the new version to the store; runs after the compile, before the swap. */
  interface Commit {
    void run() throws IOException;
  }

  /** Compiles a config, runs the commit when it compiled, and swaps it in when that succeeded. */
  interface Applier {
    Applied apply(GatewayConfig config, Commit commit);
  }

  /** Compiles a config and discards the result; the problems, empty when it compiled. */
  interface Checker {
    Problems check(GatewayConfig config);
  }

  private final Path configFile;
  private final ConfigLoader loader;
  private final PluginRegistry registry;
  private final @Nullable ConfigStore store;
  private LoadResult file;
  private ObjectLayer layer;

  /** The config file the gateway was started with. */
  Path configFile() {
    return configFile;
  }

  private ConfigLayers(
      Path configFile,
      ConfigLoader loader,
      PluginRegistry registry,
      @Nullable ConfigStore store,
      LoadResult file) {
    this.configFile = configFile;
    this.loader = loader;
    this.registry = registry;
    this.store = store;
    this.file = file;
    this.layer =
        store == null
            ? ObjectLayer.EMPTY
            : store.latest().map(ConfigVersion::layer).orElse(ObjectLayer.EMPTY);
  }

  /**
   * The layers of a gateway starting from {@code file}: the store of {@code admin.store} is opened
   * and its newest version is the API's layer.
   *
   * @throws IOException when the store cannot be read
   */
  static ConfigLayers open(
      Path configFile,
      ConfigLoader loader,
      PluginRegistry registry,
      LoadResult file,
      AdminConfig admin)
      throws IOException {
    Path dir = admin.store();
    ConfigStore store = dir == null ? null : DirectoryConfigStore.open(dir, admin.history());
    return new ConfigLayers(configFile, loader, registry, store, file);
  }

  ObjectLayer layer() {
    return layer;
  }

  @Nullable ConfigStore store() {
    return store;
  }

  /** Reads the config file again (for a reload). */
  LoadResult loadFile() {
    return loader.load(configFile);
  }

  /** The config file as the running config read it; null when it could not be read. */
  @Nullable ConfigNode fileRoot() {
    return file.root();
  }

  /** A reload applied {@code loaded}: API writes from now on lay over it. */
  void fileLoaded(LoadResult loaded) {
    this.file = loaded;
  }

  /** Parses the file with {@code objects} over it. */
  ConfigResult parse(LoadResult fileLoad, ObjectLayer objects) {
    LoadResult merged = LayeredConfig.merge(fileLoad, objects, loader);
    return ConfigFiles.parse(merged, configFile, registry);
  }

  /**
   * Parses the file with a write's {@code objects} over it, keeping only the problems its answer
   * lists and counting the rest ({@link ConfigFiles#parseListed}): a write with a million mistakes
   * costs a bounded report.
   */
  ConfigResult parseWrite(LoadResult fileLoad, ObjectLayer objects) {
    LoadResult merged = LayeredConfig.merge(fileLoad, objects, loader);
    return ConfigFiles.parseListed(merged, configFile, registry);
  }

  WriteResult write(ObjectWrite write, Snapshot current, Applier applier) {
    if (store == null) {
      return new WriteResult.Failed(
          403, "admin-writes-off", "Writes through the admin API are off (admin.store: off).");
    }
    WriteResult.Failed failed = check(write.preconditions(), current);
    if (failed != null) {
      audit(write.actor(), write.action(), outcome(failed), null, failed.detail());
      return failed;
    }
    List<ObjectKey> changed = new ArrayList<>();
    for (Change c : write.changes()) {
      changed.add(c.key());
    }
    return apply(next(write), write.actor(), write.action(), changed, applier);
  }

  /**
   * Checks {@code write} exactly as {@link #write} would (preconditions, parse, compile) and
   * answers {@link WriteResult.Valid} with the config it would make; changes nothing, stores no
   * version and writes no audit entry.
   */
  WriteResult dryRun(ObjectWrite write, Snapshot current, Checker checker) {
    if (store == null) {
      return new WriteResult.Failed(
          403, "admin-writes-off", "Writes through the admin API are off (admin.store: off).");
    }
    WriteResult.Failed failed = check(write.preconditions(), current);
    if (failed != null) {
      return failed;
    }
    ConfigResult parsed = parseWrite(file, next(write));
    GatewayConfig config = parsed.config();
    if (config == null) {
      return new WriteResult.Rejected(parsed.problems());
    }
    Problems problems = checker.check(config);
    return problems.isEmpty() ? new WriteResult.Valid(config) : new WriteResult.Rejected(problems);
  }

  /** The API's object layer with {@code write}'s changes. */
  private ObjectLayer next(ObjectWrite write) {
    Set<ObjectKey> inFile = LayeredConfig.objects(file.root()).keySet();
    ObjectLayer next = layer;
    for (Change c : write.changes()) {
      next = next.with(c, inFile::contains);
    }
    return next;
  }

  WriteResult rollback(
      long number,
      String actor,
      List<Precondition> preconditions,
      Snapshot current,
      Applier applier) {
    String action = "POST /config/versions/" + number + "/rollback";
    if (store == null) {
      return new WriteResult.Failed(
          403, "admin-writes-off", "Writes through the admin API are off (admin.store: off).");
    }
    ConfigVersion target = store.version(number).orElse(null);
    if (target == null) {
      return new WriteResult.Failed(
          404, "admin-not-found", "No version " + number + " is kept in the store.");
    }
    WriteResult.Failed failed = check(preconditions, current);
    if (failed != null) {
      audit(actor, action, outcome(failed), null, failed.detail());
      return failed;
    }
    Set<ObjectKey> changed = new TreeSet<>();
    for (ObjectLayer l : List.of(layer, target.layer())) {
      changed.addAll(l.objects().keySet());
      changed.addAll(l.deleted());
    }
    changed.removeIf(
        k ->
            Objects.equals(layer.objects().get(k), target.layer().objects().get(k))
                && layer.deleted().contains(k) == target.layer().deleted().contains(k));
    return apply(target.layer(), actor, action, List.copyOf(changed), applier);
  }

  private WriteResult.@Nullable Failed check(List<Precondition> preconditions, Snapshot current) {
    Map<ObjectKey, ConfigNode> objects = LayeredConfig.objects(current.config().source());
    for (Precondition p : preconditions) {
      WriteResult.Failed failed = p.check(objects, current.version());
      if (failed != null) {
        return failed;
      }
    }
    return null;
  }

  private WriteResult apply(
      ObjectLayer next, String actor, String action, List<ObjectKey> changed, Applier applier) {
    ConfigStore s = Objects.requireNonNull(store);
    ConfigResult parsed = parseWrite(file, next);
    GatewayConfig config = parsed.config();
    if (config == null) {
      audit(actor, action, "rejected", null, ConfigParser.renderListed(parsed.problems()).strip());
      return new WriteResult.Rejected(parsed.problems());
    }
    long number = s.latest().map(v -> v.number() + 1).orElse(1L);
    ConfigVersion version =
        new ConfigVersion(
            number,
            Instant.now(),
            actor,
            action,
            changed,
            next,
            config.version(),
            etags(config.source()));
    Applied applied = applier.apply(config, () -> s.commit(version));
    if (applied.snapshot() == null) {
      Exception failure = applied.failure();
      if (failure != null) {
        log.error("the admin store could not be written; the change was not applied", failure);
        String detail = "The change could not be stored, so it was not applied: " + failure;
        audit(actor, action, "failed", null, detail);
        return new WriteResult.Failed(503, "admin-store-failed", detail);
      }
      audit(actor, action, "rejected", null, ConfigParser.renderListed(applied.problems()).strip());
      return new WriteResult.Rejected(applied.problems());
    }
    layer = next;
    audit(actor, action, "applied", number, "");
    return new WriteResult.Applied(number, applied.snapshot().version());
  }

  /** The ETag of every object of a config. */
  static Map<ObjectKey, String> etags(ConfigNode source) {
    Map<ObjectKey, String> out = new LinkedHashMap<>();
    LayeredConfig.objects(source).forEach((k, node) -> out.put(k, ObjectJson.etag(node)));
    return out;
  }

  private static String outcome(WriteResult.Failed failed) {
    return failed.status() == 412 || failed.status() == 409 ? "conflict" : "rejected";
  }

  private void audit(
      String actor, String action, String outcome, @Nullable Long version, String detail) {
    if (store == null) {
      return;
    }
    try {
      store.audit(new AuditEntry(Instant.now(), actor, action, outcome, version, detail));
    } catch (IOException e) {
      log.warn("the admin audit log could not be written: {}", e.toString());
    }
  }

  @Override
  public void close() {
    if (store != null) {
      store.close();
    }
  }
}
