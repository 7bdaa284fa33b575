package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.portico.testing.GatewayFixture;
import io.portico.testing.RawClient;
import io.portico.testing.RawHttpOrigin;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An upstream that answers what HTTP/1.1 does not allow, or what the gateway must not pass on: a
 * status code outside 100-599 ({@code 2000}, {@code 099}, {@code 20}), a field name with a space
 * inside it (which Netty would cut to its first word), a {@code Transfer-Encoding} other than
 * {@code chunked} alone ({@code identity} with a {@code Content-Length}), a {@code 101} to a
 * request that asked for no upgrade, a status line whose version is not {@code HTTP/1.1} or {@code
 * HTTP/1.0} ({@code HTTP/2.0}, {@code http/1.1}), a trailer section carrying the gateway's session
 * cookie or the connection's own fields, and a WebSocket tunnel through which nothing passes.
 *
 * <p>The origin is a raw socket server scripted per path; the client is a raw socket, so what the
 * gateway writes is read byte for byte.
 */
class UpstreamResponseAttackTest {

  private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
  private static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

  private static RawHttpOrigin origin;
  private static List<String> heads;
  private static GatewayFixture gw;

  @BeforeAll
  static void start() throws Exception {
    origin = RawHttpOrigin.start("response-attack-origin", head -> answer(head.split(" ", 3)[1]));
    heads = origin.heads();
    gw =
        GatewayFixture.start(
            """
            services:
              - name: backend
                targets: [ "127.0.0.1:%d" ]
                timeouts: { response: 60s, idle: 1s }
            routes:
              - name: open
                paths: [ "/" ]
                service: backend
            """
                .formatted(origin.port()));
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
    origin.close();
  }

  private static RawHttpOrigin.Answer answer(String path) {
    if (path.equals("/ws")) {
      return RawHttpOrigin.Answer.thenTunnel(
          "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
              + "Sec-WebSocket-Accept: "
              + ACCEPT
              + "\r\n\r\nTUNNEL-OPEN");
    }
    if (path.startsWith("/version/")) {
      String version = path.substring("/version/".length()).replace('_', '/');
      return RawHttpOrigin.Answer.then(version + " 200 OK\r\nContent-Length: 2\r\n\r\nok");
    }
    if (path.startsWith("/status/")) {
      return RawHttpOrigin.Answer.then(
          "HTTP/1.1 " + path.substring("/status/".length()) + " X\r\nContent-Length: 2\r\n\r\nok");
    }
    return RawHttpOrigin.Answer.then(
        switch (path) {
          case "/switch" ->
              "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"
                  + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
          case "/trailers" ->
              "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n"
                  + "Set-Cookie: portico_session=planted; Path=/\r\n"
                  + "Keep-Alive: timeout=1\r\nUpgrade: h2c\r\nX-Checksum: 42\r\n\r\n";
          case "/name-with-space" ->
              "HTTP/1.1 302 Found\r\nLocation https://evil.example/: /home\r\n"
                  + "Content-Length: 0\r\n\r\n";
          case "/identity-and-length" ->
              "HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\nContent-Length: 2\r\n\r\nok";
          case "/gzip-chunked" ->
              "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n";
          case "/chunked-twice" ->
              "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"
                  + "2\r\nok\r\n0\r\n\r\n";
          case "/space-before-colon" ->
              "HTTP/1.1 200 OK\r\nX-Kept : yes\r\nContent-Length: 2\r\n\r\nok";
          default -> "HTTP/1.1 200 OK\r\nContent-Length: 14\r\n\r\nreached-" + path.substring(1);
        });
  }

  @ParameterizedTest
  @ValueSource(strings = {"2000", "099", "20", "999", "600", "000"})
  void aStatusCodeOutsideHttpsRangeIsA502AndTheNextRequestIsServed(String code) throws Exception {
    try (RawClient c = gw.raw()) {
      String got =
          c.send("GET /status/" + code + " HTTP/1.1\r\nHost: x\r\n\r\n").readUntil("}", 5000);
      assertThat(got).startsWith("HTTP/1.1 502").contains("upstream-protocol-error");
      assertThat(got).doesNotContain(" X\r\n").doesNotContain("\r\n\r\nok");

      String next = c.send("GET /next HTTP/1.1\r\nHost: x\r\n\r\n").readUntil("reached-", 5000);
      assertThat(next).startsWith("HTTP/1.1 200");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"HTTP_2.0", "HTTP_3", "HTTP_2", "HTTP_1.2", "http_1.1", "HTTP_1.10"})
  void aVersionOtherThanHttp11Or10IsA502AndTheNextRequestIsServed(String version) throws Exception {
    try (RawClient c = gw.raw()) {
      String got =
          c.send("GET /version/" + version + " HTTP/1.1\r\nHost: x\r\n\r\n").readUntil("}", 5000);
      assertThat(got).startsWith("HTTP/1.1 502").contains("upstream-protocol-error");
      assertThat(got).doesNotContain("\r\n\r\nok");

      String next = c.send("GET /next HTTP/1.1\r\nHost: x\r\n\r\n").readUntil("reached-", 5000);
      assertThat(next).startsWith("HTTP/1.1 200");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"/identity-and-length", "/gzip-chunked", "/chunked-twice"})
  void aTransferEncodingOtherThanChunkedAloneIsA502(String path) throws Exception {
    try (RawClient c = gw.raw()) {
      String got = c.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").readUntil("}", 5000);
      assertThat(got).startsWith("HTTP/1.1 502").contains("upstream-protocol-error");
      assertThat(got.toLowerCase(Locale.ROOT)).doesNotContain("transfer-encoding");

      String next = c.send("GET /next HTTP/1.1\r\nHost: x\r\n\r\n").readUntil("reached-", 5000);
      assertThat(next).startsWith("HTTP/1.1 200");
    }
  }

  @Test
  void aFieldNameWithASpaceInsideIsA502NotItsFirstWord() throws Exception {
    try (RawClient c = gw.raw()) {
      String got = c.send("GET /name-with-space HTTP/1.1\r\nHost: x\r\n\r\n").readUntil("}", 5000);
      assertThat(got).startsWith("HTTP/1.1 502").contains("upstream-protocol-error");
      assertThat(got.toLowerCase(Locale.ROOT)).doesNotContain("location");
    }
  }

  @Test
  void whitespaceBeforeTheColonIsRemovedAndTheFieldRelayed() throws Exception {
    try (RawClient c = gw.raw()) {
      String got =
          c.send("GET /space-before-colon HTTP/1.1\r\nHost: x\r\n\r\n")
              .readUntil("\r\n\r\nok", 5000);
      assertThat(got).startsWith("HTTP/1.1 200");
      assertThat(got.toLowerCase(Locale.ROOT)).contains("\r\nx-kept: yes\r\n");
    }
  }

  @Test
  void aSwitchToARequestThatAskedForNoUpgradeIsA502NotAWaitForTheResponseTimeout()
      throws Exception {
    try (RawClient c = gw.raw()) {
      // the service's response timeout is 60 s: a 101 taken as an interim answer would leave the
      // client with nothing within the read below
      String got = c.send("GET /switch HTTP/1.1\r\nHost: x\r\n\r\n").readUntil("}", 10_000);
      assertThat(got).startsWith("HTTP/1.1 502").contains("upstream-protocol-error");
      assertThat(got).doesNotContain("101");
    }
  }

  @Test
  void trailersLoseTheSessionCookieAndTheConnectionsFieldsAndKeepTheRest() throws Exception {
    try (RawClient c = gw.raw()) {
      String got =
          c.send("GET /trailers HTTP/1.1\r\nHost: x\r\nTE: trailers\r\n\r\n")
              .readUntil("\r\n0\r\n", 5000);
      String rest = got + c.readUntil("\r\n\r\n", 3000);
      String lower = rest.toLowerCase(Locale.ROOT);
      assertThat(lower).startsWith("http/1.1 200").contains("x-checksum: 42");
      assertThat(lower)
          .doesNotContain("portico_session")
          .doesNotContain("keep-alive: timeout")
          .doesNotContain("upgrade: h2c");
    }
  }

  @Test
  void aTunnelThroughWhichNothingPassesForTheIdleTimeoutIsClosed() throws Exception {
    try (RawClient c = gw.raw()) {
      String got =
          c.send(
                  "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                      + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
                      + KEY
                      + "\r\n\r\n")
              .readUntil("TUNNEL-OPEN", 5000);
      assertThat(got).startsWith("HTTP/1.1 101");
      // the idle timeout is 1 s; a tunnel without one stays open for as long as both ends do
      assertThat(c.closedByServer(30_000)).isTrue();
    }
  }
}
