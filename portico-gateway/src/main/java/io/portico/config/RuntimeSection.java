package io.portico.config;

import io.portico.plugin.PluginLoadException;
import io.portico.plugin.PluginRegistry;
import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.ConfigReader;
import io.portico.spi.config.Problems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Parses the top-level {@code runtime} section into {@link RuntimeConfig}: event-loop threads, the
 * shutdown timeout, the access log, config watching and the plugin directory, whose jars extend the
 * plugin registry for the rest of the parse ({@link #factories()}).
 */
final class RuntimeSection {

  private final SectionReaders in;
  private final Problems problems;
  private PluginRegistry factories;

  RuntimeSection(SectionReaders in, PluginRegistry factories) {
    this.in = in;
    this.problems = in.problems;
    this.factories = factories;
  }

  RuntimeConfig parse(ConfigReader r) {
    RuntimeConfig d = RuntimeConfig.DEFAULTS;
    int ioThreads = r.integer("io-threads", d.ioThreads(), 0, 1024);
    Duration shutdownTimeout =
        r.duration("shutdown-timeout", d.shutdownTimeout(), Duration.ZERO, Duration.ofHours(1));
    AccessLogConfig accessLog = d.accessLog();
    ConfigNode log = r.child("access-log");
    if (log != null) {
      accessLog = new AccessLogSection(problems, in.baseDir).parse(log);
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

  @Nullable Path pluginDir(ConfigNode node) {
    if (!node.isScalar() || node.scalarText().isEmpty()) {
      problems.expected(node, "a directory of plugin jars");
      return null;
    }
    Path dir = in.baseDir.resolve(node.scalarText()).normalize();
    if (!Files.isDirectory(dir)) {
      problems.expected(node, "a directory of plugin jars; " + dir + " is not a directory");
      return null;
    }
    try {
      factories = factories.withPluginDir(dir);
    } catch (PluginLoadException e) {
      problems.at(node, String.valueOf(e.getMessage()));
    }
    return dir;
  }

  /** The plugin factories in effect after the section: the registry, with the plugin-dir's jars. */
  PluginRegistry factories() {
    return factories;
  }
}
