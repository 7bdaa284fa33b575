/**
 * Token authentication: {@code jwt} (signed JWTs verified with static keys or a JWKS), {@code
 * oauth2-introspection} (opaque tokens checked with an RFC 7662 endpoint) and {@code
 * openid-connect} (bearer tokens of a discovered provider, or a browser login with a session
 * cookie).
 *
 * <p>Flow of a request: {@code jwt} and {@code oauth2-introspection} are {@link
 * io.portico.plugins.auth.AuthenticatorFactory authenticator factories}, and bearer-mode {@code
 * openid-connect} wraps the same {@code JwtAuthenticator}, so all three run through {@link
 * io.portico.plugins.auth.Authentication} like the other authentication plugins. {@link
 * io.portico.plugins.auth.token.TokenSource} finds the token (an {@code Authorization} header of
 * another scheme is no token); the authenticator verifies it on the event loop when its keys or
 * cached answer are at hand, or returns a pending result while a JWKS or introspection call runs on
 * the JDK HTTP client, and {@code Authentication} applies it on the event loop. A verified token
 * becomes an {@link io.portico.spi.plugin.Identity} on the exchange, the shared identity headers
 * upstream, and the claims chosen in {@code claims-to-headers} ({@link
 * io.portico.plugins.auth.token.ClaimHeaders}).
 *
 * <p>Null-marked: types are non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.portico.plugins.auth.token;

import org.jspecify.annotations.NullMarked;
