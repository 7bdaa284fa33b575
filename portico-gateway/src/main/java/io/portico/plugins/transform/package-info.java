/**
 * Request and response transformation plugins: {@code request-transformer} and {@code
 * response-transformer}, compiled once per snapshot.
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.plugins.transform;

import org.jspecify.annotations.NullMarked;
