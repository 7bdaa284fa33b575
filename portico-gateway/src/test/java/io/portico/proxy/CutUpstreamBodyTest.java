package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testing.AccessLogFile;
import io.portico.testing.GatewayFixture;
import io.portico.testing.RawClient;
import io.portico.testing.RawHttpOrigin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An HTTP/1.1 upstream whose chunked body breaks in the very read that brought its head and first
 * chunk: the client gets the head and that chunk, then a close without the terminating chunk (a
 * response it can tell is cut), and the access log records the upstream's protocol error.
 */
class CutUpstreamBodyTest {

  private RawHttpOrigin origin;
  private GatewayFixture gw;

  @BeforeEach
  void start() throws Exception {
    origin =
        RawHttpOrigin.start(
            "cut-body-origin",
            h ->
                RawHttpOrigin.Answer.then(
                    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "b\r\nFIRST-CHUNK\r\nnot a chunk size\r\n\r\n"));
    gw =
        GatewayFixture.start(
            """
            services:
              - name: backend
                targets: [ "127.0.0.1:%d" ]
            routes:
              - name: all
                paths: [ "/cut" ]
                service: backend
            %s
            """
                .formatted(origin.port(), AccessLogFile.RUNTIME));
  }

  @AfterEach
  void stop() throws Exception {
    gw.close();
    origin.close();
  }

  @Test
  void aBodyThatBreaksInTheReadOfItsHeadReachesTheClientVisiblyCut() throws Exception {
    String got;
    boolean closed;
    try (RawClient client = gw.raw()) {
      client.send("GET /cut HTTP/1.1\r\nHost: a\r\n\r\n");
      got = client.readUntil("FIRST-CHUNK\r\n", 10_000);
      closed = client.closedByServer(10_000);
      got += client.readAvailable(200);
    }

    assertThat(got)
        .startsWith("HTTP/1.1 200 OK\r\n")
        .containsIgnoringCase("transfer-encoding: chunked\r\n")
        .contains("\r\n\r\nb\r\nFIRST-CHUNK\r\n")
        .doesNotContain("0\r\n\r\n")
        .doesNotContain("not a chunk size");
    assertThat(closed).isTrue();
    assertThat(new AccessLogFile(gw).failureOf("/cut")).isEqualTo("upstream_protocol_error");
  }
}
