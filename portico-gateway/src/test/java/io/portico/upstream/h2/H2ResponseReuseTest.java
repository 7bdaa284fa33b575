package io.portico.upstream.h2;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpHeaders;
import io.portico.observe.ExchangeObserver;
import io.portico.observe.ExchangeRecord;
import io.portico.testing.GatewayFixture;
import io.portico.testing.RawClient;
import io.portico.testing.RawH2Origin;
import io.portico.testing.RawH2Origin.Conn;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An upstream HTTP/2 connection makes a response head in the one before it when that one's exchange
 * gave it back ({@link H2Response#recycle}): nothing of one response (status, fields, framing) may
 * show in the next one an HTTP/1.1 client receives on the same connection.
 */
class H2ResponseReuseTest {

  private static final int ROUNDS = 3;

  private final List<AutoCloseable> closing = new ArrayList<>();

  /** The response header maps the observer saw, by reference. */
  private final List<HttpHeaders> seen = new ArrayList<>();

  private final ExchangeObserver observer =
      new ExchangeObserver() {
        @Override
        public void onExchangeComplete(ExchangeRecord record) {
          synchronized (seen) {
            seen.add(record.responseHeaders());
          }
        }
      };

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  /** Answers the requests in turn: a 200 with a length, then a chunked 201 with trailers. */
  private static void answer(Conn c) throws Exception {
    c.settings().flush();
    for (int i = 0; i < 2 * ROUNDS; i++) {
      int stream = c.request().streamId();
      if (i % 2 == 0) {
        c.headers(
            stream,
            Conn.literals(
                ":status",
                "200",
                "content-type",
                "text/plain",
                "x-only-a",
                "1",
                "content-length",
                "5"),
            true,
            false);
        c.data(stream, "END-A".getBytes(StandardCharsets.US_ASCII), true).flush();
      } else {
        c.headers(stream, Conn.literals(":status", "201", "x-only-b", "2"), true, false);
        c.data(stream, "END-B".getBytes(StandardCharsets.US_ASCII), false);
        c.headers(stream, Conn.literals("x-trailer-b", "t"), true, true).flush();
      }
    }
  }

  @Test
  void eachResponseReachesTheClientWithOnlyItsOwnFieldsInOneReusedHead() throws Exception {
    RawH2Origin origin = new RawH2Origin(n -> H2ResponseReuseTest::answer);
    closing.add(origin);
    GatewayFixture gw =
        GatewayFixture.start(
            """
            services:
              - name: up
                targets: [ "127.0.0.1:%d" ]
                protocol: h2c
            routes:
              - name: all
                paths: [ / ]
                service: up
            """
                .formatted(origin.port()),
            observer);
    closing.add(gw);

    List<String> got = new ArrayList<>();
    try (RawClient client = gw.raw()) {
      for (int round = 0; round < ROUNDS; round++) {
        client.send("GET /a HTTP/1.1\r\nHost: a\r\n\r\n");
        got.add(client.readUntil("END-A", 10_000));
        client.send("GET /b HTTP/1.1\r\nHost: a\r\n\r\n");
        got.add(client.readUntil("x-trailer-b: t\r\n\r\n", 10_000));
      }
    }

    for (int round = 0; round < ROUNDS; round++) {
      assertThat(got.get(2 * round))
          .startsWith("HTTP/1.1 200 OK\r\n")
          .contains("x-only-a: 1\r\n", "content-length: 5\r\n", "END-A")
          .doesNotContain("x-only-b", "x-trailer-b", "transfer-encoding", "chunked");
      assertThat(got.get(2 * round + 1))
          .startsWith("HTTP/1.1 201 Created\r\n")
          .contains("x-only-b: 2\r\n", "transfer-encoding: chunked\r\n", "END-B")
          .doesNotContain("x-only-a", "content-length", "text/plain");
    }
    assertThat(origin.connections()).isEqualTo(1);
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> seenSize() >= 2 * ROUNDS);
    List<HttpHeaders> maps;
    synchronized (seen) {
      maps = List.copyOf(seen);
    }
    for (HttpHeaders map : maps.subList(1, 2 * ROUNDS)) {
      assertThat(map).isSameAs(maps.get(0));
    }
  }

  private int seenSize() {
    synchronized (seen) {
      return seen.size();
    }
  }
}
