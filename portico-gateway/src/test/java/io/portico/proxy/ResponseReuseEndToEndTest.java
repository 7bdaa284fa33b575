package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpHeaders;
import io.portico.observe.ExchangeObserver;
import io.portico.observe.ExchangeRecord;
import io.portico.testing.GatewayFixture;
import io.portico.testing.RawClient;
import io.portico.testing.RawHttpOrigin;
import io.portico.upstream.UpstreamCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An upstream connection decodes a response into the one before it when that one's exchange gave it
 * back ({@link UpstreamCodec#recycle}): nothing of one response (status, reason, fields, framing)
 * may show in the next, and only an exchange that nothing else read gives its response back.
 */
class ResponseReuseEndToEndTest {

  private RawHttpOrigin origin;
  private GatewayFixture gw;

  /** The response header maps the observer saw, by reference; their contents are not read here. */
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

  /** Each path's answer: its own status, reason, fields and framing. */
  private static String answer(String head) {
    boolean isHead = head.startsWith("HEAD ");
    String path = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
    path = path.startsWith("/stamped") ? path.substring("/stamped".length()) : path;
    return switch (path) {
      case "/a" ->
          "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Only-A: 1\r\nCache-Control: no-store\r\n"
              + "ETag: \"a\"\r\nContent-Length: 5\r\n\r\n"
              + (isHead ? "" : "END-A");
      case "/b" ->
          "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\nX-Only-B: 2\r\n"
              + "Content-Type: application/json\r\n\r\n5\r\nEND-B\r\n0\r\nX-Trailer-B: t\r\n\r\n";
      case "/c" -> "HTTP/1.1 299 Quite Fine\r\nx-only-c: 3\r\nContent-Length: 5\r\n\r\nEND-C";
      case "/d" -> "HTTP/1.1 304 Not Modified\r\nETag: \"d\"\r\nX-Only-D: 4\r\n\r\n";
      default -> "HTTP/1.1 404 Not Found\r\nContent-Length: 5\r\n\r\nEND-N";
    };
  }

  @BeforeEach
  void startOrigin() throws Exception {
    origin =
        RawHttpOrigin.start(
            "response-reuse-origin", head -> RawHttpOrigin.Answer.then(answer(head)));
  }

  @AfterEach
  void stop() throws Exception {
    if (gw != null) {
      gw.close();
    }
    origin.close();
  }

  private void start() throws Exception {
    gw =
        GatewayFixture.start(
            """
            services:
              - name: backend
                targets: [ "127.0.0.1:%d" ]
            routes:
              - name: plain
                paths: [ "/a", "/b", "/c", "/d", "/n" ]
                service: backend
              - name: stamped
                paths: [ "/stamped" ]
                strip-prefix: true
                service: backend
                plugins:
                  response-headers: { set: { X-Stamp: yes } }
            """
                .formatted(origin.port()),
            observer);
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

  /** The maps of the first {@code count} exchanges, once the observer has seen that many. */
  private List<HttpHeaders> seen(int count) {
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> seenSize() >= count);
    synchronized (seen) {
      return List.copyOf(seen);
    }
  }

  private int seenSize() {
    synchronized (seen) {
      return seen.size();
    }
  }

  @Test
  void eachResponseOnAKeepAliveConnectionReachesTheClientWithOnlyItsOwnFields() throws Exception {
    start();
    List<String> got = new ArrayList<>();
    try (RawClient client = gw.raw()) {
      for (int round = 0; round < 2; round++) {
        got.add(exchange(client, get("/a"), "END-A"));
        got.add(exchange(client, get("/b"), "X-Trailer-B: t\r\n\r\n"));
        got.add(exchange(client, get("/c"), "END-C"));
        got.add(exchange(client, get("/d"), "\r\n\r\n"));
        got.add(exchange(client, "HEAD /a HTTP/1.1\r\nHost: a\r\n\r\n", "\r\n\r\n"));
        got.add(exchange(client, get("/n"), "END-N"));
      }
    }
    for (int round = 0; round < 2; round++) {
      int o = round * 6;
      String a = got.get(o);
      assertThat(a)
          .startsWith("HTTP/1.1 200 OK\r\n")
          .contains("X-Only-A: 1\r\n", "Content-Length: 5\r\n", "ETag: \"a\"\r\n")
          .doesNotContain("X-Only-B", "x-only-c", "X-Only-D", "Transfer-Encoding", "chunked");
      String b = got.get(o + 1);
      assertThat(b)
          .startsWith("HTTP/1.1 201 Created\r\n")
          .contains("Transfer-Encoding: chunked\r\n", "X-Only-B: 2\r\n", "END-B", "X-Trailer-B: t")
          .doesNotContain("X-Only-A", "Content-Length", "ETag", "Cache-Control", "text/plain");
      String c = got.get(o + 2);
      assertThat(c)
          .startsWith("HTTP/1.1 299 Quite Fine\r\n")
          .contains("x-only-c: 3\r\n", "Content-Length: 5\r\n")
          .doesNotContain("X-Only-A", "X-Only-B", "Content-Type", "Transfer-Encoding");
      String d = got.get(o + 3);
      assertThat(d)
          .startsWith("HTTP/1.1 304 Not Modified\r\n")
          .contains("X-Only-D: 4\r\n", "ETag: \"d\"\r\n")
          .doesNotContain("x-only-c", "Content-Length", "Transfer-Encoding", "END-");
      String head = got.get(o + 4);
      assertThat(head)
          .startsWith("HTTP/1.1 200 OK\r\n")
          .contains("X-Only-A: 1\r\n", "Content-Length: 5\r\n")
          .doesNotContain("X-Only-D", "END-");
      String n = got.get(o + 5);
      assertThat(n)
          .startsWith("HTTP/1.1 404 Not Found\r\n")
          .contains("Content-Length: 5\r\n", "END-N")
          .doesNotContain("X-Only", "ETag", "Content-Type", "Transfer-Encoding");
    }
    // one upstream connection served them all, and the responses were decoded into one message
    assertThat(origin.heads()).hasSize(12);
    List<HttpHeaders> maps = seen(12);
    for (HttpHeaders map : maps.subList(1, 12)) {
      assertThat(map).isSameAs(maps.get(0));
    }
  }

  @Test
  void aResponseAPluginSawIsNotGivenBack() throws Exception {
    start();
    try (RawClient client = gw.raw()) {
      assertThat(exchange(client, get("/stamped/a"), "END-A")).contains("X-Stamp: yes");
      exchange(client, get("/c"), "END-C");
      exchange(client, get("/a"), "END-A");
    }
    List<HttpHeaders> maps = seen(3);
    assertThat(maps.get(1)).isNotSameAs(maps.get(0));
    assertThat(maps.get(2)).isSameAs(maps.get(1));
  }
}
