package io.portico.plugins.auth.key;

import io.netty.util.AsciiString;
import io.portico.plugins.auth.AuthSettings;
import java.util.List;

/**
 * The config of {@code key-auth}.
 *
 * @param headerNames the request headers that may carry the key (matched case-insensitively)
 * @param queryNames the query parameters that may carry the key (matched exactly)
 * @param realm the realm of the {@code WWW-Authenticate} challenge
 */
public record KeyAuthConfig(
    List<AsciiString> headerNames, List<String> queryNames, String realm, AuthSettings auth) {}
