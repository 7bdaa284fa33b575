package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpRequest;
import io.portico.testing.GatewayFixture;
import io.portico.testing.RawClient;
import io.portico.testing.TestOrigin;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A differential table of malformed and ambiguous requests, sent as raw bytes: each refused one is
 * answered with its status and nothing of it reaches the origin; each accepted one reaches the
 * origin exactly as stated.
 */
class RequestSmugglingTableTest {

  private static TestOrigin origin;
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    origin = TestOrigin.start();
    gw =
        GatewayFixture.start(
            """
            services:
              - name: backend
                targets: [ "%s" ]
            routes:
              - name: all
                paths: [ "/" ]
                service: backend
                plugins:
                  request-headers: {set: {X-Gateway: "set-by-gateway"}}
            limits:
              max-header-field-size: 1k
            """
                .formatted(origin.authority()));
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
    origin.close();
  }

  private static final String LONG_VALUE = "v".repeat(2000);

  static Stream<Arguments> refused() {
    return Stream.of(
        // 1. Connection naming framing or routing headers
        Arguments.of("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: content-length\r\n\r\n", 400),
        Arguments.of(
            "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Transfer-Encoding\r\n\r\n",
            400),
        Arguments.of("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: host\r\n\r\n", 400),
        // 2. request line
        Arguments.of("get /hello HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        Arguments.of("Get /hello HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        Arguments.of("G{T /hello HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        Arguments.of("GET /hello HTTP/2.0\r\nHost: x\r\n\r\n", 505),
        Arguments.of("GET /hello HTTP/1.2\r\nHost: x\r\n\r\n", 505),
        Arguments.of("GET /hello HTTP/3.0\r\nHost: x\r\n\r\n", 505),
        // 2. underscore twins of framing and routing headers
        Arguments.of(
            "POST /count HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer_Encoding: chunked\r\n\r\nhello",
            400),
        Arguments.of(
            "POST /count HTTP/1.1\r\nHost: x\r\nContent_Length: 5\r\nContent-Length: 5\r\n\r\nhello",
            400),
        Arguments.of("GET /hello HTTP/1.1\r\nHost: x\r\nHOST_: y\r\n\r\n", 400),
        Arguments.of("GET /hello HTTP/1.1\r\nHost: x\r\nX_Forwarded_For: 1.2.3.4\r\n\r\n", 400),
        // 2. obs-fold
        Arguments.of("GET /hello HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", 400),
        Arguments.of("GET /hello HTTP/1.1\r\nHost: x\r\nX-A: a\r\n\tb\r\n\r\n", 400),
        // 2. one oversized field
        Arguments.of("GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + LONG_VALUE + "\r\n\r\n", 431),
        // 2. invalid Host
        Arguments.of("GET /hello HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
        Arguments.of("GET /hello HTTP/1.1\r\nHost: user@x\r\n\r\n", 400),
        Arguments.of("GET /hello HTTP/1.1\r\nHost: x/y\r\n\r\n", 400),
        Arguments.of("GET /hello HTTP/1.1\r\nHost: x:70000\r\n\r\n", 400),
        Arguments.of("GET /hello HTTP/1.1\r\nHost: x:\r\n\r\n", 400),
        Arguments.of("GET /hello HTTP/1.1\r\nHost: [::1\r\n\r\n", 400),
        Arguments.of("GET /hello HTTP/1.1\r\nHost: [::1]x\r\n\r\n", 400));
  }

  @ParameterizedTest
  @MethodSource("refused")
  void refusesWithoutForwardingAnything(String raw, int status) throws Exception {
    int before = settledRequestCount();
    try (RawClient c = gw.raw()) {
      String got = c.send(raw).readUntil("\r\n\r\n", 3000);
      assertThat(got).startsWith("HTTP/1.1 " + status);
    }
    Thread.sleep(50);
    assertThat(origin.requestCount()).as("nothing forwarded").isEqualTo(before);
  }

  /**
   * The origin's request count once requests of earlier cases have all arrived: a case that ends
   * when its client has an answer may leave its request still on its way to the origin, and that
   * request must not be counted against the next case.
   */
  private static int settledRequestCount() throws InterruptedException {
    int count = origin.requestCount();
    for (int i = 0; i < 20; i++) {
      Thread.sleep(50);
      int now = origin.requestCount();
      if (now == count) {
        return now;
      }
      count = now;
    }
    return count;
  }

  private static HttpRequest forwarded(String raw) throws Exception {
    int before = origin.requestCount();
    try (RawClient c = gw.raw()) {
      String got = c.send(raw).readUntil("\r\n\r\n", 3000);
      assertThat(got).startsWith("HTTP/1.1 200");
    }
    assertThat(origin.requestCount()).isEqualTo(before + 1);
    return origin.lastRequest();
  }

  @Test
  void forwardsNothingWhenTheFirstChunkSizeLineIsInvalid() throws Exception {
    // Warm the pool, so that an upstream connection would be at hand at once.
    forwarded("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    int before = origin.requestCount();
    for (String badChunk : List.of("zz\r\nhello\r\n0\r\n\r\n", "5;" + "e".repeat(9000) + "\r\n")) {
      try (RawClient c = gw.raw()) {
        c.send("POST /count HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
        Thread.sleep(300);
        String got = c.send(badChunk).readUntil("\r\n\r\n", 3000);
        assertThat(got).startsWith("HTTP/1.1 400");
      }
    }
    Thread.sleep(50);
    assertThat(origin.requestCount()).as("nothing forwarded").isEqualTo(before);
  }

  @Test
  void forwardsAChunkedBodyWhoseFirstChunkComesLate() throws Exception {
    try (RawClient c = gw.raw()) {
      c.send("POST /count HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
      Thread.sleep(300);
      String got = c.send("5\r\nhello\r\n0\r\n\r\n").readUntil("\r\n\r\n5", 3000);
      assertThat(got).startsWith("HTTP/1.1 200");
    }
  }

  @Test
  void refusesTooManyOrTooLargeTrailers() throws Exception {
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 101; i++) {
      many.append("t").append(i).append(": v\r\n");
    }
    for (String trailers : List.of(many.toString(), "t: " + LONG_VALUE + "\r\n")) {
      try (RawClient c = gw.raw()) {
        String got =
            c.send(
                    "POST /count HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhello\r\n0\r\n"
                        + trailers
                        + "\r\n")
                .readUntil("\r\n\r\n", 3000);
        assertThat(got).startsWith("HTTP/1.1 431");
      }
    }
  }

  private static String chunkedPost(String chunks) {
    return "POST /count HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks;
  }

  @Test
  void refusesABodyOverTheChunkExtensionBudget() throws Exception {
    StringBuilder manySmall = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      manySmall.append("1;e\r\na\r\n");
    }
    StringBuilder fewLarge = new StringBuilder();
    for (int i = 0; i < 3; i++) {
      fewLarge.append("1;e=").append("v".repeat(3000)).append("\r\na\r\n");
    }
    for (String chunks : List.of(manySmall.toString(), fewLarge.toString())) {
      try (RawClient c = gw.raw()) {
        String got = c.send(chunkedPost(chunks + "0\r\n\r\n")).readUntil("}", 3000);
        assertThat(got).startsWith("HTTP/1.1 400").contains("chunk extensions");
      }
    }
  }

  @Test
  void refusesAnExtensionBudgetBrokenInTheLastChunkLine() throws Exception {
    try (RawClient c = gw.raw()) {
      String got =
          c.send(chunkedPost("5\r\nhello\r\n0;e=" + "v".repeat(8200) + "\r\n\r\n"))
              .readUntil("\r\n\r\n", 3000);
      assertThat(got).startsWith("HTTP/1.1 4");
    }
  }

  @Test
  void forwardsAFewChunkExtensionsWithoutThem() throws Exception {
    try (RawClient c = gw.raw()) {
      String got =
          c.send(chunkedPost("5;a=1;b\r\nhello\r\n2;c\r\n!!\r\n0;d=2\r\n\r\n"))
              .readUntil("\r\n\r\n7", 3000);
      assertThat(got).startsWith("HTTP/1.1 200");
    }
    assertThat(origin.lastRequest().headers().get("transfer-encoding")).isEqualTo("chunked");
  }

  @Test
  void refusesAFoldedTrailerField() throws Exception {
    try (RawClient c = gw.raw()) {
      String got =
          c.send(chunkedPost("5\r\nhello\r\n0\r\nX-T: a\r\n b\r\n\r\n")).readUntil("}", 3000);
      assertThat(got).startsWith("HTTP/1.1 400").contains("folding in the request trailers");
    }
  }

  @Test
  void refusesAFoldThatStartsTheNextRead() throws Exception {
    int before = settledRequestCount();
    try (RawClient c = gw.raw()) {
      c.send("GET /hello HTTP/1.1\r\nHost: x\r\nX-A: a\r\n");
      Thread.sleep(200);
      String got = c.send(" b\r\n\r\n").readUntil("\r\n\r\n", 3000);
      assertThat(got).startsWith("HTTP/1.1 400");
    }
    Thread.sleep(50);
    assertThat(origin.requestCount()).as("nothing forwarded").isEqualTo(before);
  }

  @Test
  void metersAChunkedBodyWhoseHeadEndsAcrossTwoReads() throws Exception {
    StringBuilder manySmall = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      manySmall.append("1;e\r\na\r\n");
    }
    for (String[] parts :
        List.of(
            new String[] {"\r\n\r", "\n"},
            new String[] {"\r\n", "\r\n"},
            new String[] {"\r", "\n\r\n"})) {
      try (RawClient c = gw.raw()) {
        c.send("POST /count HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked" + parts[0]);
        Thread.sleep(150);
        String got = c.send(parts[1] + manySmall + "0\r\n\r\n").readUntil("}", 3000);
        assertThat(got).as(String.join("|", parts)).startsWith("HTTP/1.1 400");
      }
    }
  }

  @Test
  void servesPipelinedRequestsAfterAChunkedBody() throws Exception {
    try (RawClient c = gw.raw()) {
      String got =
          c.send(
                  chunkedPost("3;x\r\nabc\r\n0\r\nX-T: 1\r\n\r\n")
                      + "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
                      + chunkedPost("2\r\nhi\r\n0\r\n\r\n"))
              .readUntil("\r\n\r\n2", 3000);
      assertThat(got.split("HTTP/1.1 200", -1)).hasSize(4);
    }
  }

  @Test
  void passesBodyLinesThatStartWithWhiteSpace() throws Exception {
    String body = "{\n  \"a\": 1,\n\t\"b\": 2\n}";
    for (String raw :
        List.of(
            "POST /count HTTP/1.1\r\nHost: x\r\nContent-Length: "
                + body.length()
                + "\r\n\r\n"
                + body,
            "POST /count HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(body.length())
                + "\r\n"
                + body
                + "\r\n0\r\n\r\n")) {
      try (RawClient c = gw.raw()) {
        String got = c.send(raw).readUntil("\r\n\r\n" + body.length(), 3000);
        assertThat(got).startsWith("HTTP/1.1 200").endsWith("\r\n\r\n" + body.length());
      }
    }
  }

  @Test
  void refusesAFoldedHeaderInAPipelinedRequest() throws Exception {
    try (RawClient c = gw.raw()) {
      String got =
          c.send(
                  "POST /count HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n\n  x"
                      + "GET /hello HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n")
              .readUntil("bad-framing", 3000);
      assertThat(got).startsWith("HTTP/1.1 200").contains("HTTP/1.1 400");
    }
  }

  @Test
  void stripsProxyAuthorization() throws Exception {
    HttpRequest r =
        forwarded("GET /hello HTTP/1.1\r\nHost: x\r\nProxy-Authorization: Basic YTpi\r\n\r\n");
    assertThat(r.headers().contains("proxy-authorization")).isFalse();
  }

  @Test
  void aClientCannotDeleteWhatTheGatewaySetThroughConnection() throws Exception {
    HttpRequest r =
        forwarded(
            "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, X-Gateway, X-Forwarded-For\r\n\r\n");
    assertThat(r.headers().get("x-gateway")).isEqualTo("set-by-gateway");
    assertThat(r.headers().get("x-forwarded-for")).isEqualTo("127.0.0.1");
  }

  @Test
  void stripsTheHeadersTheClientListsInConnection() throws Exception {
    HttpRequest r =
        forwarded("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: X-Secret\r\nX-Secret: s\r\n\r\n");
    assertThat(r.headers().contains("x-secret")).isFalse();
    assertThat(r.headers().contains("connection")).isFalse();
  }

  @Test
  void normalisesAContentLengthWithLeadingZeros() throws Exception {
    HttpRequest r =
        forwarded("POST /count HTTP/1.1\r\nHost: x\r\nContent-Length: 005\r\n\r\nhello");
    assertThat(r.headers().get("content-length")).isEqualTo("5");
  }

  @Test
  void acceptsUpperCaseExtensionMethodsAndValidHosts() throws Exception {
    assertThat(forwarded("PURGE /hello HTTP/1.1\r\nHost: x\r\n\r\n").method().name())
        .isEqualTo("PURGE");
    forwarded("GET /hello HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n");
    forwarded("GET /hello HTTP/1.1\r\nHost: example.com:65535\r\n\r\n");
    forwarded("GET /hello HTTP/1.0\r\n\r\n");
  }

  @Test
  void forwardsAnUpgradeOnAPostAsAPlainRequest() throws Exception {
    HttpRequest r =
        forwarded(
            "POST /count HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Content-Length: 5\r\n\r\nhello");
    assertThat(r.headers().contains("upgrade")).isFalse();
    assertThat(r.headers().contains("connection")).isFalse();
  }

  @Test
  void forwardsAnUpgradeOnHttp10AsAPlainRequest() throws Exception {
    HttpRequest r =
        forwarded(
            "GET /hello HTTP/1.0\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
    assertThat(r.headers().contains("upgrade")).isFalse();
  }

  @Test
  void forwardsAnUpgradeOnAGetWithABodyAsAPlainRequest() throws Exception {
    HttpRequest r =
        forwarded(
            "GET /count HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Content-Length: 5\r\n\r\nhello");
    assertThat(r.headers().contains("upgrade")).isFalse();
  }
}
