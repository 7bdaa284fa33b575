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
 * WebSocket smuggling: a client sends a WebSocket upgrade to an upstream endpoint that answers
 * {@code 101} without switching (a bare status, as an endpoint that echoes a status code does, a
 * {@code 101} for another protocol, or one whose {@code Sec-WebSocket-Accept} does not answer the
 * key). Were that {@code 101} relayed, the connection would become a tunnel to an upstream that
 * still reads HTTP, and the client's next request ({@code GET /admin}) would reach it past the
 * routes and their plugins. The gateway answers such a {@code 101} with {@code 502} and keeps
 * routing the connection's requests.
 *
 * <p>The origin is a raw socket server: it answers each path as scripted below and, like the
 * endpoints it stands for, goes on reading HTTP after a {@code 101} it did not mean.
 */
class UpgradeAnswerTest {

  private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
  private static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

  private static RawHttpOrigin origin;
  private static List<String> heads;
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    origin = RawHttpOrigin.start("upgrade-origin", head -> answer(head.split(" ", 3)[1]));
    heads = origin.heads();
    gw =
        GatewayFixture.start(
            """
            services:
              - name: backend
                targets: [ "127.0.0.1:%d" ]
            routes:
              - name: admin
                paths: [ "/admin" ]
                service: backend
                plugins:
                  ip-restriction: { deny: [ "0.0.0.0/0", "::/0" ] }
              - name: open
                paths: [ "/" ]
                service: backend
            """
                .formatted(origin.port()));
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
    origin.close();
  }

  private static RawHttpOrigin.Answer answer(String path) {
    if (path.equals("/ws")) {
      return RawHttpOrigin.Answer.thenTunnel(
          "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: WebSocket\r\n"
              + "Sec-WebSocket-Accept: "
              + ACCEPT
              + "\r\n\r\nTUNNEL-OPEN");
    }
    return RawHttpOrigin.Answer.then(
        switch (path) {
          case "/status/101" -> "HTTP/1.1 101 Switching Protocols\r\n\r\n";
          case "/other-protocol" ->
              "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n";
          case "/wrong-accept" ->
              "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                  + "Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n";
          case "/no-accept" ->
              "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n";
          default -> "HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\nreached-" + path.substring(1);
        });
  }

  private static String upgrade(String path) {
    return "GET "
        + path
        + " HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
        + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
        + KEY
        + "\r\n\r\n";
  }

  @ParameterizedTest
  @ValueSource(strings = {"/status/101", "/other-protocol", "/wrong-accept", "/no-accept"})
  void aSwitchThatDoesNotAcceptTheUpgradeIsA502AndTheConnectionStaysRouted(String path)
      throws Exception {
    heads.clear();
    try (RawClient c = gw.raw()) {
      String got = c.send(upgrade(path)).readUntil("}", 3000);
      assertThat(got).startsWith("HTTP/1.1 502").contains("upstream-protocol-error");

      String next = c.send("GET /admin HTTP/1.1\r\nHost: x\r\n\r\n").readAvailable(1000);
      assertThat(next).doesNotContain("reached-admin");
      if (!next.isEmpty()) {
        assertThat(next).startsWith("HTTP/1.1 403");
      }
    }
    assertThat(heads).noneMatch(h -> h.startsWith("GET /admin"));
  }

  @Test
  void aWebSocketSwitchThatAnswersTheKeyIsRelayed() throws Exception {
    heads.clear();
    try (RawClient c = gw.raw()) {
      String got = c.send(upgrade("/ws")).readUntil("TUNNEL-OPEN", 3000);
      assertThat(got).startsWith("HTTP/1.1 101");
      assertThat(got.toLowerCase(Locale.ROOT))
          .contains("sec-websocket-accept: " + ACCEPT.toLowerCase(Locale.ROOT));
      String echoed = c.send("frames go both ways").readUntil("both ways", 3000);
      assertThat(echoed).endsWith("frames go both ways");
    }
  }
}
