package io.portico.config;

import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * TLS termination on a listener: certificates chosen by SNI; the first one is the default for
 * clients that send no (or an unknown) server name.
 *
 * @param clientAuth whether client certificates are requested, and whether one is required
 * @param clientCa the PEM file of the CAs client certificates must chain to; null with {@link
 *     ClientAuth#NONE}
 */
public record TlsConfig(
    List<Certificate> certificates,
    List<String> protocols,
    ClientAuth clientAuth,
    @Nullable Path clientCa) {

  /** Without client certificates. */
  public TlsConfig(List<Certificate> certificates, List<String> protocols) {
    this(certificates, protocols, ClientAuth.NONE, null);
  }

  /**
   * A PEM certificate chain and its private key.
   *
   * @param serverNames SNI names served with this certificate, {@code *.example.com} allowed; empty
   *     means default only
   */
  public record Certificate(List<String> serverNames, Path certFile, Path keyFile) {}

  /** Client certificates: not requested, requested, or required to complete the handshake. */
  public enum ClientAuth {
    NONE,
    OPTIONAL,
    REQUIRE
  }
}
