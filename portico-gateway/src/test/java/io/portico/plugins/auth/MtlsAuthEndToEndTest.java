package io.portico.plugins.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portico.testing.GatewayFixture;
import io.portico.testing.OriginPerTest;
import io.portico.testing.TestCertificates;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * mtls-auth on TLS listeners with client certificates: a verified certificate maps to a consumer by
 * subject name or fingerprint; a certificate from an unknown CA, or none where one is required,
 * fails the handshake; a verified but unmapped certificate is refused with 401.
 */
class MtlsAuthEndToEndTest {

  @TempDir Path dir;

  @RegisterExtension final OriginPerTest env = new OriginPerTest();
  private TestCertificates certs;
  private TestCertificates.Issued server;
  private GatewayFixture gw;

  @BeforeEach
  void start() throws Exception {
    certs = TestCertificates.create(dir);
    server = certs.issue("server.test", "127.0.0.1");
  }

  private void startGateway(String clientAuth, String bobFingerprint) throws Exception {
    gw =
        env.start(
            """
            listeners:
              - address: 127.0.0.1:0
                tls:
                  certificates:
                    - cert: %s
                      key: %s
                  client-auth: %s
                  client-ca: %s
            services:
              - name: backend
                targets: [ "%s" ]
            consumers:
              - name: alice
                groups: [ partners ]
                credentials:
                  mtls-auth: { subject-name: alice.clients.test }
              - name: bob
                credentials:
                  mtls-auth: [ { fingerprint: "%s" } ]
            routes:
              - name: api
                paths: [ /api ]
                strip-prefix: true
                service: backend
                plugins:
                  mtls-auth: {}
            """
                .formatted(
                    server.cert(),
                    server.key(),
                    clientAuth,
                    certs.caFile(),
                    env.origin().authority(),
                    bobFingerprint));
  }

  private HttpResponse<String> get(SSLContext context) throws Exception {
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .sslContext(context)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    return client.send(
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + gw.port() + "/api/hello"))
            .header("X-Consumer-Name", "mallory")
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String fingerprint(TestCertificates.Issued cert) throws Exception {
    return HexFormat.ofDelimiter(":")
        .formatHex(
            MessageDigest.getInstance("SHA-256")
                .digest(cert.bundle().getCertificate().getEncoded()));
  }

  @Test
  void aVerifiedCertificateMapsToItsConsumerBySubjectNameOrFingerprint() throws Exception {
    TestCertificates.Issued alice = certs.issueClient("Alice", "alice.clients.test");
    TestCertificates.Issued bob = certs.issueClient("bob.clients.test");
    startGateway("require", fingerprint(bob));

    HttpResponse<String> r = get(certs.clientContext(alice));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(env.origin().lastRequest().headers().getAll("x-consumer-name"))
        .containsExactly("alice");
    assertThat(env.origin().lastRequest().headers().get("x-consumer-groups")).isEqualTo("partners");

    assertThat(get(certs.clientContext(bob)).statusCode()).isEqualTo(200);
    assertThat(env.origin().lastRequest().headers().getAll("x-consumer-name"))
        .containsExactly("bob");
  }

  @Test
  void aVerifiedCertificateOfNoConsumerIsRefusedWith401() throws Exception {
    TestCertificates.Issued carol = certs.issueClient("carol.clients.test");
    startGateway("require", "00".repeat(32));
    int before = env.origin().requestCount();
    HttpResponse<String> r = get(certs.clientContext(carol));
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("www-authenticate")).hasValue("mTLS realm=\"portico\"");
    assertThat(env.origin().requestCount()).isEqualTo(before);
  }

  @Test
  void aCertificateFromAnUnknownCaOrNoneFailsTheHandshakeWhenRequired() throws Exception {
    startGateway("require", "00".repeat(32));
    TestCertificates other = TestCertificates.create(Files.createDirectory(dir.resolve("other")));
    TestCertificates.Issued stranger = other.issueClient("alice.clients.test");
    SSLContext strangerContext = SSLContext.getInstance("TLS");
    strangerContext.init(
        stranger.bundle().toKeyManagerFactory().getKeyManagers(), trustOnly(certs), null);
    assertThatThrownBy(() -> get(strangerContext)).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> get(certs.clientContext())).isInstanceOf(IOException.class);
  }

  @Test
  void withoutARequiredCertificateTheRequestHasNoCredential() throws Exception {
    startGateway("optional", "00".repeat(32));
    HttpResponse<String> r = get(certs.clientContext());
    assertThat(r.statusCode()).isEqualTo(401);
  }

  private static javax.net.ssl.TrustManager[] trustOnly(TestCertificates certs) throws Exception {
    javax.net.ssl.TrustManagerFactory tmf =
        javax.net.ssl.TrustManagerFactory.getInstance(
            javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setCertificateEntry(
        "ca",
        java.security.cert.CertificateFactory.getInstance("X.509")
            .generateCertificate(Files.newInputStream(certs.caFile())));
    tmf.init(store);
    return tmf.getTrustManagers();
  }
}
