package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http2.Http2Error;
import io.portico.testing.GatewayFixture;
import io.portico.testing.OriginPerTest;
import io.portico.testing.RawClient;
import io.portico.testing.RawH2Client;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The ways onto HTTP/2 in the clear, mixed up on purpose: an {@code Upgrade: h2c} with a body, an
 * upgrade followed by HTTP/1.1 instead of the preface, the preface after an HTTP/1.1 request, an
 * upgrade request after the preface; and clients that open HTTP/2 and then stall: a header block
 * never ended, a body never sent. Nothing reaches the origin that the gateway did not check, and
 * every stalled connection or stream ends within its time-out.
 */
class H2cUpgradeAttackTest {

  private static final String UPGRADE =
      "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
          + "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n";

  @RegisterExtension final OriginPerTest env = new OriginPerTest();
  private GatewayFixture gw;

  private void start(String extra) throws Exception {
    gw = env.start(GatewayFixture.proxyAllTo(env.origin().authority()) + extra);
  }

  private String authority() {
    return "127.0.0.1:" + gw.port();
  }

  /** A socket that sent {@code GET /hello} with {@code Upgrade: h2c} and read the 101 head. */
  private Socket upgraded() throws IOException {
    Socket s = new Socket();
    s.connect(gw.address(), 2000);
    s.setSoTimeout(5000);
    s.getOutputStream()
        .write(
            ("GET /hello HTTP/1.1\r\nHost: " + authority() + "\r\n" + UPGRADE + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
    InputStream in = s.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed after " + head);
      }
      head.write(b);
    }
    assertThat(head.toString(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 101");
    return s;
  }

  @Test
  void anUpgradeWithABodyIsServedAsHttp11WithoutItsUpgradeFields() throws Exception {
    start("");
    try (RawClient c = gw.raw()) {
      String got =
          c.send("POST /count HTTP/1.1\r\nHost: a\r\n" + UPGRADE + "Content-Length: 5\r\n\r\nhello")
              .readUntil("\r\n\r\n5", 5000);
      assertThat(got).startsWith("HTTP/1.1 200");
    }
    assertThat(env.origin().requestCount()).isEqualTo(1);
    assertThat(env.origin().lastRequest().headers().names())
        .noneMatch(n -> n.equalsIgnoreCase("upgrade") || n.equalsIgnoreCase("http2-settings"));
  }

  @Test
  void anUpgradedConnectionServesItsFirstRequestAndMoreStreams() throws Exception {
    start("");
    try (RawH2Client h2 = new RawH2Client(upgraded())) {
      h2.preface().get(3, "/hello", authority()).flush();

      assertThat(h2.responseBody(1).get(5, TimeUnit.SECONDS)).isEqualTo("Hello, World!");
      assertThat(h2.responseBody(3).get(5, TimeUnit.SECONDS)).isEqualTo("Hello, World!");
    }
    assertThat(env.origin().requestCount()).isEqualTo(2);
  }

  @Test
  void http11AfterTheUpgradeInsteadOfThePrefaceEndsTheConnection() throws Exception {
    start("");
    try (RawH2Client h2 = new RawH2Client(upgraded())) {
      h2.bytes(("GET /headers HTTP/1.1\r\nHost: a\r\n\r\n").getBytes(StandardCharsets.US_ASCII))
          .flush();

      h2.closed().get(5, TimeUnit.SECONDS);
    }
    assertThat(env.origin().requests()).noneMatch(r -> r.uri().equals("/headers"));
  }

  @Test
  void thePrefaceAfterAnHttp11RequestIsNotForwarded() throws Exception {
    start("");
    try (RawClient c = gw.raw()) {
      String first =
          c.send("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n").readUntil("Hello, World!", 5000);
      assertThat(first).startsWith("HTTP/1.1 200");
      c.send(RawH2Client.PREFACE);
      String second = c.readAvailable(1000);
      assertThat(second).doesNotContain("200 OK");
    }
    assertThat(env.origin().requestCount()).isEqualTo(1);
    assertThat(env.origin().requests()).noneMatch(r -> r.method().name().equals("PRI"));
  }

  @Test
  void anUpgradeRequestAfterThePrefaceEndsTheConnection() throws Exception {
    start("");
    try (RawH2Client h2 = new RawH2Client(gw.address())) {
      h2.preface()
          .bytes(
              ("GET /hello HTTP/1.1\r\nHost: a\r\n" + UPGRADE + "\r\n")
                  .getBytes(StandardCharsets.US_ASCII))
          .flush();

      assertThat(h2.goAway().get(5, TimeUnit.SECONDS))
          .isIn(Http2Error.PROTOCOL_ERROR.code(), Http2Error.FRAME_SIZE_ERROR.code());
      h2.closed().get(5, TimeUnit.SECONDS);
    }
    assertThat(env.origin().requestCount()).isZero();
  }

  // ---------------------------------------------------------------- slowloris

  @Test
  void closesAConnectionWhoseHeaderBlockNeverEnds() throws Exception {
    start("limits:\n  keep-alive-timeout: 300ms\n  header-timeout: 300ms\n");
    try (RawH2Client h2 = new RawH2Client(gw.address())) {
      h2.preface().frame(0x1, 0, 1, RawH2Client.block(":method", "GET", ":scheme", "http")).flush();

      h2.closed().get(10, TimeUnit.SECONDS);
    }
    assertThat(env.origin().requestCount()).isZero();
  }

  @Test
  void closesAConnectionWhoseHeaderBlockNeverEndsBesideAnOpenStream() throws Exception {
    start("limits:\n  keep-alive-timeout: 300ms\n  header-timeout: 300ms\n  body-timeout: 300ms\n");
    try (RawH2Client h2 = new RawH2Client(gw.address())) {
      h2.preface()
          .post(1, "/count", authority())
          .frame(0x1, 0, 3, RawH2Client.block(":method", "GET", ":scheme", "http"))
          .flush();

      h2.closed().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void answers408ToAStreamWhoseBodyNeverComesAndKeepsServing() throws Exception {
    start("limits:\n  body-timeout: 300ms\n");
    try (RawH2Client h2 = new RawH2Client(gw.address())) {
      h2.preface().post(1, "/count", authority()).post(3, "/count", authority()).flush();

      assertThat(h2.status(1).get(5, TimeUnit.SECONDS)).isEqualTo("408");
      assertThat(h2.status(3).get(5, TimeUnit.SECONDS)).isEqualTo("408");
      h2.get(5, "/hello", authority()).flush();
      assertThat(h2.responseBody(5).get(5, TimeUnit.SECONDS)).isEqualTo("Hello, World!");
    }
  }
}
