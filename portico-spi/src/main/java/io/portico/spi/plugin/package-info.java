/**
 * The plugin contract: what a plugin implements and what it sees of an exchange.
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.spi.plugin;

import org.jspecify.annotations.NullMarked;
