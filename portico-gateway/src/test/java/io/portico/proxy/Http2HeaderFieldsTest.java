package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testing.GatewayFixture;
import io.portico.testing.RawH2Client;
import io.portico.testing.TestOrigin;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Header blocks an HTTP/2 client may not send (RFC 9113 8.2 and 8.3), over a raw socket with HPACK
 * literals so nothing normalises them first: each stream is reset with PROTOCOL_ERROR, nothing
 * reaches the upstream, and the connection serves the next stream. Also what a well-formed block
 * becomes upstream: cookie fields joined into one, as HTTP/1.1 wants.
 */
class Http2HeaderFieldsTest {

  private static final long PROTOCOL_ERROR = 0x1;
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

  private static List<String> fields(String... extra) {
    List<String> f =
        new ArrayList<>(
            List.of(":method", "GET", ":scheme", "http", ":path", "/headers", ":authority", "a"));
    f.addAll(List.of(extra));
    return f;
  }

  static List<List<String>> malformed() {
    List<List<String>> out = new ArrayList<>();
    out.add(fields(":path", "/admin"));
    out.add(fields(":method", "POST"));
    out.add(fields(":authority", "b"));
    out.add(fields(":scheme", "https"));
    out.add(fields(":status", "200"));
    out.add(fields(":protocol", "websocket"));
    out.add(fields(":x", "y"));
    out.add(fields("X-Upper", "1"));
    out.add(fields("connection", "keep-alive"));
    out.add(fields("keep-alive", "timeout=5"));
    out.add(fields("proxy-connection", "keep-alive"));
    out.add(fields("transfer-encoding", "chunked"));
    out.add(fields("upgrade", "websocket"));
    out.add(fields("te", "gzip"));
    out.add(fields("x-a", "1\r\nx-injected: 1"));
    out.add(fields("x-a", "1\nx-injected: 1"));
    out.add(fields("x-a", "1\u0000"));
    out.add(fields("x a", "1"));
    out.add(fields("x-a:", "1"));
    out.add(fields("", "1"));
    List<String> late = new ArrayList<>(List.of(":method", "GET", ":scheme", "http"));
    late.addAll(List.of("x-a", "1", ":path", "/headers", ":authority", "a"));
    out.add(late);
    return out;
  }

  @ParameterizedTest
  @MethodSource("malformed")
  void resetsAMalformedHeaderBlockWithoutForwardingIt(List<String> block) throws Exception {
    int before = origin.requestCount();
    try (RawH2Client h2 = new RawH2Client(gw.address())) {
      h2.preface().flush();
      h2.headers(1, true, block.toArray(String[]::new)).flush();

      assertThat(h2.resetOf(1).get(5, TimeUnit.SECONDS)).isEqualTo(PROTOCOL_ERROR);
      h2.get(3, "/hello", authority()).flush();
      assertThat(h2.responseBody(3).get(5, TimeUnit.SECONDS)).isEqualTo("Hello, World!");
    }
    assertThat(origin.requestCount()).isEqualTo(before + 1);
  }

  @Test
  void joinsCookieFieldsIntoOneForTheUpstream() throws Exception {
    try (RawH2Client h2 = new RawH2Client(gw.address())) {
      h2.preface().flush();
      h2.headers(
              1,
              true,
              fields("cookie", "a=1", "te", "trailers", "cookie", "b=2").toArray(String[]::new))
          .flush();

      String echo = h2.responseBody(1).get(5, TimeUnit.SECONDS);
      assertThat(echo).contains("cookie: a=1; b=2\n").doesNotContain("\nte:");
    }
  }
}
