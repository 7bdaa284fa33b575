/**
 * Loading and running plugins through the SPI: {@link io.portico.plugin.PluginRegistry}
 * (ServiceLoader and plugin jars), {@link io.portico.plugin.PluginChain} (a route's plugins, one
 * array per phase) and {@link io.portico.plugin.SharedResources} (what {@code PluginContext.shared}
 * hands out).
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.plugin;

import org.jspecify.annotations.NullMarked;
