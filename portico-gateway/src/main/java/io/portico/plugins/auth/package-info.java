/**
 * What the authentication plugins share: {@link io.portico.plugins.auth.Authentication} runs an
 * {@link io.portico.plugins.auth.Authenticator} on the exchange's event loop, resolves the consumer
 * and sets the identity headers upstream.
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.plugins.auth;

import org.jspecify.annotations.NullMarked;
