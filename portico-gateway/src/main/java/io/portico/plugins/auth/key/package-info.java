/**
 * The {@code key-auth} plugin: API keys from a header or query parameter, stored hashed and looked
 * up by their hash.
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.plugins.auth.key;

import org.jspecify.annotations.NullMarked;
