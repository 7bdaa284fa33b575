/**
 * Token authentication: {@code jwt} (signed JWTs verified with static keys or a JWKS), {@code
 * oauth2-introspection} (opaque tokens checked with an RFC 7662 endpoint) and {@code
 * openid-connect} (bearer tokens of a discovered provider, or a browser login with a session
 * cookie).
 *
 * <p>Flow of a request: {@link io.portico.plugins.auth.token.TokenSource} finds the token; the
 * plugin verifies it on the event loop when its keys or cached answer are at hand, or suspends the
 * exchange with {@link io.portico.spi.plugin.Outcome#await} while a JWKS or introspection call runs
 * on the JDK HTTP client, then resumes on the event loop. A verified token becomes an {@link
 * io.portico.spi.plugin.Identity} on the exchange and identity headers upstream.
 *
 * <p>{@link io.portico.plugins.auth.token.AuthReplies} (401/403/503 rendering) and {@link
 * io.portico.plugins.auth.token.IdentityHeaders} (identity forwarding) are this package's own small
 * versions of machinery that belongs to the auth plugins as a whole; they are kept apart so that a
 * shared implementation can replace them.
 */
package io.portico.plugins.auth.token;
