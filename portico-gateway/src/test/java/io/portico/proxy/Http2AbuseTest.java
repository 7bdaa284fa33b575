package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http2.Http2Error;
import io.portico.testing.Cleanup;
import io.portico.testing.GatewayFixture;
import io.portico.testing.LogCapture;
import io.portico.testing.OriginPerTest;
import io.portico.testing.RawH2Client;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Malformed HTTP/2 requests and frame floods, written frame by frame: each malformed stream is
 * refused on its own (RST_STREAM PROTOCOL_ERROR, or 400) without a warning in the log, a violation
 * of the connection's rules ends the connection with GOAWAY, and nothing the client can make the
 * gateway do without limit (send resets, answer PINGs and SETTINGS) goes unbounded.
 */
class Http2AbuseTest {

  private static final long PROTOCOL_ERROR = Http2Error.PROTOCOL_ERROR.code();
  private static final long ENHANCE_YOUR_CALM = Http2Error.ENHANCE_YOUR_CALM.code();

  @RegisterExtension final OriginPerTest env = new OriginPerTest();
  private GatewayFixture gw;
  private LogCapture log;

  @BeforeEach
  void startOrigin() throws Exception {
    log = LogCapture.capture();
  }

  @AfterEach
  void stop() throws Exception {
    Cleanup.close(log);
  }

  private GatewayFixture start(String extra) throws Exception {
    gw = env.start(GatewayFixture.proxyAllTo(env.origin().authority()) + extra);
    return gw;
  }

  private String authority() {
    return "127.0.0.1:" + gw.port();
  }

  private RawH2Client connect() throws IOException {
    RawH2Client h2 = new RawH2Client(gw.address());
    h2.preface().flush();
    return h2;
  }

  /** The connection still serves a well-formed request on {@code streamId}. */
  private void assertStillServes(RawH2Client h2, int streamId) throws Exception {
    h2.get(streamId, "/hello", authority()).flush();
    assertThat(h2.responseBody(streamId).get(5, TimeUnit.SECONDS)).isEqualTo("Hello, World!");
  }

  private void assertNoWarningLogged() {
    assertThat(log.warnings()).isEmpty();
  }

  /** Stream 1 was refused with RST_STREAM PROTOCOL_ERROR; the connection still serves stream 3. */
  private void assertRefusedAndStillServes(RawH2Client h2) throws Exception {
    assertThat(h2.resetOf(1).get(5, TimeUnit.SECONDS)).isEqualTo(PROTOCOL_ERROR);
    assertStillServes(h2, 3);
  }

  /** The gateway sent GOAWAY with {@code error} and closed the connection. */
  private static void assertEnded(RawH2Client h2, long error) throws Exception {
    assertThat(h2.goAway().get(5, TimeUnit.SECONDS)).isEqualTo(error);
    h2.closed().get(5, TimeUnit.SECONDS);
  }

  /**
   * Sends a POST to {@code /count} on stream 1 declaring {@code contentLength}, with {@code body}.
   */
  private void postDeclaring(RawH2Client h2, String contentLength, String body) throws IOException {
    h2.headers(
            1,
            false,
            ":method",
            "POST",
            ":scheme",
            "http",
            ":path",
            "/count",
            ":authority",
            authority(),
            "content-length",
            contentLength)
        .data(1, body.getBytes(StandardCharsets.US_ASCII), true)
        .flush();
  }

  @Test
  void refusesAStreamWithoutPathWithProtocolErrorAndKeepsTheConnection() throws Exception {
    start("");

    try (RawH2Client h2 = connect()) {
      h2.headers(1, true, ":method", "GET", ":scheme", "http", ":authority", authority()).flush();

      assertRefusedAndStillServes(h2);
      assertThat(h2.resetsReceived()).isEqualTo(1);
    }
    assertThat(env.origin().requestCount()).isEqualTo(1);
    assertNoWarningLogged();
  }

  @Test
  void refusesAStreamWithAnEmptyPathWithProtocolError() throws Exception {
    start("");

    try (RawH2Client h2 = connect()) {
      h2.headers(1, true, ":method", "GET", ":scheme", "http", ":path", "", ":authority", "a")
          .flush();

      assertRefusedAndStillServes(h2);
    }
    assertNoWarningLogged();
  }

  @Test
  void refusesAMethodThatIsNotATokenWithProtocolError() throws Exception {
    start("");

    try (RawH2Client h2 = connect()) {
      h2.headers(1, true, ":method", "GE T", ":scheme", "http", ":path", "/", ":authority", "a")
          .flush();

      assertRefusedAndStillServes(h2);
      assertThat(h2.resetsReceived()).isEqualTo(1);
    }
    assertNoWarningLogged();
  }

  @Test
  void refusesAPathWithASpaceWithProtocolError() throws Exception {
    start("");

    try (RawH2Client h2 = connect()) {
      h2.headers(1, true, ":method", "GET", ":scheme", "http", ":path", "/a b", ":authority", "a")
          .flush();

      assertRefusedAndStillServes(h2);
      assertThat(h2.resetsReceived()).isEqualTo(1);
    }
    assertThat(env.origin().requestCount()).isEqualTo(1);
    assertNoWarningLogged();
  }

  @Test
  void answers400ToAPathThatIsNotAnAbsolutePath() throws Exception {
    start("");

    try (RawH2Client h2 = connect()) {
      h2.headers(1, true, ":method", "GET", ":scheme", "http", ":path", "hello", ":authority", "a")
          .flush();

      assertThat(h2.status(1).get(5, TimeUnit.SECONDS)).isEqualTo("400");
      assertStillServes(h2, 3);
    }
    assertThat(env.origin().requestCount()).isEqualTo(1);
    assertNoWarningLogged();
  }

  @Test
  void refusesABodyShorterThanItsContentLengthWithProtocolError() throws Exception {
    start("");

    try (RawH2Client h2 = connect()) {
      postDeclaring(h2, "10", "abc");

      assertRefusedAndStillServes(h2);
    }
    assertNoWarningLogged();
  }

  @Test
  void refusesABodyLongerThanItsContentLengthWithProtocolError() throws Exception {
    start("");

    try (RawH2Client h2 = connect()) {
      postDeclaring(h2, "2", "abcdef");

      assertRefusedAndStillServes(h2);
    }
    assertNoWarningLogged();
  }

  @Test
  void refusesAHostThatDiffersFromTheAuthorityWithProtocolError() throws Exception {
    start("");

    try (RawH2Client h2 = connect()) {
      h2.headers(
              1,
              true,
              ":method",
              "GET",
              ":scheme",
              "http",
              ":path",
              "/hello",
              ":authority",
              authority(),
              "host",
              "other.example")
          .flush();

      assertRefusedAndStillServes(h2);
    }
    assertThat(env.origin().requestCount()).isEqualTo(1);
    assertNoWarningLogged();
  }

  @Test
  void endsTheConnectionWhenAStreamIdIsReused() throws Exception {
    start("");

    try (RawH2Client h2 = connect()) {
      assertStillServes(h2, 1);
      h2.get(1, "/hello", authority()).flush();

      assertEnded(h2, PROTOCOL_ERROR);
    }
    assertThat(env.origin().requestCount()).isEqualTo(1);
    assertNoWarningLogged();
  }

  @Test
  void endsTheConnectionWhenAStreamIdDecreases() throws Exception {
    start("");

    try (RawH2Client h2 = connect()) {
      assertStillServes(h2, 7);
      h2.get(3, "/hello", authority()).flush();

      assertEnded(h2, PROTOCOL_ERROR);
    }
    assertThat(env.origin().requestCount()).isEqualTo(1);
    assertNoWarningLogged();
  }

  @Test
  void acceptsTrailersOnAnOpenStreamOpenedInTheSameWrite() throws Exception {
    start("");

    try (RawH2Client h2 = connect()) {
      h2.post(1, "/count", authority())
          .data(1, "abc".getBytes(StandardCharsets.US_ASCII), false)
          .headers(1, true, "x-checksum", "1")
          .flush();

      assertThat(h2.responseBody(1).get(5, TimeUnit.SECONDS)).isEqualTo("3");
      assertStillServes(h2, 3);
    }
    assertNoWarningLogged();
  }

  @Test
  void endsAPingFloodWithEnhanceYourCalm() throws Exception {
    start("limits:\n  http2-max-control-frames-per-window: 100\n");

    try (RawH2Client h2 = connect()) {
      int sent = flood(h2, () -> h2.ping(42));

      assertEnded(h2, ENHANCE_YOUR_CALM);
      assertThat(sent).isGreaterThan(100);
    }
    assertNoWarningLogged();
  }

  @Test
  void endsASettingsFloodWithEnhanceYourCalm() throws Exception {
    start("limits:\n  http2-max-control-frames-per-window: 100\n");

    try (RawH2Client h2 = connect()) {
      flood(h2, h2::settings);

      assertEnded(h2, ENHANCE_YOUR_CALM);
    }
    assertNoWarningLogged();
  }

  @Test
  void endsAPriorityFloodWithEnhanceYourCalm() throws Exception {
    start("limits:\n  http2-max-control-frames-per-window: 100\n");

    try (RawH2Client h2 = connect()) {
      flood(h2, () -> h2.priority(1));

      assertThat(h2.goAway().get(5, TimeUnit.SECONDS)).isEqualTo(ENHANCE_YOUR_CALM);
    }
    assertNoWarningLogged();
  }

  @Test
  void servesAClientThatPingsWithinTheLimit() throws Exception {
    start("limits:\n  http2-max-control-frames-per-window: 100\n");

    try (RawH2Client h2 = connect()) {
      for (int i = 0; i < 90; i++) {
        h2.ping(i);
      }
      h2.flush();

      assertStillServes(h2, 1);
      assertThat(h2.goAway()).isNotDone();
    }
  }

  @Test
  void endsTheConnectionOfAClientThatProvokesResetAfterReset() throws Exception {
    start("limits:\n  http2-max-resets-per-window: 50\n");

    try (RawH2Client h2 = connect()) {
      // A few more malformed streams than the limit, then nothing: a client still writing when
      // the gateway closes would get a TCP reset that can discard the GOAWAY before it is read.
      for (int stream = 1; stream < 2 * 60 && !h2.goAway().isDone(); stream += 2) {
        try {
          h2.headers(stream, true, ":method", "GET", ":scheme", "http", ":authority", "a").flush();
        } catch (IOException e) {
          break; // the gateway closed the connection
        }
      }

      assertEnded(h2, ENHANCE_YOUR_CALM);
      assertThat(h2.resetsReceived()).isBetween(50, 60);
    }
    assertNoWarningLogged();
  }

  private interface FrameWriter {
    void write() throws IOException;
  }

  /** Writes frames until the gateway sends GOAWAY or closes (at most 200,000); how many were. */
  private static int flood(RawH2Client h2, FrameWriter frame) {
    int sent = 0;
    try {
      while (sent < 200_000 && !h2.goAway().isDone()) {
        for (int i = 0; i < 100; i++) {
          frame.write();
          sent++;
        }
        h2.flush();
      }
    } catch (IOException e) {
      // the gateway closed the connection under our feet: expected
    }
    return sent;
  }
}
