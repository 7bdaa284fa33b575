package io.portico.plugin;

import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.Problems;
import java.util.Set;

/**
 * Implemented by a {@link io.portico.spi.plugin.PluginFactory} whose config names consumers (an
 * authentication plugin's {@code anonymous}). The config parser calls it for every configured
 * instance once the consumers are known, so {@code portico validate} reports a name that matches no
 * consumer. Called once per load, on the loading thread.
 */
public interface ConsumerReferences {

  /**
   * Checks the consumer names in {@code config} (a value returned by this factory's {@code parse})
   * against {@code consumers}, reporting against {@code node}, the plugin's config node.
   */
  void checkConsumerReferences(
      Object config, ConfigNode node, Set<String> consumers, Problems problems);
}
