package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.portico.observe.ExchangeRecord;
import io.portico.testing.GatewayFixture;
import io.portico.testing.RawClient;
import io.portico.testing.RawH2Client;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A chunked upstream response whose framing breaks: a chunk-size line that is not hexadecimal, or a
 * trailer line without a colon. Once the head went to the client, an HTTP/1.1 client's connection
 * closes without the terminating chunk (the signal nginx gives), an HTTP/2 client's stream is reset
 * and its connection's other streams go on; before anything went out, the client gets a 502. The
 * exchange is recorded as an upstream protocol error, the upstream connection is never reused, and
 * the gateway keeps serving.
 *
 * <p>The origin is a raw socket server: {@code /late/...} sends the head and a first chunk, waits
 * until the test has read them from the gateway, then sends the broken part; {@code /early/...}
 * sends the head with the broken part at once. After its answer a connection keeps reading heads,
 * so a reused one would carry the next request.
 */
class UpstreamMalformedChunkTest {

  private static final String HEAD = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";

  private static ServerSocket origin;
  private static final AtomicInteger connections = new AtomicInteger();
  private static final Semaphore go = new Semaphore(0);
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    origin = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(UpstreamMalformedChunkTest::acceptLoop, "malformed-chunk-origin");
    accept.setDaemon(true);
    accept.start();
    gw =
        GatewayFixture.start(
            """
            services:
              - name: backend
                targets: [ "127.0.0.1:%d" ]
            routes:
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

  @BeforeEach
  void reset() {
    go.drainPermits();
  }

  private static String broken(String kind) {
    return switch (kind) {
      case "size" -> "zz\r\nok\r\n0\r\n\r\n";
      case "trailer" -> "0\r\nNo colon here\r\n\r\n";
      default -> throw new IllegalArgumentException(kind);
    };
  }

  private static void acceptLoop() {
    while (!origin.isClosed()) {
      Socket s;
      try {
        s = origin.accept();
      } catch (IOException e) {
        return;
      }
      connections.incrementAndGet();
      Thread t = new Thread(() -> serve(s), "malformed-chunk-origin-conn");
      t.setDaemon(true);
      t.start();
    }
  }

  private static void serve(Socket s) {
    try (s) {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      String head;
      while ((head = readHead(in)) != null) {
        String path = head.split(" ", 3)[1];
        String[] parts = path.split("/");
        if (path.startsWith("/late/")) {
          write(out, HEAD + "2\r\nok\r\n");
          if (!go.tryAcquire(30, TimeUnit.SECONDS)) {
            return;
          }
          write(out, broken(parts[2]));
        } else if (path.startsWith("/early/")) {
          write(out, HEAD + broken(parts[2]));
        } else {
          write(out, "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nreached");
        }
      }
    } catch (IOException | InterruptedException e) {
      // the gateway closed the connection
    }
  }

  private static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      b.write(c);
      if (b.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        return b.toString(StandardCharsets.ISO_8859_1);
      }
    }
    return null;
  }

  private static ExchangeRecord recordOf(String path) {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> gw.records().stream().anyMatch(r -> r.path().equals(path)));
    return gw.records().stream().filter(r -> r.path().equals(path)).findFirst().orElseThrow();
  }

  /** The next request reaches the origin on a new connection and is answered. */
  private static void nextIsServedOnANewConnection(int before) throws Exception {
    try (RawClient c = gw.raw()) {
      String next = c.send("GET /next HTTP/1.1\r\nHost: x\r\n\r\n").readUntil("reached", 10_000);
      assertThat(next).startsWith("HTTP/1.1 200");
    }
    assertThat(connections.get()).isGreaterThan(before);
  }

  @ParameterizedTest
  @ValueSource(strings = {"size", "trailer"})
  void aBrokenChunkAfterTheHeadWentOutClosesTheClientWithoutTheLastChunk(String kind)
      throws Exception {
    String path = "/late/" + kind + "/h1";
    try (RawClient c = gw.raw()) {
      String got =
          c.send("GET " + path + " HTTP/1.1\r\nHost: x\r\nTE: trailers\r\n\r\n")
              .readUntil("\r\nok\r\n", 10_000);
      assertThat(got).startsWith("HTTP/1.1 200");
      int before = connections.get();
      go.release();
      assertThat(c.closedByServer(10_000)).isTrue();
      assertThat(c.readAvailable(200)).doesNotContain("0\r\n");
      ExchangeRecord r = recordOf(path);
      assertThat(r.failure()).isEqualTo("upstream_protocol_error");
      assertThat(r.status()).isEqualTo(200);
      nextIsServedOnANewConnection(before);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"size", "trailer"})
  void aBrokenChunkResetsOnlyItsHttp2Stream(String kind) throws Exception {
    String path = "/late/" + kind + "/h2";
    String authority = "127.0.0.1:" + gw.port();
    try (RawH2Client client = new RawH2Client(gw.address())) {
      client.preface().get(1, path, authority).flush();
      assertThat(client.status(1).get(10, TimeUnit.SECONDS)).isEqualTo("200");
      await().atMost(Duration.ofSeconds(10)).until(() -> client.bytesReceived(1) >= 2);
      int before = connections.get();
      go.release();
      assertThat(client.resetOf(1).get(10, TimeUnit.SECONDS)).isNotNull();
      client.get(3, "/next", authority).flush();
      assertThat(client.responseBody(3).get(10, TimeUnit.SECONDS)).isEqualTo("reached");
      assertThat(client.goAway()).isNotDone();
      assertThat(recordOf(path).failure()).isEqualTo("upstream_protocol_error");
      assertThat(connections.get()).isGreaterThan(before);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"size", "trailer"})
  void aBrokenChunkBeforeAnyBodyByteWentOutIsA502(String kind) throws Exception {
    String path = "/early/" + kind;
    int before = connections.get();
    try (RawClient c = gw.raw()) {
      String got = c.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").readUntil("}", 10_000);
      assertThat(got)
          .startsWith("HTTP/1.1 502")
          .contains("application/problem+json")
          .contains("upstream-protocol-error");
    }
    ExchangeRecord r = recordOf(path);
    assertThat(r.failure()).isEqualTo("upstream_protocol_error");
    assertThat(r.status()).isEqualTo(502);
    nextIsServedOnANewConnection(before);
  }
}
