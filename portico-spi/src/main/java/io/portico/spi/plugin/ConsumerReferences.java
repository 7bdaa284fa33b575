package io.portico.spi.plugin;

import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.Problems;
import java.util.Set;

/**
 * Implemented by a {@link PluginFactory PluginFactory&lt;C&gt;} whose config names consumers, such
 * as an authentication plugin's {@code anonymous} fallback. Consumers are read from another part of
 * the document than the plugins, so the gateway calls {@link #checkConsumerReferences} once both
 * are read, for every configured instance of the plugin, and {@code portico validate} reports a
 * name that matches no consumer.
 *
 * <p>Called on the loading thread, once per configured instance and load, and only with a config
 * whose parsing recorded no problem.
 *
 * @param <C> the factory's compiled configuration, as for {@link PluginFactory}
 */
public interface ConsumerReferences<C> {

  /**
   * Checks the consumer names in {@code config} against {@code consumers}, reporting each unknown
   * one against the node that names it, as {@code problems.expected(at, "the name of a consumer")}.
   *
   * @param config what this factory's {@link PluginFactory#parse} returned
   * @param node the plugin's config node
   * @param consumers the names of the configured consumers
   */
  void checkConsumerReferences(C config, ConfigNode node, Set<String> consumers, Problems problems);
}
