package io.portico.plugin;

import io.portico.spi.config.ConfigNode;
import io.portico.spi.config.Problems;

/**
 * Implemented by a {@link io.portico.spi.plugin.PluginFactory} whose plugin authenticates consumers
 * with credentials of its own kind ({@code consumers[].credentials.<plugin-name>}). The config
 * parser calls {@link #checkCredentials} for every consumer that has credentials of that kind, so
 * that {@code portico validate} reports a malformed credential where it is written, without
 * creating any plugin. Called once per load, on the loading thread.
 */
public interface ConsumerCredentials {

  /** Checks one consumer's credentials of this kind, reporting every problem against its node. */
  void checkCredentials(ConfigNode credentials, Problems problems);
}
