package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http2.Http2Error;
import io.portico.testing.Cleanup;
import io.portico.testing.GatewayFixture;
import io.portico.testing.LogCapture;
import io.portico.testing.OriginPerTest;
import io.portico.testing.RawH2Client;
import io.portico.testing.TestCertificates;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attacks of {@link Http2FrameAttackTest} and {@link Http2AbuseTest} over h2 (TLS with ALPN),
 * where the frames reach the codec through the TLS handler: the same error codes, the same limits,
 * and the listener serves the next client.
 */
class Http2TlsAttackTest {

  private static final long PROTOCOL_ERROR = Http2Error.PROTOCOL_ERROR.code();
  private static final long ENHANCE_YOUR_CALM = Http2Error.ENHANCE_YOUR_CALM.code();

  @TempDir Path dir;
  @RegisterExtension final OriginPerTest env = new OriginPerTest();
  private GatewayFixture gw;
  private SSLContext client;
  private LogCapture log;

  @BeforeEach
  void start() throws Exception {
    log = LogCapture.capture();
    TestCertificates certs = TestCertificates.create(dir);
    TestCertificates.Issued cert = certs.issue("gateway.test", "127.0.0.1", "gateway.test");
    client = certs.clientContext();
    gw =
        env.start(
            """
            listeners:
              - address: 127.0.0.1:0
                http2: true
                tls:
                  certificates:
                    - cert: %s
                      key: %s
            limits:
              http2-max-resets-per-window: 50
              http2-max-control-frames-per-window: 100
              max-header-size: 16k
            """
                    .formatted(cert.cert(), cert.key())
                + GatewayFixture.proxyAllTo(env.origin().authority()));
  }

  @AfterEach
  void stop() throws Exception {
    Cleanup.close(log);
  }

  private String authority() {
    return "127.0.0.1:" + gw.port();
  }

  private RawH2Client connect() throws IOException {
    RawH2Client h2 = RawH2Client.overTls(gw.address(), client);
    h2.preface().flush();
    return h2;
  }

  private void assertAnotherClientIsServed() throws Exception {
    try (RawH2Client h2 = connect()) {
      h2.get(1, "/hello", authority()).flush();
      assertThat(h2.responseBody(1).get(5, TimeUnit.SECONDS)).isEqualTo("Hello, World!");
    }
    assertThat(log.warnings()).isEmpty();
  }

  private interface Flood {
    void write(RawH2Client h2, int i) throws IOException;
  }

  /** Writes until the gateway sends GOAWAY or closes, at most {@code max} times; how many were. */
  private static int flood(RawH2Client h2, int max, Flood frame) {
    int sent = 0;
    try {
      while (sent < max && !h2.goAway().isDone()) {
        for (int i = 0; i < 50; i++) {
          frame.write(h2, sent++);
        }
        h2.flush();
      }
    } catch (IOException e) {
      // the gateway closed the connection
    }
    return sent;
  }

  @Test
  void refusesAMalformedStreamAndKeepsTheConnection() throws Exception {
    try (RawH2Client h2 = connect()) {
      h2.headers(
              1,
              true,
              ":method",
              "GET",
              ":scheme",
              "https",
              ":path",
              "/a",
              ":authority",
              "a",
              "transfer-encoding",
              "chunked")
          .flush();

      assertThat(h2.resetOf(1).get(5, TimeUnit.SECONDS)).isEqualTo(PROTOCOL_ERROR);
      h2.get(3, "/hello", authority()).flush();
      assertThat(h2.responseBody(3).get(5, TimeUnit.SECONDS)).isEqualTo("Hello, World!");
    }
    assertThat(env.origin().requestCount()).isEqualTo(1);
    assertAnotherClientIsServed();
  }

  @Test
  void endsARapidResetFlood() throws Exception {
    try (RawH2Client h2 = connect()) {
      int sent =
          flood(h2, 10_000, (c, i) -> c.get(2 * i + 1, "/hello", authority()).reset(2 * i + 1));

      assertThat(h2.goAway().get(5, TimeUnit.SECONDS)).isEqualTo(ENHANCE_YOUR_CALM);
      assertThat(sent).isLessThan(10_000);
    }
    assertAnotherClientIsServed();
  }

  @Test
  void endsAPingFlood() throws Exception {
    try (RawH2Client h2 = connect()) {
      flood(h2, 200_000, (c, i) -> c.ping(i));

      assertThat(h2.goAway().get(5, TimeUnit.SECONDS)).isEqualTo(ENHANCE_YOUR_CALM);
      assertThat(h2.pingAcks()).isLessThanOrEqualTo(100);
    }
    assertAnotherClientIsServed();
  }

  @Test
  void endsAContinuationFlood() throws Exception {
    try (RawH2Client h2 = connect()) {
      h2.frame(0x1, 0, 1, RawH2Client.block(":method", "GET", ":scheme", "https"));
      byte[] fragment = RawH2Client.block("x-filler", "v".repeat(1000));
      int sent = flood(h2, 60_000, (c, i) -> c.continuation(1, fragment, false));

      assertThat(h2.goAway().get(5, TimeUnit.SECONDS)).isEqualTo(ENHANCE_YOUR_CALM);
      assertThat(sent).isLessThan(60_000);
    }
    assertThat(env.origin().requestCount()).isZero();
    assertAnotherClientIsServed();
  }

  @Test
  void dataOnStreamZeroEndsTheConnection() throws Exception {
    try (RawH2Client h2 = connect()) {
      h2.data(0, new byte[4], false).flush();

      assertThat(h2.goAway().get(5, TimeUnit.SECONDS)).isEqualTo(PROTOCOL_ERROR);
    }
    assertAnotherClientIsServed();
  }
}
