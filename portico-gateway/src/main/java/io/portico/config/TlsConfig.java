package io.portico.config;

import java.nio.file.Path;
import java.util.List;

/**
 * TLS termination on a listener: certificates chosen by SNI; the first one is the default for
 * clients that send no (or an unknown) server name.
 */
public record TlsConfig(List<Certificate> certificates, List<String> protocols) {

  /**
   * A PEM certificate chain and its private key.
   *
   * @param serverNames SNI names served with this certificate, {@code *.example.com} allowed; empty
   *     means default only
   */
  public record Certificate(List<String> serverNames, Path certFile, Path keyFile) {}
}
