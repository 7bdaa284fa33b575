package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testing.GatewayFixture;
import io.portico.testing.RawClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
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

  private static ServerSocket origin;
  private static final List<String> heads = new CopyOnWriteArrayList<>();
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    origin = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(UpgradeAnswerTest::serve, "upgrade-origin");
    accept.setDaemon(true);
    accept.start();
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
                .formatted(origin.getLocalPort()));
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
    origin.close();
  }

  private static String answer(String path) {
    return switch (path) {
      case "/status/101" -> "HTTP/1.1 101 Switching Protocols\r\n\r\n";
      case "/other-protocol" ->
          "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n";
      case "/wrong-accept" ->
          "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
              + "Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n";
      case "/no-accept" ->
          "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n";
      case "/ws" ->
          "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: WebSocket\r\n"
              + "Sec-WebSocket-Accept: "
              + ACCEPT
              + "\r\n\r\nTUNNEL-OPEN";
      default -> "HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\nreached-" + path.substring(1);
    };
  }

  private static void serve() {
    while (!origin.isClosed()) {
      try {
        Socket s = origin.accept();
        Thread t =
            new Thread(
                () -> {
                  try (s) {
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    while (true) {
                      String head = readHead(in);
                      if (head == null) {
                        return;
                      }
                      heads.add(head);
                      String path = head.split(" ", 3)[1];
                      out.write(answer(path).getBytes(StandardCharsets.ISO_8859_1));
                      out.flush();
                      if (path.equals("/ws")) {
                        in.transferTo(out);
                        return;
                      }
                    }
                  } catch (IOException e) {
                    // the gateway closed the connection
                  }
                });
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      b.write(c);
      String s = b.toString(StandardCharsets.ISO_8859_1);
      if (s.endsWith("\r\n\r\n")) {
        return s;
      }
    }
    return null;
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
