/**
 * The gateway's configuration: {@link io.portico.config.ConfigLoader} reads YAML or JSON files into
 * a tree of positioned nodes, {@link io.portico.config.ConfigParser} turns the tree into the
 * immutable records of {@link io.portico.config.GatewayConfig} (one {@code *Section} class per
 * top-level section), reporting every problem with its file, line and path at once.
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.config;

import org.jspecify.annotations.NullMarked;
