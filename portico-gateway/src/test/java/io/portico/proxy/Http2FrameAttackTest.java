package io.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.handler.codec.http2.Http2Error;
import io.portico.testing.Cleanup;
import io.portico.testing.GatewayFixture;
import io.portico.testing.LogCapture;
import io.portico.testing.OriginPerTest;
import io.portico.testing.RawH2Client;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Frames an attacker writes by hand over h2c that break RFC 9113's frame and stream rules: frames
 * on stream 0 that belong to a stream and the reverse, even and idle stream identifiers, oversized
 * frames, flow-control windows pushed past 2^31-1 or moved by zero, DATA on streams that are closed
 * or half-closed, streams beyond {@code SETTINGS_MAX_CONCURRENT_STREAMS}, empty DATA and
 * CONTINUATION floods. Each gets the error code the RFC names, on the stream or the connection as
 * it says; a stream error leaves the connection serving, and nothing of a refused stream reaches
 * the origin.
 */
class Http2FrameAttackTest {

  private static final int DATA = 0x0;
  private static final int HEADERS = 0x1;
  private static final int PRIORITY = 0x2;
  private static final int RST_STREAM = 0x3;
  private static final int SETTINGS = 0x4;
  private static final int PING = 0x6;
  private static final long PROTOCOL_ERROR = Http2Error.PROTOCOL_ERROR.code();
  private static final long FLOW_CONTROL_ERROR = Http2Error.FLOW_CONTROL_ERROR.code();
  private static final long STREAM_CLOSED = Http2Error.STREAM_CLOSED.code();
  private static final long FRAME_SIZE_ERROR = Http2Error.FRAME_SIZE_ERROR.code();
  private static final long REFUSED_STREAM = Http2Error.REFUSED_STREAM.code();
  private static final long ENHANCE_YOUR_CALM = Http2Error.ENHANCE_YOUR_CALM.code();

  @RegisterExtension final OriginPerTest env = new OriginPerTest();
  private GatewayFixture gw;
  private LogCapture log;

  @BeforeEach
  void capture() {
    log = LogCapture.capture();
  }

  @AfterEach
  void stop() throws Exception {
    Cleanup.close(log);
  }

  private void start(String extra) throws Exception {
    gw = env.start(GatewayFixture.proxyAllTo(env.origin().authority()) + extra);
  }

  private String authority() {
    return "127.0.0.1:" + gw.port();
  }

  private RawH2Client connect() throws IOException {
    RawH2Client h2 = new RawH2Client(gw.address());
    h2.preface().flush();
    return h2;
  }

  private void assertServes(RawH2Client h2, int streamId) throws Exception {
    h2.get(streamId, "/hello", authority()).flush();
    assertThat(h2.responseBody(streamId).get(5, TimeUnit.SECONDS)).isEqualTo("Hello, World!");
  }

  private static void assertEnded(RawH2Client h2, long error) throws Exception {
    assertThat(h2.goAway().get(5, TimeUnit.SECONDS)).isEqualTo(error);
    h2.closed().get(5, TimeUnit.SECONDS);
  }

  /** A violation of the connection's rules: GOAWAY {@code error}, and a new connection serves. */
  private void assertConnectionError(FrameWriter frames, long error) throws Exception {
    try (RawH2Client h2 = connect()) {
      frames.write(h2);
      h2.flush();
      assertEnded(h2, error);
    }
    try (RawH2Client other = connect()) {
      assertServes(other, 1);
    }
    assertThat(log.warnings()).isEmpty();
  }

  private static byte[] bytes(int n) {
    return new byte[n];
  }

  private interface FrameWriter {
    void write(RawH2Client h2) throws IOException;
  }

  // ---------------------------------------------------------------- stream 0 and identifiers

  @Test
  void dataOnStreamZeroIsAConnectionError() throws Exception {
    start("");
    assertConnectionError(h2 -> h2.frame(DATA, 0, 0, bytes(4)), PROTOCOL_ERROR);
    assertThat(env.origin().requestCount()).isEqualTo(1);
  }

  @Test
  void headersOnStreamZeroIsAConnectionError() throws Exception {
    start("");
    assertConnectionError(
        h2 -> h2.frame(HEADERS, 0x5, 0, RawH2Client.block(":method", "GET")), PROTOCOL_ERROR);
  }

  @Test
  void resetOfStreamZeroIsAConnectionError() throws Exception {
    start("");
    assertConnectionError(
        h2 -> h2.frame(RST_STREAM, 0, 0, new byte[] {0, 0, 0, 8}), PROTOCOL_ERROR);
  }

  @Test
  void pingOrSettingsOnAStreamIsAConnectionError() throws Exception {
    start("");
    assertConnectionError(h2 -> h2.frame(PING, 0, 1, bytes(8)), PROTOCOL_ERROR);
    assertConnectionError(h2 -> h2.frame(SETTINGS, 0, 1, bytes(0)), PROTOCOL_ERROR);
  }

  @Test
  void anEvenStreamIdentifierIsAConnectionError() throws Exception {
    start("");
    assertConnectionError(h2 -> h2.get(2, "/hello", authority()), PROTOCOL_ERROR);
    assertThat(env.origin().requestCount()).isEqualTo(1);
  }

  @Test
  void dataOnAStreamNeverOpenedIsAConnectionError() throws Exception {
    start("");
    assertConnectionError(h2 -> h2.data(5, bytes(3), true), PROTOCOL_ERROR);
  }

  @Test
  void continuationWithoutHeadersIsAConnectionError() throws Exception {
    start("");
    assertConnectionError(
        h2 -> h2.continuation(1, RawH2Client.block("x-a", "1"), true), PROTOCOL_ERROR);
  }

  // ---------------------------------------------------------------- frame sizes

  @Test
  void aFrameLargerThanMaxFrameSizeIsAConnectionError() throws Exception {
    start("");
    assertConnectionError(
        h2 -> h2.post(1, "/count", authority()).data(1, bytes(16_385), true), FRAME_SIZE_ERROR);
    // The head may already be on its way upstream when the oversized DATA frame is read (the body
    // streams); the upstream request is then cut, so no whole POST ever reaches the origin.
    assertThat(env.origin().wholeRequests())
        .noneMatch(r -> r.uri().equals("/count") && r.method().name().equals("POST"));
  }

  @Test
  void aPingOfTheWrongLengthIsAConnectionError() throws Exception {
    start("");
    assertConnectionError(h2 -> h2.frame(PING, 0, 0, bytes(7)), FRAME_SIZE_ERROR);
  }

  // ---------------------------------------------------------------- flow control

  @Test
  void aConnectionWindowPastTheMaximumIsAConnectionError() throws Exception {
    start("");
    assertConnectionError(h2 -> h2.windowUpdate(0, 0x7fff_ffffL), FLOW_CONTROL_ERROR);
  }

  @Test
  void aZeroIncrementOnTheConnectionIsAConnectionError() throws Exception {
    start("");
    assertConnectionError(h2 -> h2.windowUpdate(0, 0), PROTOCOL_ERROR);
  }

  @Test
  void aStreamWindowPastTheMaximumResetsOnlyThatStream() throws Exception {
    start("");
    try (RawH2Client h2 = connect()) {
      h2.post(1, "/count", authority()).windowUpdate(1, 0x7fff_ffffL).flush();

      assertThat(h2.resetOf(1).get(5, TimeUnit.SECONDS)).isEqualTo(FLOW_CONTROL_ERROR);
      assertServes(h2, 3);
      assertThat(h2.goAway()).isNotDone();
    }
    assertThat(log.warnings()).isEmpty();
  }

  @Test
  void aZeroIncrementOnAStreamResetsOnlyThatStream() throws Exception {
    start("");
    try (RawH2Client h2 = connect()) {
      h2.post(1, "/count", authority()).windowUpdate(1, 0).flush();

      assertThat(h2.resetOf(1).get(5, TimeUnit.SECONDS)).isEqualTo(PROTOCOL_ERROR);
      assertServes(h2, 3);
    }
    assertThat(log.warnings()).isEmpty();
  }

  // ---------------------------------------------------------------- closed streams

  @Test
  void dataOnAHalfClosedStreamResetsItWithStreamClosed() throws Exception {
    start("");
    try (RawH2Client h2 = connect()) {
      // The response takes two seconds to end: the stream is half-closed (remote) meanwhile.
      h2.get(1, "/slow-body/2000", authority())
          .data(1, "smuggled".getBytes(StandardCharsets.US_ASCII), true)
          .flush();

      assertThat(h2.resetOf(1).get(5, TimeUnit.SECONDS)).isEqualTo(STREAM_CLOSED);
      assertServes(h2, 3);
    }
    assertThat(env.origin().requests())
        .filteredOn(r -> r.uri().startsWith("/slow-body"))
        .allMatch(r -> !r.headers().contains("content-length"));
    assertThat(log.warnings()).isEmpty();
  }

  @Test
  void dataOnAStreamThatEndedIsAStreamClosedError() throws Exception {
    start("");
    try (RawH2Client h2 = connect()) {
      assertServes(h2, 1);
      h2.data(1, "late".getBytes(StandardCharsets.US_ASCII), true).flush();

      // RFC 9113 5.1: a stream error, or a connection error, both STREAM_CLOSED.
      long code = h2.resetOf(1).applyToEither(h2.goAway(), c -> c).get(5, TimeUnit.SECONDS);
      assertThat(code).isEqualTo(STREAM_CLOSED);
    }
    assertThat(env.origin().requestCount()).isEqualTo(1);
    assertThat(log.warnings()).isEmpty();
  }

  // ---------------------------------------------------------------- concurrency and floods

  @ParameterizedTest(name = "SETTINGS acknowledged: {0}")
  @ValueSource(booleans = {true, false})
  void refusesAStreamBeyondMaxConcurrentStreamsAndServesTheOthers(boolean acknowledged)
      throws Exception {
    start("limits:\n  http2-max-concurrent-streams: 2\n");
    try (RawH2Client h2 = connect()) {
      if (acknowledged) {
        h2.serverSettings().get(5, TimeUnit.SECONDS);
        h2.settingsAck().ping(1).flush();
        await().atMost(Duration.ofSeconds(5)).until(() -> h2.pingAcks() == 1);
      }
      h2.post(1, "/count", authority()).post(3, "/count", authority()).flush();
      // A client that opens a stream with its body in one write, as if it had not yet read the
      // SETTINGS: the stream is refused, and its DATA, on a stream now closed, only reset again.
      h2.post(5, "/count", authority()).data(5, bytes(5), true).flush();

      assertThat(h2.resetOf(5).get(5, TimeUnit.SECONDS)).isEqualTo(REFUSED_STREAM);
      h2.data(1, bytes(1), true).data(3, bytes(3), true).flush();
      assertThat(h2.responseBody(1).get(5, TimeUnit.SECONDS)).isEqualTo("1");
      assertThat(h2.responseBody(3).get(5, TimeUnit.SECONDS)).isEqualTo("3");
      assertServes(h2, 7);
      assertThat(h2.goAway()).isNotDone();
    }
    assertThat(env.origin().requests()).filteredOn(r -> r.uri().equals("/count")).hasSize(2);
    assertThat(log.warnings()).isEmpty();
  }

  @Test
  void endsTheConnectionOfAClientThatKeepsOpeningStreamsOverTheLimit() throws Exception {
    start("limits:\n  http2-max-concurrent-streams: 1\n  http2-max-resets-per-window: 20\n");
    try (RawH2Client h2 = connect()) {
      h2.post(1, "/count", authority()).flush();
      try {
        for (int stream = 3; stream < 2 * 200 && !h2.goAway().isDone(); stream += 2) {
          h2.get(stream, "/hello", authority()).flush();
        }
      } catch (IOException e) {
        // the gateway closed the connection
      }

      assertEnded(h2, ENHANCE_YOUR_CALM);
      assertThat(h2.resetsReceived()).isBetween(20, 30);
    }
    assertThat(env.origin().requests()).noneMatch(r -> r.uri().equals("/hello"));
    assertThat(log.warnings()).isEmpty();
  }

  @Test
  void endsAnEmptyDataFloodWithEnhanceYourCalm() throws Exception {
    start("");
    try (RawH2Client h2 = connect()) {
      h2.post(1, "/count", authority());
      for (int i = 0; i < 1000 && !h2.goAway().isDone(); i++) {
        try {
          h2.data(1, bytes(0), false).flush();
        } catch (IOException e) {
          break;
        }
      }
      assertEnded(h2, ENHANCE_YOUR_CALM);
    }
    assertThat(log.warnings()).isEmpty();
  }

  @Test
  void endsAClientRapidResetFloodWithEnhanceYourCalm() throws Exception {
    start("limits:\n  http2-max-resets-per-window: 50\n");
    try (RawH2Client h2 = connect()) {
      int stream = 1;
      try {
        for (; stream < 2 * 1000 && !h2.goAway().isDone(); stream += 2) {
          h2.get(stream, "/slow-body/5000", authority()).reset(stream).flush();
        }
      } catch (IOException e) {
        // the gateway closed the connection
      }
      assertEnded(h2, ENHANCE_YOUR_CALM);
    }
    // Of the 1000 streams written, the gateway started at most those before the limit tripped.
    assertThat(env.origin().requestCount()).isLessThanOrEqualTo(60);
    try (RawH2Client other = connect()) {
      assertServes(other, 1);
    }
    assertThat(log.warnings()).isEmpty();
  }

  @Test
  void endsAnEndlessHeaderBlockBeforeItGrowsPastTheHeaderLimit() throws Exception {
    start("limits:\n  max-header-size: 16k\n");
    long written = 0;
    try (RawH2Client h2 = connect()) {
      // Frames near the largest size, so that the limit on small CONTINUATION frames is not the one
      // that trips: the header list size is.
      byte[] fragment = RawH2Client.block("x-filler", "v".repeat(15_000));
      h2.frame(HEADERS, 0, 1, RawH2Client.block(":method", "GET", ":scheme", "http"));
      try {
        while (written < 64L * 1024 * 1024 && !h2.goAway().isDone()) {
          h2.continuation(1, fragment, false).flush();
          written += fragment.length;
        }
      } catch (IOException e) {
        // the gateway closed the connection
      }
      long code = h2.goAway().get(5, TimeUnit.SECONDS);
      assertThat(code).isEqualTo(PROTOCOL_ERROR);
    }
    assertThat(written).isLessThan(64L * 1024 * 1024);
    assertThat(env.origin().requestCount()).isZero();
    assertThat(log.warnings()).isEmpty();
  }

  @Test
  void endsAFloodOfEmptyContinuationFrames() throws Exception {
    start("");
    int sent = 0;
    try (RawH2Client h2 = connect()) {
      h2.frame(HEADERS, 0, 1, RawH2Client.block(":method", "GET", ":scheme", "http"));
      try {
        while (sent < 1_000_000 && !h2.goAway().isDone()) {
          for (int i = 0; i < 100; i++) {
            h2.continuation(1, bytes(0), false);
            sent++;
          }
          h2.flush();
        }
      } catch (IOException e) {
        // the gateway closed the connection
      }
      assertThat(h2.goAway().get(5, TimeUnit.SECONDS)).isIn(PROTOCOL_ERROR, ENHANCE_YOUR_CALM);
    }
    assertThat(sent).isLessThan(1_000_000);
    assertThat(env.origin().requestCount()).isZero();
    assertThat(log.warnings()).isEmpty();
  }

  @Test
  void refusesAHeaderTableSizeAboveTheAdvertisedOne() throws Exception {
    start("");
    // A dynamic table size update (001xxxxx) to 2^20, above SETTINGS_HEADER_TABLE_SIZE 4096.
    byte[] update = {0x3f, (byte) 0xe1, (byte) 0xff, 0x3f};
    assertConnectionError(
        h2 -> h2.frame(HEADERS, 0x5, 1, update), Http2Error.COMPRESSION_ERROR.code());
    assertThat(env.origin().requestCount()).isEqualTo(1);
  }

  @Test
  void aPriorityOnStreamZeroIsAConnectionError() throws Exception {
    start("");
    assertConnectionError(
        h2 -> h2.frame(PRIORITY, 0, 0, new byte[] {0, 0, 0, 1, 15}), PROTOCOL_ERROR);
  }

  @Test
  void aStreamThatDependsOnItselfIsReset() throws Exception {
    start("");
    try (RawH2Client h2 = connect()) {
      h2.post(1, "/count", authority()).frame(PRIORITY, 0, 1, new byte[] {0, 0, 0, 1, 15}).flush();

      assertThat(h2.resetOf(1).get(5, TimeUnit.SECONDS)).isEqualTo(PROTOCOL_ERROR);
      assertServes(h2, 3);
    }
    assertThat(log.warnings()).isEmpty();
  }

  @Test
  void refusesAHeaderListThatHpackInflatesPastTheLimit() throws Exception {
    start("limits:\n  max-header-size: 16k\n");
    // One 4 KB field into the dynamic table, then 2000 one-byte references to it: 8 MB decoded.
    java.io.ByteArrayOutputStream bomb = new java.io.ByteArrayOutputStream();
    bomb.writeBytes(RawH2Client.block(":method", "GET", ":scheme", "http", ":path", "/hello"));
    bomb.writeBytes(RawH2Client.block(":authority", "a"));
    byte[] field = RawH2Client.block("x-bomb", "b".repeat(4000));
    field[0] = 0x40; // literal with incremental indexing, new name
    bomb.writeBytes(field);
    for (int i = 0; i < 2000; i++) {
      bomb.write(0x80 | 62); // indexed: the first entry of the dynamic table
    }
    byte[] block = bomb.toByteArray();
    try (RawH2Client h2 = connect()) {
      h2.frame(HEADERS, 0x5, 1, block).flush();

      String outcome =
          h2.resetOf(1)
              .thenApply(code -> "reset " + code)
              .applyToEither(h2.status(1), s -> s)
              .applyToEither(h2.goAway().thenApply(code -> "goaway " + code), s -> s)
              .get(5, TimeUnit.SECONDS);
      assertThat(outcome).isEqualTo("431");
    }
    try (RawH2Client other = connect()) {
      assertServes(other, 1);
    }
    assertThat(env.origin().requestCount()).isEqualTo(1);
    assertThat(log.warnings()).isEmpty();
  }
}
