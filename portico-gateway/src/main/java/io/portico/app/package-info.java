/**
 * The composition root: {@link io.portico.app.Gateway} builds the event loops, compiles the first
 * snapshot, starts the proxy and admin listeners and the access log, reloads and shuts down.
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.app;

import org.jspecify.annotations.NullMarked;
