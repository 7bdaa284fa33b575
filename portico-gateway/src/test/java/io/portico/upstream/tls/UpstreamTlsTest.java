package io.portico.upstream.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.portico.testing.GatewayFixture;
import io.portico.testing.TestCertificates;
import io.portico.testing.TestOrigin;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS from the gateway to real HTTPS origins whose certificates a CA made by the test issued:
 * verification of the chain and the host name, mutual TLS, session reuse on pooled connections.
 */
class UpstreamTlsTest {

  @TempDir Path dir;

  private TestCertificates ca;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void createCa() throws Exception {
    ca = TestCertificates.create(dir);
  }

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  private TestOrigin httpsOrigin(TestCertificates.Issued cert, ClientAuth clientAuth)
      throws Exception {
    SslContextBuilder b =
        SslContextBuilder.forServer(cert.cert().toFile(), cert.key().toFile())
            .applicationProtocolConfig(
                new ApplicationProtocolConfig(
                    ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                    "h2",
                    "http/1.1"));
    if (clientAuth != ClientAuth.NONE) {
      b.clientAuth(clientAuth).trustManager(ca.caFile().toFile());
    }
    SslContext context = b.build();
    TestOrigin origin = TestOrigin.builder().name("secure").tls(context).start();
    closing.add(origin);
    return origin;
  }

  private GatewayFixture gateway(String service) throws Exception {
    GatewayFixture gw =
        GatewayFixture.start(
            """
            services:
            %s
            routes:
              - name: all
                paths: [ / ]
                service: secure
            """
                .formatted(service.indent(2)));
    closing.add(gw);
    return gw;
  }

  /** A gateway whose service reaches {@code origin} as {@code origin.test}, trusting {@code ca}. */
  private GatewayFixture gatewayTrusting(TestOrigin origin, Path caFile) throws Exception {
    return gateway(
        """
        - name: secure
          targets: ["https://127.0.0.1:%d"]
          tls:
            ca: %s
            server-name: origin.test
        """
            .formatted(origin.port(), caFile));
  }

  @Test
  void verifiesTheCertificateAgainstTheConfiguredCaAndServerName() throws Exception {
    TestOrigin origin = httpsOrigin(ca.issue("origin.test", "origin.test"), ClientAuth.NONE);
    GatewayFixture gw = gatewayTrusting(origin, ca.caFile());

    HttpResponse<String> r = gw.get("/hello");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("secure");
    assertThat(origin.tlsSessions()).hasSize(1);
    assertThat(origin.alpnProtocols()).containsExactly("http/1.1");
  }

  @Test
  void checksAnIpTargetAgainstTheCertificatesIpAddresses() throws Exception {
    TestOrigin origin = httpsOrigin(ca.issue("ip-origin", "127.0.0.1"), ClientAuth.NONE);
    GatewayFixture gw =
        gateway(
            """
            - name: secure
              targets: ["https://127.0.0.1:%d"]
              tls:
                ca: %s
            """
                .formatted(origin.port(), ca.caFile()));

    assertThat(gw.get("/hello").statusCode()).isEqualTo(200);
  }

  @Test
  void refusesACertificateForAnotherHostWith502() throws Exception {
    TestOrigin origin = httpsOrigin(ca.issue("other.test", "other.test"), ClientAuth.NONE);
    GatewayFixture gw = gatewayTrusting(origin, ca.caFile());

    HttpResponse<String> r = gw.get("/hello");

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/problem+json");
    assertThat(r.body()).contains("upstream-tls-failed").doesNotContain("secure");
    assertThat(origin.requestCount()).isZero();
    await().until(() -> !gw.records().isEmpty());
    assertThat(gw.records().get(0).failure()).isEqualTo("upstream_tls_failed");
  }

  @Test
  void refusesACertificateOfAnUnknownCaWith502() throws Exception {
    TestOrigin origin = httpsOrigin(ca.issue("origin.test", "origin.test"), ClientAuth.NONE);
    Path otherCa = TestCertificates.create(dir.resolve("..").normalize()).caFile();
    GatewayFixture gw = gatewayTrusting(origin, otherCa);

    HttpResponse<String> r = gw.get("/hello");

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.body()).contains("upstream-tls-failed");
    assertThat(origin.requestCount()).isZero();
  }

  @Test
  void refusesAPrivateCaWhenOnlyTheSystemTrustStoreIsConfigured() throws Exception {
    TestOrigin origin = httpsOrigin(ca.issue("localhost", "localhost"), ClientAuth.NONE);
    GatewayFixture gw =
        gateway(
            """
            - name: secure
              targets: ["https://localhost:%d"]
            """
                .formatted(origin.port()));

    HttpResponse<String> r = gw.get("/hello");

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.body()).contains("upstream-tls-failed");
    assertThat(origin.requestCount()).isZero();
  }

  @Test
  void presentsTheClientCertificateAnOriginRequires() throws Exception {
    TestOrigin origin = httpsOrigin(ca.issue("origin.test", "origin.test"), ClientAuth.REQUIRE);
    TestCertificates.Issued client = ca.issueClient("gateway");
    GatewayFixture gw =
        gateway(
            """
            - name: secure
              targets: ["https://127.0.0.1:%d"]
              tls:
                ca: %s
                server-name: origin.test
                client-cert: %s
                client-key: %s
            """
                .formatted(origin.port(), ca.caFile(), client.cert(), client.key()));

    assertThat(gw.get("/hello").statusCode()).isEqualTo(200);
    X509Certificate presented =
        (X509Certificate) origin.tlsSessions().get(0).getPeerCertificates()[0];
    assertThat(presented.getSubjectX500Principal().getName()).isEqualTo("CN=gateway");
  }

  @Test
  void failsWithoutAClientCertificateWhenTheOriginRequiresOne() throws Exception {
    TestOrigin origin = httpsOrigin(ca.issue("origin.test", "origin.test"), ClientAuth.REQUIRE);
    GatewayFixture gw = gatewayTrusting(origin, ca.caFile());

    HttpResponse<String> r = gw.get("/hello");

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(origin.requestCount()).isZero();
  }

  @Test
  void reusesThePooledTlsConnectionForLaterRequests() throws Exception {
    TestOrigin origin = httpsOrigin(ca.issue("origin.test", "origin.test"), ClientAuth.NONE);
    GatewayFixture gw = gatewayTrusting(origin, ca.caFile());

    for (int i = 0; i < 5; i++) {
      assertThat(gw.get("/hello").statusCode()).isEqualTo(200);
    }

    assertThat(origin.requestCount()).isEqualTo(5);
    assertThat(origin.connections()).isEqualTo(1);
    assertThat(origin.tlsSessions()).hasSize(1);
  }
}
