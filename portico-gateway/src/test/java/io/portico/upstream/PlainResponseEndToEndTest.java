package io.portico.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testing.GatewayFixture;
import io.portico.testing.RawClient;
import io.portico.testing.RawHttpOrigin;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Plain response heads read by the upstream codec itself ({@link PlainResponseHeadParser}), through
 * a gateway and a raw origin socket: each field reaches the client as the origin sent it while
 * values repeat and change on one connection, a response to {@code HEAD} has no body whatever its
 * framing says, and an origin that sends more than its framing allows leaves a connection that is
 * not used again, while the gateway keeps answering.
 */
class PlainResponseEndToEndTest {

  private final AtomicInteger stamp = new AtomicInteger();
  private RawHttpOrigin origin;
  private GatewayFixture gw;

  private String answer(String head) {
    String path = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
    return switch (path) {
      case "/same" ->
          "HTTP/1.1 299 Mostly Fine\r\nServer: raw-origin/1\r\ncontent-type: text/plain\r\n"
              + "X-Odd-CASE:  spaced  value \r\nContent-Length: 8\r\n\r\nEND-SAME";
      case "/stamped" ->
          "HTTP/1.1 200 OK\r\nServer: raw-origin/1\r\nX-Stamp: "
              + stamp.incrementAndGet()
              + "\r\nContent-Length: 9\r\n\r\nEND-STAMP";
      case "/head-with-body" -> "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
      case "/too-long" -> "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nEND-OKEXTRA";
      default -> "HTTP/1.1 404 Not Found\r\nContent-Length: 5\r\n\r\nEND-N";
    };
  }

  @BeforeEach
  void start() throws Exception {
    origin =
        RawHttpOrigin.start("plain-response-origin", h -> RawHttpOrigin.Answer.then(answer(h)));
    gw =
        GatewayFixture.start(
            """
            services:
              - name: backend
                targets: [ "127.0.0.1:%d" ]
            routes:
              - name: all
                paths: [ "/same", "/stamped", "/head-with-body", "/too-long", "/n" ]
                service: backend
            """
                .formatted(origin.port()));
  }

  @AfterEach
  void stop() throws Exception {
    gw.close();
    origin.close();
  }

  private static String exchange(RawClient client, String request, String marker) throws Exception {
    client.send(request);
    String got = client.readUntil(marker, 10_000);
    assertThat(got).contains(marker);
    return got;
  }

  private static String get(String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n";
  }

  @Test
  void repeatedAndChangingFieldsReachTheClientAsTheOriginSentThem() throws Exception {
    try (RawClient client = gw.raw()) {
      for (int i = 1; i <= 5; i++) {
        String same = exchange(client, get("/same"), "END-SAME");
        assertThat(same)
            .startsWith("HTTP/1.1 299 Mostly Fine\r\n")
            .contains(
                "Server: raw-origin/1\r\n",
                "content-type: text/plain\r\n",
                "X-Odd-CASE: spaced  value\r\n",
                "Content-Length: 8\r\n");
        String stamped = exchange(client, get("/stamped"), "END-STAMP");
        assertThat(stamped)
            .startsWith("HTTP/1.1 200 OK\r\n")
            .contains("X-Stamp: " + i + "\r\n", "Content-Length: 9\r\n")
            .doesNotContain("X-Odd-CASE", "Mostly");
      }
    }
    assertThat(origin.heads()).hasSize(10);
  }

  @Test
  void aResponseToHeadHasNoBodyAndBytesBeyondTheFramingAreNeverTheNextResponse() throws Exception {
    try (RawClient client = gw.raw()) {
      client.send("HEAD /head-with-body HTTP/1.1\r\nHost: a\r\n\r\n");
      String head = client.readUntil("\r\n\r\n", 10_000);
      assertThat(head).startsWith("HTTP/1.1 200 OK\r\n").contains("Content-Length: 5\r\n");
      String next = exchange(client, get("/n"), "END-N");
      assertThat(next).doesNotContain("hello").startsWith("HTTP/1.1 404 Not Found\r\n");
      String tooLong = exchange(client, get("/too-long"), "END-OK");
      assertThat(tooLong).startsWith("HTTP/1.1 200 OK\r\n").doesNotContain("EXTRA");
      String after = exchange(client, get("/same"), "END-SAME");
      assertThat(after).startsWith("HTTP/1.1 299 Mostly Fine\r\n").doesNotContain("EXTRA");
    }
  }
}
