package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.handler.codec.http.HttpMethod;
import io.portico.observe.ExchangeRecord;
import io.portico.testing.GatewayFixture;
import io.portico.testing.H2Client;
import io.portico.testing.OriginPerClass;
import io.portico.testing.RawClient;
import io.portico.testing.RawH2Client;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Request bodies read by a plugin ({@code Exchange.requestBody}, through the {@code test-body} test
 * plugin) over real sockets: the plugin sees the exact bytes, the origin then receives them
 * unchanged with the client's framing, over HTTP/1.1 and HTTP/2; a body over the limit, a stalled
 * or vanished client and malformed chunking end the exchange without reaching the origin, and
 * without leaking a buffer (the leak detector runs at paranoid for the class).
 */
class RequestBodyEndToEndTest {

  @RegisterExtension static final OriginPerClass env = new OriginPerClass();
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    gw =
        env.start(
            """
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
              - name: read
                paths: [ /read/ ]
                service: backend
                strip-prefix: true
                plugins:
                  test-body: {}
              - name: rewrite
                paths: [ /rewrite/ ]
                service: backend
                strip-prefix: true
                plugins:
                  test-body: { phase: rewrite }
              - name: twice
                paths: [ /twice/ ]
                service: backend
                strip-prefix: true
                plugins:
                  test-body: { reads: 2 }
              - name: small
                paths: [ /small/ ]
                service: backend
                strip-prefix: true
                plugins:
                  test-body: { max-bytes: 1k }
              - name: nowait
                paths: [ /nowait/ ]
                service: backend
                strip-prefix: true
                plugins:
                  test-body: { await: false }
              - name: slow
                paths: [ /slow/ ]
                service: backend
                strip-prefix: true
                timeouts: { idle: 300ms }
                plugins:
                  test-body: {}
              - name: late
                paths: [ /late/ ]
                service: backend
                strip-prefix: true
                plugins:
                  test-body: { delay-ms: 200 }
              - name: reply
                paths: [ /reply ]
                plugins:
                  test-body: { reply: true }
            limits:
              max-body-size: 64k
            """
                .formatted(env.origin().authority()));
  }

  private static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  /**
   * Sends {@code message} on a new connection and returns what came back up to the end of the
   * problem body; fails when the origin got a request meanwhile.
   */
  private static String problemWithoutOrigin(String message) throws Exception {
    return problemWithoutOrigin(ascii(message));
  }

  private static String problemWithoutOrigin(byte[] message) throws Exception {
    int before = env.origin().requestCount();
    String response;
    try (RawClient raw = gw.raw()) {
      raw.send(message);
      response = raw.readUntil("}", 5000);
    }
    assertThat(env.origin().requestCount()).isEqualTo(before);
    return response;
  }

  /** What the origin's {@code /sha256} answers for {@code body}. */
  private static String originSees(byte[] body) throws Exception {
    return body.length + " " + sha256(body);
  }

  private static String authority() {
    return "127.0.0.1:" + gw.port();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** The request head and body as a chunked message: one chunk per part, then the trailers. */
  private static byte[] chunked(String head, String trailers, byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(ascii(head + "Transfer-Encoding: chunked\r\n\r\n"));
    for (byte[] part : parts) {
      out.writeBytes(ascii(Integer.toHexString(part.length) + "\r\n"));
      out.writeBytes(part);
      out.writeBytes(ascii("\r\n"));
    }
    out.writeBytes(ascii("0\r\n" + trailers + "\r\n"));
    return out.toByteArray();
  }

  private static ExchangeRecord recordOf(String route, String failure) {
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                gw.records().stream()
                    .anyMatch(r -> route.equals(r.route()) && failure.equals(r.failure())));
    return gw.records().stream()
        .filter(r -> route.equals(r.route()) && failure.equals(r.failure()))
        .findFirst()
        .orElseThrow();
  }

  // ---------------------------------------------------------------- the body reaches both

  @Test
  void forwardsAContentLengthBodyByteExactAfterThePluginReadIt() throws Exception {
    byte[] body = randomBytes(40_000, 1);
    HttpResponse<byte[]> r =
        gw.client()
            .send(
                HttpRequest.newBuilder(gw.uri("/read/echo"))
                    .timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(body);
    var seen = env.origin().lastRequest().headers();
    assertThat(seen.get("content-length")).isEqualTo("40000");
    assertThat(seen.contains("transfer-encoding")).isFalse();
    assertThat(seen.get("x-body-length")).isEqualTo("40000");
    assertThat(seen.get("x-body-sha256")).isEqualTo(sha256(body));
    assertThat(seen.get("x-body-on-loop")).isEqualTo("true");
    assertThat(seen.get("x-body-view")).isEqualTo("read-only");
  }

  @Test
  void forwardsAChunkedBodyChunkedWithItsTrailersAfterThePluginReadIt() throws Exception {
    byte[] a = randomBytes(3000, 2);
    byte[] b = randomBytes(10, 3);
    byte[] c = randomBytes(5000, 4);
    byte[] all = new byte[a.length + b.length + c.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    System.arraycopy(c, 0, all, a.length + b.length, c.length);
    byte[] message =
        chunked("POST /read/sha256 HTTP/1.1\r\nHost: x\r\n", "X-Checksum: abc\r\n", a, b, c);

    try (RawClient raw = gw.raw()) {
      // In three pieces, so that the body arrives over several reads.
      raw.send(java.util.Arrays.copyOfRange(message, 0, 100));
      Thread.sleep(50);
      raw.send(java.util.Arrays.copyOfRange(message, 100, 4000));
      Thread.sleep(50);
      raw.send(java.util.Arrays.copyOfRange(message, 4000, message.length));
      String response = raw.readUntil(originSees(all), 5000);

      assertThat(response).startsWith("HTTP/1.1 200").contains(originSees(all));
    }
    var seen = env.origin().lastRequest().headers();
    assertThat(seen.get("transfer-encoding")).isEqualTo("chunked");
    assertThat(seen.contains("content-length")).isFalse();
    assertThat(seen.get("x-body-sha256")).isEqualTo(sha256(all));
    assertThat(env.origin().lastTrailers().get("x-checksum")).isEqualTo("abc");
  }

  @Test
  void forwardsAnHttp2BodyWithContentLengthAfterThePluginReadIt() throws Exception {
    byte[] body = randomBytes(50_000, 5);
    try (H2Client h2 = H2Client.connect(gw.address())) {
      H2Client.Response r =
          h2.send(H2Client.request(HttpMethod.POST, "/read/sha256", authority(), body))
              .get(10, TimeUnit.SECONDS);

      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo(originSees(body));
    }
    assertThat(env.origin().lastRequest().headers().get("content-length")).isEqualTo("50000");
    assertThat(env.origin().lastRequest().headers().get("x-body-sha256")).isEqualTo(sha256(body));
  }

  @Test
  void forwardsAnHttp2BodyOfDataFramesChunkedAfterThePluginReadIt() throws Exception {
    byte[] first = randomBytes(1000, 6);
    byte[] second = randomBytes(2345, 7);
    byte[] all = new byte[first.length + second.length];
    System.arraycopy(first, 0, all, 0, first.length);
    System.arraycopy(second, 0, all, first.length, second.length);

    try (RawH2Client client = new RawH2Client(gw.address())) {
      client.preface().post(1, "/read/sha256", authority()).data(1, first, false).flush();
      Thread.sleep(100);
      client.data(1, second, true).flush();

      assertThat(client.responseBody(1).get(10, TimeUnit.SECONDS)).isEqualTo(originSees(all));
    }
    assertThat(env.origin().lastRequest().headers().get("transfer-encoding")).isEqualTo("chunked");
    assertThat(env.origin().lastRequest().headers().get("x-body-sha256")).isEqualTo(sha256(all));
  }

  @Test
  void takesOverTheChunksHeldBeforeThePluginAskedForTheBody() throws Exception {
    byte[] body = randomBytes(9000, 19);
    try (RawClient raw = gw.raw()) {
      raw.send(ascii("POST /late/sha256 HTTP/1.1\r\nHost: x\r\nContent-Length: 9000\r\n\r\n"));
      raw.send(java.util.Arrays.copyOfRange(body, 0, 3000));
      Thread.sleep(400);
      raw.send(java.util.Arrays.copyOfRange(body, 3000, body.length));

      assertThat(raw.readUntil(originSees(body), 5000)).contains(originSees(body));
    }
    assertThat(env.origin().lastRequest().headers().get("x-body-sha256")).isEqualTo(sha256(body));
  }

  @Test
  void takesOverTheDataFramesHeldBeforeThePluginAskedForTheBody() throws Exception {
    byte[] first = randomBytes(5000, 20);
    byte[] second = randomBytes(700, 21);
    byte[] all = new byte[first.length + second.length];
    System.arraycopy(first, 0, all, 0, first.length);
    System.arraycopy(second, 0, all, first.length, second.length);

    try (RawH2Client client = new RawH2Client(gw.address())) {
      client.preface().post(1, "/late/sha256", authority()).data(1, first, false).flush();
      Thread.sleep(400);
      client.data(1, second, true).flush();

      assertThat(client.responseBody(1).get(10, TimeUnit.SECONDS)).isEqualTo(originSees(all));
    }
    assertThat(env.origin().lastRequest().headers().get("x-body-sha256")).isEqualTo(sha256(all));
  }

  @Test
  void readsTheBodyInTheRewritePhase() throws Exception {
    byte[] body = randomBytes(2000, 8);
    HttpResponse<String> r =
        gw.send(
            HttpRequest.newBuilder(gw.uri("/rewrite/sha256"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));

    assertThat(r.body()).isEqualTo(originSees(body));
    assertThat(env.origin().lastRequest().headers().get("x-body-sha256")).isEqualTo(sha256(body));
  }

  @Test
  void givesTheSameBodyToASecondCallAtOnce() throws Exception {
    byte[] body = randomBytes(3000, 9);
    HttpResponse<String> r =
        gw.send(
            HttpRequest.newBuilder(gw.uri("/twice/sha256"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));

    assertThat(r.body()).isEqualTo(originSees(body));
    assertThat(env.origin().lastRequest().headers().get("x-body-second-read")).isEqualTo("same");
  }

  @Test
  void givesAnEmptyBodyAtOnceToARequestWithoutOne() throws Exception {
    HttpResponse<String> r = gw.get("/read/hello");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(env.origin().lastRequest().headers().get("x-body-length")).isEqualTo("0");
    assertThat(env.origin().lastRequest().headers().get("x-body-sha256"))
        .isEqualTo(sha256(new byte[0]));
  }

  @Test
  void forwardsTheWholeBodyWhenThePluginDoesNotWaitForIt() throws Exception {
    byte[] a = randomBytes(700, 10);
    byte[] b = randomBytes(900, 11);
    byte[] all = new byte[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    byte[] message = chunked("POST /nowait/sha256 HTTP/1.1\r\nHost: x\r\n", "", a, b);

    try (RawClient raw = gw.raw()) {
      raw.send(java.util.Arrays.copyOfRange(message, 0, 400));
      Thread.sleep(100);
      raw.send(java.util.Arrays.copyOfRange(message, 400, message.length));

      assertThat(raw.readUntil(originSees(all), 5000)).contains(originSees(all));
    }
  }

  @Test
  void letsAPluginAnswerFromTheBodyWithoutAnUpstream() throws Exception {
    byte[] body = randomBytes(1234, 12);
    int before = env.origin().requestCount();
    HttpResponse<String> r =
        gw.send(
            HttpRequest.newBuilder(gw.uri("/reply"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(originSees(body));
    assertThat(env.origin().requestCount()).isEqualTo(before);
  }

  @Test
  void keepsTheConnectionForTheNextRequestAfterABufferedBody() throws Exception {
    byte[] body = randomBytes(500, 13);
    try (RawClient raw = gw.raw()) {
      raw.send(ascii("POST /read/sha256 HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n"));
      raw.send(body);
      String first = raw.readUntil(originSees(body), 5000);
      raw.send("GET /read/hello HTTP/1.1\r\nHost: x\r\n\r\n");
      String second = raw.readUntil("Hello, World!", 5000);

      assertThat(first).startsWith("HTTP/1.1 200").contains(originSees(body));
      assertThat(second).startsWith("HTTP/1.1 200").contains("Hello, World!");
    }
  }

  // ---------------------------------------------------------------- 100-continue

  @Test
  void sends100ContinueWhenThePluginAsksForTheBody() throws Exception {
    byte[] body = ascii("hello");
    try (RawClient raw = gw.raw()) {
      raw.send(
          "POST /read/sha256 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
              + "Expect: 100-continue\r\n\r\n");
      String interim = raw.readUntil("\r\n\r\n", 5000);
      raw.send(body);
      String response = raw.readUntil(originSees(body), 5000);

      assertThat(interim).startsWith("HTTP/1.1 100 Continue");
      assertThat(response).startsWith("HTTP/1.1 200").contains(originSees(body));
    }
    assertThat(env.origin().lastRequest().headers().contains("expect")).isFalse();
  }

  @Test
  void answers413Without100ContinueWhenTheDeclaredBodyIsOverThePluginLimit() throws Exception {
    String response =
        problemWithoutOrigin(
            "POST /small/count HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n"
                + "Expect: 100-continue\r\n\r\n");

    assertThat(response).startsWith("HTTP/1.1 413").contains("application/problem+json");
    assertThat(response).doesNotContain("100 Continue");
  }

  // ---------------------------------------------------------------- failures

  @Test
  void answers413AtOnceWhenTheContentLengthIsOverThePluginLimit() throws Exception {
    // No body is sent: the declared length alone is refused.
    String response =
        problemWithoutOrigin(
            "POST /small/count HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n");

    assertThat(response)
        .startsWith("HTTP/1.1 413")
        .contains("content-type: application/problem+json")
        .contains("https://portico.dev/problems/body-too-large");
  }

  @Test
  void answers413WhenAChunkedBodyGrowsPastThePluginLimit() throws Exception {
    byte[] message =
        chunked(
            "POST /small/count HTTP/1.1\r\nHost: x\r\n",
            "",
            randomBytes(600, 14),
            randomBytes(600, 15));
    String response = problemWithoutOrigin(message);

    assertThat(response).startsWith("HTTP/1.1 413").contains("exceeds 1024 bytes");
  }

  @Test
  void answers413WhenAChunkedBodyGrowsPastTheGatewayLimit() throws Exception {
    byte[] message =
        chunked(
            "POST /read/count HTTP/1.1\r\nHost: x\r\n",
            "",
            randomBytes(40_000, 16),
            randomBytes(40_000, 17));
    String response = problemWithoutOrigin(message);

    assertThat(response).startsWith("HTTP/1.1 413").contains("exceeds 65536 bytes");
  }

  @Test
  void answers413OverHttp2WhenTheBodyIsOverThePluginLimit() throws Exception {
    int before = env.origin().requestCount();
    try (RawH2Client client = new RawH2Client(gw.address())) {
      client.preface().post(1, "/small/count", authority());
      client.data(1, new byte[800], false).data(1, new byte[800], true).flush();

      assertThat(client.responseBody(1).get(10, TimeUnit.SECONDS)).contains("body-too-large");
    }
    assertThat(env.origin().requestCount()).isEqualTo(before);
  }

  @Test
  void answers408WhenTheClientStopsSendingTheBody() throws Exception {
    String response =
        problemWithoutOrigin(
            "POST /slow/count HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789");

    assertThat(response)
        .startsWith("HTTP/1.1 408")
        .contains("https://portico.dev/problems/request-body-timeout");
    assertThat(recordOf("slow", "request_body_timeout").status()).isEqualTo(408);
  }

  @Test
  void answers400ToMalformedChunkingWhileThePluginWaits() throws Exception {
    String response =
        problemWithoutOrigin(
            "POST /read/count HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\nzz\r\n");

    assertThat(response).startsWith("HTTP/1.1 400").contains("bad-framing");
  }

  @Test
  void endsQuietlyWhenAnHttp2ClientResetsTheStreamMidBody() throws Exception {
    int before = env.origin().requestCount();
    try (RawH2Client client = new RawH2Client(gw.address())) {
      client.preface().post(1, "/small/count", authority()).data(1, new byte[300], false).flush();
      Thread.sleep(100);
      client.reset(1).flush();

      assertThat(recordOf("small", "downstream_closed").status()).isZero();
    }
    assertThat(env.origin().requestCount()).isEqualTo(before);
  }

  @Test
  void endsQuietlyWhenTheClientLeavesMidBody() throws Exception {
    int before = env.origin().requestCount();
    try (RawClient raw = gw.raw()) {
      raw.send("POST /read/count HTTP/1.1\r\nHost: x\r\nContent-Length: 10000\r\n\r\n");
      raw.send(randomBytes(3000, 18));
      Thread.sleep(100);
    }

    assertThat(recordOf("read", "downstream_closed").status()).isZero();
    assertThat(env.origin().requestCount()).isEqualTo(before);
  }
}
