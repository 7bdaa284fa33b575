package io.portico.config;

import io.portico.spi.config.ConfigNode;
import io.portico.spi.plugin.PluginFactory;

/**
 * A plugin as configured at one level (global, service or route): its factory and the config the
 * factory parsed. Instances are created when the snapshot is compiled.
 *
 * @param config the value returned by {@link PluginFactory#parse}
 * @param node where it was configured, for messages
 */
public record PluginSpec(String name, PluginFactory<?> factory, Object config, ConfigNode node) {}
