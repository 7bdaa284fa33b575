package io.portico.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.portico.plugins.auth.key.KeyHash;
import io.portico.testing.GatewayFixture;
import io.portico.testing.RawClient;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin listener's one blocking thread has a bounded line: anonymous clients that send sign-ins
 * (each a bcrypt check, each request held with its body until its turn) gets {@code 503 admin-busy}
 * once {@link AdminHandler#MAX_QUEUED} wait, instead of queueing bodies without bound; the API
 * answers again once the line is through, and the data path serves meanwhile.
 */
class AdminBusyTest {

  private static final String TOKEN = "busy-test-token";
  @TempDir static Path store;
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    gw =
        GatewayFixture.start(
            """
            admin:
              address: 127.0.0.1:0
              store: %s
              tokens:
                - { name: ci, hash: "%s", role: read-only }
            routes:
              - name: hello
                paths: [ "/hello" ]
                plugins:
                  mock: { body: "hi" }
            """
                .formatted(store, KeyHash.of(TOKEN)),
            Map.of("PORTICO_ADMIN_PASSWORD", "correct horse battery"));
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  @Test
  void signInsBeyondTheLineAreAnswered503AndTheListenerServesAgain() throws Exception {
    // one connection has at most one request in the line (its next ones wait for its answer,
    // AdminPipelining), so the line is filled from many connections
    InetSocketAddress admin = gw.gateway().adminAddress();
    List<RawClient> clients = new ArrayList<>();
    String answers;
    try {
      for (int i = 0; i < 2 * AdminHandler.MAX_QUEUED; i++) {
        String body = "{\"name\": \"someone-" + i + "\", \"password\": \"not the password\"}";
        RawClient c = new RawClient(new InetSocketAddress("127.0.0.1", admin.getPort()));
        clients.add(c);
        c.send(
            "POST /auth/sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: application/json\r\nContent-Length: "
                + body.length()
                + "\r\n\r\n"
                + body);
      }
      StringBuilder all = new StringBuilder();
      for (RawClient c : clients) {
        all.append(c.readUntil("}", 60_000));
      }
      answers = all.toString();
    } finally {
      for (RawClient c : clients) {
        c.close();
      }
    }
    assertThat(answers).contains("HTTP/1.1 503 Service Unavailable").contains("admin-busy");
    assertThat(answers.toLowerCase()).contains("retry-after: 1");

    assertThat(gw.get("/hello").statusCode()).isEqualTo(200);
    // GET /alerts runs on the same thread, after every sign-in queued before it: once it is
    // answered, the line is through (and nothing is left waiting when the gateway stops)
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(
                        gw.adminCall("GET", "/alerts", null, "Authorization", "Bearer " + TOKEN)
                            .statusCode())
                    .isNotEqualTo(503));
  }
}
