package io.portico.spi.plugin;

import io.portico.spi.config.ConfigReader;

/**
 * Makes a {@link Plugin} from its configuration. Registered with {@link java.util.ServiceLoader} (a
 * {@code META-INF/services/io.portico.spi.plugin.PluginFactory} entry), under a stable {@link
 * #name()} that configs use as the key of the plugin.
 *
 * <p>Loading is two steps, both at config load time and never per request: {@link #parse} reads and
 * validates the config into an immutable value ({@code C}, usually a record), reporting every
 * problem through the reader; {@link #create} builds the instance from a valid config. {@code
 * portico validate} runs only the first step, so it opens no connections.
 *
 * @param <C> the plugin's compiled configuration
 */
public interface PluginFactory<C> {

  /** The stable name used in configs, e.g. {@code cors}. */
  String name();

  /**
   * Order within a phase: higher runs first. Built-in ranges: 3000+ request shaping (request-id),
   * 2000+ authentication, 1000+ authorization and limits, below 1000 transformation and local
   * responders.
   */
  int priority();

  /** Reads and validates the config; returns null only when problems were recorded. */
  C parse(ConfigReader config);

  /** Builds the plugin from a config returned by {@link #parse}. */
  Plugin create(C config, PluginContext context);
}
