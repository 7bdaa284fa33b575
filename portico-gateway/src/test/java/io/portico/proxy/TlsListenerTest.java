package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.portico.app.Gateway;
import io.portico.observe.ExchangeRecord;
import io.portico.plugin.PluginJars;
import io.portico.plugin.TestSchemePluginFactory;
import io.portico.snapshot.ReloadResult;
import io.portico.testing.GatewayFixture;
import io.portico.testing.OriginPerTest;
import io.portico.testing.RawClient;
import io.portico.testing.TestCertificates;
import io.portico.testing.TestOrigin;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS termination on a listener over real sockets: HTTP/1.1 and HTTP/2 by ALPN, certificates chosen
 * by SNI, and clients that do not speak TLS.
 */
class TlsListenerTest {

  @TempDir Path dir;

  @RegisterExtension final OriginPerTest env = new OriginPerTest();
  private TestCertificates certs;
  private TestCertificates.Issued defaultCert;
  private TestCertificates.Issued apiCert;
  private TestCertificates.Issued wildcardCert;
  private GatewayFixture gw;

  @BeforeEach
  void start() throws Exception {
    certs = TestCertificates.create(dir);
    defaultCert = certs.issue("default.test", "127.0.0.1", "default.test");
    apiCert = certs.issue("api.example.test", "api.example.test");
    wildcardCert = certs.issue("wildcard.example.test", "apps.example.test");
  }

  private String listener(String extra) {
    return """
        listeners:
          - address: 127.0.0.1:0
            %s
            tls:
              certificates:
                - cert: %s
                  key: %s
                - cert: %s
                  key: %s
                  server-names: [ api.example.test ]
                - cert: %s
                  key: %s
                  server-names: [ "*.apps.example.test" ]
        """
        .formatted(
            extra,
            defaultCert.cert(),
            defaultCert.key(),
            apiCert.cert(),
            apiCert.key(),
            wildcardCert.cert(),
            wildcardCert.key());
  }

  private String proxyTo(TestOrigin o) {
    return GatewayFixture.proxyAllTo(o.authority());
  }

  private GatewayFixture startGateway(String yaml) throws Exception {
    gw = env.start(yaml);
    return gw;
  }

  /** The exchange records, once there are {@code count}: they are written after the response. */
  private List<ExchangeRecord> records(int count) {
    await().atMost(Duration.ofSeconds(5)).until(() -> gw.records().size() >= count);
    return gw.records();
  }

  private URI https(String path) {
    return URI.create("https://127.0.0.1:" + gw.port() + path);
  }

  private HttpClient client(HttpClient.Version version) throws Exception {
    return HttpClient.newBuilder()
        .version(version)
        .sslContext(certs.clientContext())
        .connectTimeout(Duration.ofSeconds(2))
        .build();
  }

  private static HttpRequest.Builder request(URI uri) {
    return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
  }

  @Test
  void servesHttp11OverTlsAndForwardsProtoHttps() throws Exception {
    startGateway(listener("http2: true") + proxyTo(env.origin()));

    HttpResponse<String> r =
        client(HttpClient.Version.HTTP_1_1)
            .send(request(https("/headers")).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    assertThat(r.body())
        .contains("x-forwarded-proto: https")
        .contains("forwarded: for=127.0.0.1;proto=https");
    assertThat(records(1)).extracting(ExchangeRecord::protocol).containsExactly("HTTP/1.1");
  }

  @Test
  void exchangeReportsSecureOnTlsListenersOnly() throws Exception {
    Path plugins = Files.createDirectories(dir.resolve("plugins"));
    PluginJars.write(plugins.resolve("scheme.jar"), TestSchemePluginFactory.class);
    String rest =
        """
        routes:
          - name: scheme
            paths: [ "/" ]
            plugins:
              test-scheme: {}
        runtime:
          io-threads: 1
          watch-config: false
          access-log: off
          shutdown-timeout: 1s
          plugin-dir: %s
        """
            .formatted(plugins);
    String plain = "  - address: 127.0.0.1:0\n    name: plain\n";
    startGateway(listener("name: secure").replace("listeners:\n", "listeners:\n" + plain) + rest);
    InetSocketAddress plainAddress = gw.gateway().listeners().get(0);
    InetSocketAddress tlsAddress = gw.gateway().listeners().get(1);

    HttpResponse<String> overTls =
        client(HttpClient.Version.HTTP_2)
            .send(
                request(URI.create("https://127.0.0.1:" + tlsAddress.getPort() + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> overPlain =
        client(HttpClient.Version.HTTP_1_1)
            .send(
                request(URI.create("http://127.0.0.1:" + plainAddress.getPort() + "/")).build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(overTls.body()).isEqualTo("secure=true");
    assertThat(overTls.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(overPlain.body()).isEqualTo("secure=false");
  }

  @Test
  void negotiatesHttp2ByAlpn() throws Exception {
    startGateway(listener("http2: true") + proxyTo(env.origin()));

    HttpResponse<String> r =
        client(HttpClient.Version.HTTP_2)
            .send(request(https("/headers")).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(r.headers().firstValue("connection")).isEmpty();
    assertThat(r.body())
        .startsWith("GET /headers HTTP/1.1\n")
        .contains("host: " + env.origin().authority())
        .contains("x-forwarded-proto: https")
        .contains("via: 2.0 portico")
        .doesNotContain("x-http2");
    assertThat(records(1)).extracting(ExchangeRecord::protocol).containsExactly("HTTP/2.0");
  }

  @Test
  void offersOnlyHttp11ByAlpnWhenHttp2IsOff() throws Exception {
    startGateway(listener("http2: false") + proxyTo(env.origin()));

    HttpResponse<String> r =
        client(HttpClient.Version.HTTP_2)
            .send(request(https("/hello")).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
  }

  @Test
  void streamsRequestAndResponseBodiesOverHttp2() throws Exception {
    startGateway(listener("http2: true") + proxyTo(env.origin()));
    HttpClient client = client(HttpClient.Version.HTTP_2);
    byte[] upload = new byte[3 * 1024 * 1024 + 17];
    new Random(7).nextBytes(upload);
    byte[] echo = new byte[1024 * 1024 + 5];
    new Random(11).nextBytes(echo);

    HttpResponse<String> counted =
        client.send(
            request(https("/count")).POST(HttpRequest.BodyPublishers.ofByteArray(upload)).build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<byte[]> echoed =
        client.send(
            request(https("/echo")).POST(HttpRequest.BodyPublishers.ofByteArray(echo)).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    HttpResponse<byte[]> downloaded =
        client.send(
            request(https("/download?bytes=" + (2 * 1024 * 1024))).build(),
            HttpResponse.BodyHandlers.ofByteArray());

    assertThat(counted.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(counted.body()).isEqualTo(Integer.toString(upload.length));
    assertThat(echoed.statusCode()).isEqualTo(200);
    assertThat(echoed.body()).isEqualTo(echo);
    assertThat(downloaded.body()).hasSize(2 * 1024 * 1024);
    assertThat(records(3))
        .extracting(ExchangeRecord::requestBytes)
        .containsExactly((long) upload.length, (long) echo.length, 0L);
  }

  @Test
  void picksTheCertificateByServerNameAndTheFirstForUnknownOrMissingNames() throws Exception {
    startGateway(listener("http2: true") + proxyTo(env.origin()));

    assertThat(peerSubject("api.example.test")).isEqualTo("CN=api.example.test");
    assertThat(peerSubject("one.apps.example.test")).isEqualTo("CN=wildcard.example.test");
    assertThat(peerSubject("two.one.apps.example.test")).isEqualTo("CN=default.test");
    assertThat(peerSubject("unknown.example.test")).isEqualTo("CN=default.test");
    assertThat(peerSubject(null)).isEqualTo("CN=default.test");
  }

  /**
   * Handshakes with {@code serverName} as SNI (none when null); the served certificate's subject.
   */
  private String peerSubject(String serverName) throws Exception {
    try (SSLSocket socket =
        (SSLSocket) certs.clientContext().getSocketFactory().createSocket("127.0.0.1", gw.port())) {
      SSLParameters params = socket.getSSLParameters();
      params.setServerNames(serverName == null ? List.of() : List.of(new SNIHostName(serverName)));
      socket.setSSLParameters(params);
      socket.setSoTimeout(5000);
      socket.startHandshake();
      X509Certificate peer = (X509Certificate) socket.getSession().getPeerCertificates()[0];
      return peer.getSubjectX500Principal().getName();
    }
  }

  @Test
  void allowsOnlyTheConfiguredProtocolsAndSurvivesFailedHandshakes() throws Exception {
    startGateway(
        listener("http2: true")
                .replace("      certificates:", "      protocols: [ TLSv1.3 ]\n      certificates:")
            + proxyTo(env.origin()));

    String negotiated;
    try (SSLSocket socket = tlsSocket()) {
      socket.startHandshake();
      negotiated = socket.getSession().getProtocol();
    }
    try (SSLSocket tls12 = tlsSocket()) {
      tls12.setEnabledProtocols(new String[] {"TLSv1.2"});
      assertThatThrownBy(tls12::startHandshake).isInstanceOf(SSLException.class);
    }
    HttpClient untrusting = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    assertThatThrownBy(
            () ->
                untrusting.send(
                    request(https("/hello")).build(), HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(SSLException.class);
    HttpResponse<String> after =
        client(HttpClient.Version.HTTP_2)
            .send(request(https("/hello")).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(negotiated).isEqualTo("TLSv1.3");
    assertThat(after.body()).isEqualTo("Hello, World!");
    assertThat(env.origin().requestCount()).isEqualTo(1);
  }

  private SSLSocket tlsSocket() throws Exception {
    SSLSocket socket =
        (SSLSocket) certs.clientContext().getSocketFactory().createSocket("127.0.0.1", gw.port());
    socket.setSoTimeout(5000);
    return socket;
  }

  @Test
  void answersAPlainTextRequestToATlsPortWith400NamingHttpsAndKeepsServing() throws Exception {
    startGateway(listener("http2: true") + proxyTo(env.origin()));

    try (RawClient raw = gw.raw()) {
      String answer =
          raw.send("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").readAvailable(3000);
      assertThat(answer)
          .startsWith("HTTP/1.1 400 Bad Request\r\n")
          .contains("content-type: application/problem+json")
          .contains("x-content-type-options: nosniff")
          .contains("connection: close")
          .contains("\"type\":\"https://portico.dev/problems/plain-http-to-tls\"")
          .contains(
              "This port speaks TLS: use https://<host>:" + gw.port() + "/ instead of http://.")
          .doesNotContain("Hello");
      assertThat(raw.closedByServer(3000)).isTrue();
    }
    HttpResponse<String> r =
        client(HttpClient.Version.HTTP_1_1)
            .send(request(https("/hello")).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(r.body()).isEqualTo("Hello, World!");
    assertThat(env.origin().requestCount()).isEqualTo(1);
  }

  @Test
  void closesAConnectionThatNeverStartsItsHandshakeAtTheHeaderTimeout() throws Exception {
    startGateway(
        listener("http2: true") + proxyTo(env.origin()) + "limits:\n  header-timeout: 300ms\n");

    try (RawClient raw = gw.raw()) {
      long start = System.nanoTime();
      assertThat(raw.closedByServer(3000)).isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isBetween(Duration.ofMillis(200), Duration.ofMillis(2500));
    }
  }

  @Test
  void servesRenewedCertificatesAfterAReloadAndKeepsTheOldOnesWhenTheNewDoNotLoad()
      throws Exception {
    startGateway(listener("http2: true") + proxyTo(env.origin()));
    TestCertificates.Issued renewed = certs.issue("renewed.test", "127.0.0.1");
    Files.copy(renewed.cert(), defaultCert.cert(), StandardCopyOption.REPLACE_EXISTING);
    Files.copy(renewed.key(), defaultCert.key(), StandardCopyOption.REPLACE_EXISTING);

    ReloadResult applied = gw.gateway().reload();
    String afterRenewal = peerSubject(null);
    Files.writeString(defaultCert.cert(), "not a certificate");
    ReloadResult rejected = gw.gateway().reload();

    assertThat(applied.applied()).isTrue();
    assertThat(afterRenewal).isEqualTo("CN=renewed.test");
    assertThat(rejected.applied()).isFalse();
    assertThat(rejected.problems().render()).contains("listeners[0].tls.certificates[0].cert");
    assertThat(peerSubject(null)).isEqualTo("CN=renewed.test");
    assertThat(peerSubject("api.example.test")).isEqualTo("CN=api.example.test");
  }

  @Test
  void rejectsAKeyThatIsNotTheCertificatesOwnInsteadOfFailingEveryHandshake() throws Exception {
    Path config = dir.resolve("portico.yaml");
    Files.writeString(
        config,
        """
        admin: off
        listeners:
          - address: 127.0.0.1:0
            tls:
              certificates:
                - cert: %s
                  key: %s
        runtime:
          io-threads: 1
          watch-config: false
          access-log: off
        """
            .formatted(defaultCert.cert(), apiCert.key()));

    assertThatThrownBy(() -> Gateway.start(config, Map.of(), record -> {}).close())
        .isInstanceOf(Gateway.InvalidConfigException.class)
        .hasMessageContaining(
            "listeners[0].tls.certificates[0].cert: \"" + defaultCert.cert() + "\"")
        .hasMessageContaining(
            "the private key in "
                + apiCert.key()
                + " is not the key of the certificate in "
                + defaultCert.cert());
  }

  @Test
  void rejectsACertificateThatDoesNotLoad() throws Exception {
    Path cert = Files.writeString(dir.resolve("broken.pem"), "not a certificate");
    Path config = dir.resolve("portico.yaml");
    Files.writeString(
        config,
        """
        admin: off
        listeners:
          - address: 127.0.0.1:0
            tls:
              certificates:
                - cert: %s
                  key: %s
        runtime:
          io-threads: 1
          watch-config: false
          access-log: off
        """
            .formatted(cert, defaultCert.key()));

    assertThatThrownBy(() -> Gateway.start(config, Map.of(), record -> {}).close())
        .isInstanceOf(Gateway.InvalidConfigException.class)
        .hasMessageContaining("listeners[0].tls.certificates[0].cert: \"" + cert + "\"")
        .hasMessageContaining("(expected: a PEM certificate chain that loads with its PKCS#8");
  }
}
