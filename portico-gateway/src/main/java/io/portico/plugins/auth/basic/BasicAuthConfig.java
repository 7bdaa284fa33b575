package io.portico.plugins.auth.basic;

import io.portico.plugins.auth.AuthSettings;
import java.time.Duration;

/**
 * The config of {@code basic-auth}.
 *
 * @param realm the realm of the {@code WWW-Authenticate} challenge
 * @param cacheTtl how long a successful check is remembered
 * @param cacheSize the most remembered checks
 */
public record BasicAuthConfig(String realm, Duration cacheTtl, int cacheSize, AuthSettings auth) {}
