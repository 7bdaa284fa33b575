/**
 * Endpoint health: passive outlier ejection from the outcomes of real requests.
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.upstream.health;

import org.jspecify.annotations.NullMarked;
