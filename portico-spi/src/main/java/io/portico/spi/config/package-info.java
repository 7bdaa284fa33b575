/**
 * The configuration reader plugins and the gateway parse their settings with.
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.spi.config;

import org.jspecify.annotations.NullMarked;
