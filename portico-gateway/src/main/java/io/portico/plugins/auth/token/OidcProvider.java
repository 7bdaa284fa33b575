package io.portico.plugins.auth.token;

import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import org.jspecify.annotations.Nullable;

/**
 * What the discovery of an OpenID Connect provider gave {@code openid-connect}: its metadata and
 * the verifiers built from it.
 *
 * @param metadata the discovery document: issuer, JWKS, endpoints
 * @param bearer verifies access tokens (bearer mode)
 * @param idTokens verifies ID tokens (relying-party mode), or null in bearer mode
 */
record OidcProvider(
    OIDCProviderMetadata metadata, JwtAuthenticator bearer, @Nullable JwtAuthenticator idTokens) {}
