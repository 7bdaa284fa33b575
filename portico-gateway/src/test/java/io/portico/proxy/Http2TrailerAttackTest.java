package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.portico.testing.GatewayFixture;
import io.portico.testing.RawH2Client;
import io.portico.testing.RawHttpOrigin;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Request trailers an HTTP/2 client writes by hand, relayed to an HTTP/1.1 origin as a chunked
 * body's trailer section: a value with a line break (which would add a field there) and a
 * pseudo-header among the trailers are malformed (RFC 9113 8.1.2): the stream is reset with {@code
 * PROTOCOL_ERROR}, nothing of its trailers reaches the origin, and the connection's other streams
 * are served.
 */
class Http2TrailerAttackTest {

  private RawHttpOrigin origin;
  private GatewayFixture gw;

  @BeforeEach
  void start() throws Exception {
    origin =
        RawHttpOrigin.start(
            "trailer-origin",
            head ->
                RawHttpOrigin.Answer.then(
                    head.startsWith("POST")
                        ? "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                        : ""));
    gw =
        GatewayFixture.start(
            """
            services:
              - name: backend
                targets: [ "127.0.0.1:%d" ]
            routes:
              - name: all
                paths: [ "/" ]
                service: backend
            """
                .formatted(origin.port()));
  }

  @AfterEach
  void stop() throws Exception {
    gw.close();
    origin.close();
  }

  @Test
  void malformedRequestTrailersResetTheirStreamAndNeverReachTheOrigin() throws Exception {
    String authority = "127.0.0.1:" + gw.port();
    byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
    try (RawH2Client client = new RawH2Client(gw.address())) {
      client.preface().post(1, "/up", authority).data(1, hello, false);
      client.headers(1, true, "x-note", "a\r\nx-injected: 1");
      client.post(3, "/up", authority).data(3, hello, false);
      client.headers(3, true, ":path", "/elsewhere", "x-ok", "fine");
      client.post(5, "/up", authority).data(5, hello, false);
      client.headers(5, true, "x-ok", "fine").flush();

      assertThat(client.resetOf(1).get(10, TimeUnit.SECONDS)).isEqualTo(1L); // PROTOCOL_ERROR
      assertThat(client.resetOf(3).get(10, TimeUnit.SECONDS)).isEqualTo(1L);
      assertThat(client.status(5).get(10, TimeUnit.SECONDS)).isEqualTo("200");
      assertThat(client.goAway()).isNotDone();
    }
    // The origin answers each head at once, so stream 5's body and trailers may still be on their
    // way to it when the client has the response.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> String.join("", origin.heads()).contains("x-ok: fine"));
    String seen = String.join("", origin.heads());
    assertThat(seen).doesNotContain("x-injected").doesNotContain("/elsewhere");
  }
}
