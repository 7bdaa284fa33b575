package io.portico.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testing.GatewayFixture;
import io.portico.testing.RawClient;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pipelined requests on one admin connection are answered in the order they were sent (RFC 9112,
 * section 9.3.2), even when a later one is answered at once on the event loop (here refusals of
 * requests without a token) and an earlier one waits for the admin thread (a sign-in's bcrypt
 * check).
 */
class AdminPipeliningTest {

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
            routes:
              - name: hello
                paths: [ "/hello" ]
                plugins:
                  mock: { body: "hi" }
            """
                .formatted(store),
            Map.of("PORTICO_ADMIN_PASSWORD", "correct horse battery"));
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  private static RawClient admin() throws Exception {
    InetSocketAddress a = gw.gateway().adminAddress();
    return new RawClient(new InetSocketAddress("127.0.0.1", a.getPort()));
  }

  @Test
  void aSlowAnswerIsNotOvertakenByTheFastAnswersOfLaterRequests() throws Exception {
    String body = "{\"name\": \"admin\", \"password\": \"not the password\"}";
    String pipelined =
        "POST /auth/sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: first\r\n"
            + "Content-Type: application/json\r\nContent-Length: "
            + body.length()
            + "\r\n\r\n"
            + body
            + "GET /ready HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: second\r\n\r\n"
            + "GET /config HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: third\r\n"
            + "Connection: close\r\n\r\n";
    String answers;
    try (RawClient c = admin()) {
      // one write: the server reads all three at once
      answers = c.send(pipelined).readUntil("no end marker: read until the server closes", 30_000);
    }
    int first = answers.indexOf("X-Request-Id: first");
    int second = answers.indexOf("X-Request-Id: second");
    int third = answers.indexOf("X-Request-Id: third");
    assertThat(first).as(answers).isNotNegative();
    assertThat(second).as(answers).isGreaterThan(first);
    assertThat(third).as(answers).isGreaterThan(second);
    assertThat(answers.split("HTTP/1\\.1 ", -1)).as(answers).hasSize(4);
    assertThat(answers.substring(first, second)).contains("\"instance\":\"/auth/sign-in\"");
    assertThat(answers.substring(second, third)).contains("\"instance\":\"/ready\"");
  }

  @Test
  void theNextRequestOnTheConnectionIsServedAfterAnAnswerFromTheAdminThread() throws Exception {
    String body = "{\"name\": \"admin\", \"password\": \"not the password\"}";
    String signIn =
        "POST /auth/sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Content-Type: application/json\r\nContent-Length: "
            + body.length()
            + "\r\nX-Request-Id: ";
    try (RawClient c = admin()) {
      String answers =
          c.send(signIn + "a\r\n\r\n" + body + signIn + "b\r\n\r\n" + body)
              .readUntil("\"request_id\":\"b\"", 30_000);
      assertThat(answers.indexOf("X-Request-Id: a"))
          .as(answers)
          .isNotNegative()
          .isLessThan(answers.indexOf("X-Request-Id: b"));
      String ready = c.send("GET /ready HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").readUntil("}", 5000);
      assertThat(ready).startsWith("HTTP/1.1 401").contains("\"instance\":\"/ready\"");
    }
  }
}
