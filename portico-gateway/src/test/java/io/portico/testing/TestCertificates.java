package io.portico.testing;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.SSLContext;

/**
 * A certificate authority made when a test runs, and server certificates it issues as PEM files in
 * a directory the test owns. Nothing is written anywhere else, so no key is ever committed.
 */
public final class TestCertificates {

  /** A certificate chain and its private key, as files. */
  public record Issued(Path cert, Path key, X509Bundle bundle) {}

  private final X509Bundle ca;
  private final Path dir;

  private TestCertificates(X509Bundle ca, Path dir) {
    this.ca = ca;
    this.dir = dir;
  }

  /** A new CA whose certificates go into {@code dir}. */
  public static TestCertificates create(Path dir) throws Exception {
    Instant now = Instant.now();
    X509Bundle ca =
        new CertificateBuilder()
            .subject("CN=Portico Test CA")
            .notBefore(now.minus(Duration.ofHours(1)))
            .notAfter(now.plus(Duration.ofDays(1)))
            .ecp256()
            .setIsCertificateAuthority(true)
            .buildSelfSigned();
    return new TestCertificates(ca, dir);
  }

  /**
   * Issues a server certificate with subject {@code CN=commonName}; each name is a DNS name, or an
   * IP address SAN when it is an IPv4 literal.
   */
  public Issued issue(String commonName, String... names) throws Exception {
    Instant now = Instant.now();
    CertificateBuilder b =
        new CertificateBuilder()
            .subject("CN=" + commonName)
            .notBefore(now.minus(Duration.ofHours(1)))
            .notAfter(now.plus(Duration.ofDays(1)))
            .ecp256()
            .addExtendedKeyUsageServerAuth();
    for (String name : names) {
      if (name.matches("[0-9.]+")) {
        b.addSanIpAddress(name);
      } else {
        b.addSanDnsName(name);
      }
    }
    X509Bundle bundle = b.buildIssuedBy(ca);
    Path cert = dir.resolve(commonName.replace('*', '_') + ".pem");
    Path key = dir.resolve(commonName.replace('*', '_') + ".key");
    Files.writeString(cert, bundle.getCertificatePathPEM());
    Files.writeString(key, bundle.getPrivateKeyPEM());
    return new Issued(cert, key, bundle);
  }

  /** Issues a client certificate with subject {@code CN=commonName} and DNS names as SANs. */
  public Issued issueClient(String commonName, String... dnsNames) throws Exception {
    Instant now = Instant.now();
    CertificateBuilder b =
        new CertificateBuilder()
            .subject("CN=" + commonName)
            .notBefore(now.minus(Duration.ofHours(1)))
            .notAfter(now.plus(Duration.ofDays(1)))
            .ecp256()
            .addExtendedKeyUsageClientAuth();
    for (String name : dnsNames) {
      b.addSanDnsName(name);
    }
    X509Bundle bundle = b.buildIssuedBy(ca);
    Path cert = dir.resolve("client-" + commonName + ".pem");
    Path key = dir.resolve("client-" + commonName + ".key");
    Files.writeString(cert, bundle.getCertificatePathPEM());
    Files.writeString(key, bundle.getPrivateKeyPEM());
    return new Issued(cert, key, bundle);
  }

  /** Writes this CA's certificate as a PEM file (for {@code tls.client-ca}) and returns it. */
  public Path caFile() throws Exception {
    Path file = dir.resolve("ca-" + Integer.toHexString(System.identityHashCode(this)) + ".pem");
    Files.writeString(file, ca.getCertificatePEM());
    return file;
  }

  /** A client context that trusts this CA and presents {@code client} as its certificate. */
  public SSLContext clientContext(Issued client) throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(
        client.bundle().toKeyManagerFactory().getKeyManagers(),
        ca.toTrustManagerFactory().getTrustManagers(),
        null);
    return context;
  }

  /** A client context that trusts this CA only. */
  public SSLContext clientContext() throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, ca.toTrustManagerFactory().getTrustManagers(), null);
    return context;
  }
}
