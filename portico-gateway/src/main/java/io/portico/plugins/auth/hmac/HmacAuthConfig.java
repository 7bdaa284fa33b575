package io.portico.plugins.auth.hmac;

import io.portico.plugins.auth.AuthSettings;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The config of {@code hmac-auth}.
 *
 * @param clockSkew how far the signed {@code Date} (or {@code X-Date}) may be from the gateway's
 *     clock, either way
 * @param algorithms the accepted {@code algorithm} values, e.g. {@code hmac-sha256}
 * @param enforceHeaders headers (lower case, or {@code request-line}) every signature must cover
 * @param validateRequestBody whether a signed {@code Digest} header is required and compared with
 *     the request body
 * @param maxBodySize the largest body read to compare with its digest; a larger one is refused with
 *     413
 * @param realm the realm of the {@code WWW-Authenticate} challenge
 */
public record HmacAuthConfig(
    Duration clockSkew,
    Set<String> algorithms,
    List<String> enforceHeaders,
    boolean validateRequestBody,
    long maxBodySize,
    String realm,
    AuthSettings auth) {}
