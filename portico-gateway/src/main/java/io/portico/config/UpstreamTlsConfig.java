package io.portico.config;

import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * TLS to a service's endpoints: on for {@code https://} targets or a {@code tls} section.
 *
 * @param verify whether the endpoint's certificate is verified (chain and host name); on unless
 *     turned off explicitly
 * @param ca the PEM file of the CAs the endpoint's certificate must chain to; null means the system
 *     trust store
 * @param serverName the name sent by SNI and checked against the certificate; null means each
 *     target's host
 * @param clientCert the PEM certificate chain the gateway presents (mutual TLS); null for none
 * @param clientKey the private key of {@code clientCert}
 * @param protocols the TLS versions offered
 */
public record UpstreamTlsConfig(
    boolean verify,
    @Nullable Path ca,
    @Nullable String serverName,
    @Nullable Path clientCert,
    @Nullable Path clientKey,
    List<String> protocols) {

  public UpstreamTlsConfig {
    protocols = List.copyOf(protocols);
  }
}
