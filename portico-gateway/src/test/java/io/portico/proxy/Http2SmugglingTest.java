package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http2.Http2Error;
import io.portico.testing.GatewayFixture;
import io.portico.testing.RawH2Client;
import io.portico.testing.TestOrigin;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * HTTP/2 request heads that an HTTP/1.1 upstream would read differently from the gateway, written
 * field by field: framing that disagrees with itself ({@code content-length} twice, a list, not a
 * number), request targets that are not origin-form (a fragment, absolute-form, control
 * characters), an {@code :authority} with user information or a space, values with the whitespace
 * RFC 9113 8.2.1 forbids at their ends, CONNECT with a path. Each stream is refused (RST_STREAM
 * PROTOCOL_ERROR, or a 4xx the gateway answers itself), the connection goes on serving, and the
 * origin receives nothing of it.
 */
class Http2SmugglingTest {

  private static final long PROTOCOL_ERROR = Http2Error.PROTOCOL_ERROR.code();
  private static TestOrigin origin;
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    origin = TestOrigin.start();
    gw = GatewayFixture.start(GatewayFixture.proxyAllTo(origin.authority()));
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
    origin.close();
  }

  private static String authority() {
    return "127.0.0.1:" + gw.port();
  }

  private static List<String> request(String method, String path, String... extra) {
    List<String> f = new ArrayList<>(List.of(":method", method, ":scheme", "http", ":path", path));
    f.addAll(List.of(":authority", "a"));
    f.addAll(List.of(extra));
    return f;
  }

  /** A block, the body sent after it ("" for none: the HEADERS end the stream), the outcome. */
  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of(
            request("POST", "/count", "content-length", "3", "content-length", "4"),
            "abc",
            "reset"),
        Arguments.of(request("POST", "/count", "content-length", "3, 4"), "abc", "reset"),
        Arguments.of(request("POST", "/count", "content-length", "-1"), "abc", "reset"),
        Arguments.of(request("POST", "/count", "content-length", "0x3"), "abc", "reset"),
        Arguments.of(request("GET", "/hello#fragment"), "", "400"),
        Arguments.of(request("GET", "http://evil.example/hello"), "", "reset"),
        Arguments.of(request("GET", "*"), "", "400"),
        Arguments.of(request("GET", "/a\tb"), "", "400"),
        Arguments.of(request("GET", "/a\u0001b"), "", "reset"),
        Arguments.of(request("GET", "/a\u007fb"), "", "reset"),
        Arguments.of(request("GET", "/\u00e9"), "", "400"),
        Arguments.of(request("GET", "/hello\u0000"), "", "reset"),
        Arguments.of(
            List.of(":method", "GET", ":scheme", "http", ":path", "/hello", ":authority", "u@a"),
            "",
            "400"),
        Arguments.of(
            List.of(":method", "GET", ":scheme", "http", ":path", "/hello", ":authority", "a b"),
            "",
            "400"),
        Arguments.of(
            List.of(":method", "GET", ":scheme", "http", ":path", "/hello", ":authority", "a\tb"),
            "",
            "400"),
        Arguments.of(request("GET", "/hello", "x-a", " leading"), "", "reset"),
        Arguments.of(request("GET", "/hello", "x-a", "a\u0001b"), "", "reset"),
        Arguments.of(request("GET", "/hello", "x-a", "a\u007fb"), "", "reset"),
        Arguments.of(request("GET", "/hello", "x-a", "a\u000bb"), "", "reset"),
        Arguments.of(request("GET", "/hello", "x-a", "trailing\t"), "", "reset"),
        Arguments.of(request("GET", "/hello", "x-\u00e9", "1"), "", "reset"),
        Arguments.of(request("GET", "/hello", "x-a\u007f", "1"), "", "reset"),
        Arguments.of(List.of(":method", "GET", ":path", "/hello", ":authority", "a"), "", "reset"),
        Arguments.of(
            List.of(":method", "CONNECT", ":scheme", "http", ":path", "/", ":authority", "a:443"),
            "",
            "reset"),
        Arguments.of(List.of(":method", "CONNECT", ":authority", "127.0.0.1:22"), "", "405"));
  }

  @ParameterizedTest
  @MethodSource("refused")
  void refusesAndForwardsNothing(List<String> block, String body, String outcome) throws Exception {
    int before = origin.requestCount();
    try (RawH2Client h2 = new RawH2Client(gw.address())) {
      h2.preface().flush();
      h2.headers(1, body.isEmpty(), block.toArray(String[]::new));
      if (!body.isEmpty()) {
        h2.data(1, body.getBytes(StandardCharsets.US_ASCII), true);
      }
      h2.flush();

      CompletableFuture<String> got =
          h2.resetOf(1)
              .thenApply(code -> code == PROTOCOL_ERROR ? "reset" : "reset " + code)
              .applyToEither(h2.status(1), s -> s);
      assertThat(got.get(5, TimeUnit.SECONDS)).isEqualTo(outcome);
      h2.get(3, "/hello", authority()).flush();
      assertThat(h2.responseBody(3).get(5, TimeUnit.SECONDS)).isEqualTo("Hello, World!");
      assertThat(h2.goAway()).isNotDone();
    }
    assertThat(origin.requestCount()).isEqualTo(before + 1);
  }

  @Test
  void forwardsAWellFormedHeadAsItWasSent() throws Exception {
    try (RawH2Client h2 = new RawH2Client(gw.address())) {
      h2.preface().flush();
      h2.headers(
              1,
              true,
              request("GET", "/headers?q=a%20b", "x-a", "in\tside", "x-b", "", "te", "trailers")
                  .toArray(String[]::new))
          .flush();

      String echo = h2.responseBody(1).get(5, TimeUnit.SECONDS);
      assertThat(echo).startsWith("GET /headers?q=a%20b HTTP/1.1\n").contains("x-a: in\tside\n");
    }
  }

  @Test
  void endsTheConnectionOfAClientThatSendsMalformedHeadAfterMalformedHead() throws Exception {
    GatewayFixture limited =
        GatewayFixture.start(
            GatewayFixture.proxyAllTo(origin.authority())
                + "limits:\n  http2-max-resets-per-window: 20\n");
    int before = origin.requestCount();
    try (RawH2Client h2 = new RawH2Client(limited.address())) {
      h2.preface().flush();
      try {
        for (int stream = 1; stream < 2 * 200 && !h2.goAway().isDone(); stream += 2) {
          h2.headers(stream, true, request("GET", "http://evil.example/").toArray(String[]::new))
              .flush();
        }
      } catch (java.io.IOException e) {
        // the gateway closed the connection
      }

      assertThat(h2.goAway().get(5, TimeUnit.SECONDS))
          .isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code());
      assertThat(h2.resetsReceived()).isBetween(20, 30);
    } finally {
      limited.close();
    }
    assertThat(origin.requestCount()).isEqualTo(before);
  }
}
