package io.portico.plugins.auth.mtls;

import io.portico.plugins.auth.AuthSettings;

/**
 * The config of {@code mtls-auth}.
 *
 * @param realm the realm of the {@code WWW-Authenticate} challenge
 */
public record MtlsAuthConfig(String realm, AuthSettings auth) {}
