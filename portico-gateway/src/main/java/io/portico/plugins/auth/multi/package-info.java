/**
 * The {@code multi-auth} plugin: several authentication methods tried in order; a request that any
 * one of them accepts passes.
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.plugins.auth.multi;

import org.jspecify.annotations.NullMarked;
