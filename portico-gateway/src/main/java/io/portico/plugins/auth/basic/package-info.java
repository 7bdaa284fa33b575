/**
 * The {@code basic-auth} plugin: HTTP Basic credentials checked against consumers' bcrypt hashes on
 * a small bounded pool off the event loops, with a cache of recent successes.
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.plugins.auth.basic;

import org.jspecify.annotations.NullMarked;
