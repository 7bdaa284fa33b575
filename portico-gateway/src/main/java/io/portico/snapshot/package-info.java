/**
 * The compiled, immutable view of the configuration the data plane reads, and how it is swapped on
 * reload.
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.snapshot;

import org.jspecify.annotations.NullMarked;
