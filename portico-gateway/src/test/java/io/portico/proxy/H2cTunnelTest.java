package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testing.GatewayFixture;
import io.portico.testing.RawClient;
import io.portico.testing.RawHttpOrigin;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * "h2c smuggling": a client asks the gateway to pass {@code Upgrade: h2c} on to an upstream that
 * speaks h2c. Were the upgrade relayed, the client would hold an HTTP/2 connection straight to the
 * upstream, on which it could send any request to any path, past every route and plugin. The
 * gateway never forwards an upgrade to HTTP/2: the request goes on as a plain one, without {@code
 * Upgrade} and {@code HTTP2-Settings}, on a listener with or without HTTP/2.
 *
 * <p>The origin is a raw socket server that switches protocols whenever it is asked to.
 */
class H2cTunnelTest {

  private static RawHttpOrigin origin;
  private static List<String> heads;
  private static GatewayFixture gw;
  private static GatewayFixture gwWithoutHttp2;

  @BeforeAll
  static void start() throws Exception {
    origin = RawHttpOrigin.start("h2c-origin", H2cTunnelTest::answer);
    heads = origin.heads();
    String routes =
        """
        services:
          - name: backend
            targets: [ "127.0.0.1:%d" ]
        routes:
          - name: public
            paths: [ "/public" ]
            service: backend
        """
            .formatted(origin.port());
    gw = GatewayFixture.start(routes);
    gwWithoutHttp2 =
        GatewayFixture.start("listeners:\n  - address: 127.0.0.1:0\n    http2: false\n" + routes);
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
    gwWithoutHttp2.close();
    origin.close();
  }

  /**
   * Answers 101 to any Upgrade (to a WebSocket one with its {@code Sec-WebSocket-Accept}), then
   * echoes whatever comes (the tunnel); else 200 "plain".
   */
  private static RawHttpOrigin.Answer answer(String head) {
    String lower = head.toLowerCase(Locale.ROOT);
    if (!lower.contains("\nupgrade:")) {
      return RawHttpOrigin.Answer.then("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nplain");
    }
    // a WebSocket upgrade is accepted as RFC 6455 asks (the key is the RFC's)
    String accepted =
        lower.contains("\nupgrade: websocket")
            ? "Upgrade: websocket\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
            : "Upgrade: h2c\r\n";
    return RawHttpOrigin.Answer.thenTunnel(
        "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
            + accepted
            + "\r\nTUNNEL-OPEN");
  }

  private static void assertNotTunnelled(GatewayFixture g, String upgradeHeaders) throws Exception {
    heads.clear();
    try (RawClient c = g.raw()) {
      String got =
          c.send("GET /public HTTP/1.1\r\nHost: x\r\n" + upgradeHeaders + "\r\n")
              .readUntil("plain", 3000);
      assertThat(got).startsWith("HTTP/1.1 200").endsWith("plain").doesNotContain("TUNNEL-OPEN");
      // the connection is still HTTP/1.1 to the gateway: a next request is routed
      String next = c.send("GET /elsewhere HTTP/1.1\r\nHost: x\r\n\r\n").readUntil("}", 3000);
      assertThat(next).startsWith("HTTP/1.1 404");
    }
    assertThat(heads).hasSize(1);
    String forwarded = heads.get(0).toLowerCase(Locale.ROOT);
    assertThat(forwarded).doesNotContain("upgrade").doesNotContain("http2-settings");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Connection: Upgrade\r\nUpgrade: h2c\r\n",
        "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: !!\r\n",
        "Connection: Upgrade\r\nUpgrade: H2C\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n",
        "Connection: Upgrade\r\nUpgrade: websocket, h2c\r\n",
        "Connection: Upgrade\r\nUpgrade: h2\r\n"
      })
  void neverRelaysAnUpgradeToHttp2(String upgradeHeaders) throws Exception {
    assertNotTunnelled(gw, upgradeHeaders);
  }

  @Test
  void neverRelaysAnUpgradeToHttp2OnAListenerWithoutHttp2() throws Exception {
    assertNotTunnelled(
        gwWithoutHttp2,
        "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
            + "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n");
  }

  @Test
  void refusesAnUpgradeRequestWithTwoHostsAsOverHttp11() throws Exception {
    heads.clear();
    try (RawClient c = gw.raw()) {
      String got =
          c.send(
                  "GET /public HTTP/1.1\r\nHost: a\r\nHost: b\r\n"
                      + "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                      + "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n")
              .readUntil("}", 3000);
      assertThat(got).startsWith("HTTP/1.1 400").contains("one Host header");
    }
    assertThat(heads).isEmpty();
  }

  @Test
  void stillRelaysAWebSocketUpgrade() throws Exception {
    heads.clear();
    try (RawClient c = gw.raw()) {
      String got =
          c.send(
                  "GET /public HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                      + "Sec-WebSocket-Version: 13\r\n"
                      + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
              .readUntil("TUNNEL-OPEN", 3000);
      assertThat(got).startsWith("HTTP/1.1 101");
    }
    assertThat(heads.get(0).toLowerCase(Locale.ROOT)).contains("upgrade: websocket");
  }
}
