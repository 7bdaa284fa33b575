/**
 * Upstream services: endpoints and their sources, balancing, connection pools, and one call to an
 * upstream.
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.upstream;

import org.jspecify.annotations.NullMarked;
