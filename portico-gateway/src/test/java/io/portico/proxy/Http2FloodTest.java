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
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Floods of frames that flow control does not bound, written by hand over h2c: request bodies sent
 * a byte or nothing per DATA frame, and WINDOW_UPDATE frames beyond the DATA the gateway sent. Each
 * ends its connection with GOAWAY {@code ENHANCE_YOUR_CALM} while a new connection is served; the
 * same frames at the sizes and rates real clients use (gRPC-sized DATA, a window update for every
 * DATA frame received) are served. And a stream the upstream cut short, reset by the gateway, is
 * not a reset the client can be blamed for: it does not count against the connection's budget.
 */
class Http2FloodTest {

  private static final long ENHANCE_YOUR_CALM = Http2Error.ENHANCE_YOUR_CALM.code();
  private static final long CANCEL = Http2Error.CANCEL.code();

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

  /**
   * GOAWAY ENHANCE_YOUR_CALM and close; a new connection is served, and the gateway logged no
   * warning (the test origin may: the upstream connection of a call cut short is closed under it).
   */
  private void assertCalmedAndOthersServed(RawH2Client h2) throws Exception {
    assertThat(h2.goAway().get(5, TimeUnit.SECONDS)).isEqualTo(ENHANCE_YOUR_CALM);
    h2.closed().get(5, TimeUnit.SECONDS);
    try (RawH2Client other = connect()) {
      assertServes(other, 1);
    }
    assertThat(log.warnings()).noneMatch(w -> w.contains(" io.portico."));
  }

  /** Writes {@code frames} DATA frames on stream 1, stopping early once the gateway went away. */
  private static void dribble(RawH2Client h2, int frames, FrameSize size) {
    try {
      for (int i = 0; i < frames && !h2.goAway().isDone(); i++) {
        h2.data(1, new byte[size.of(i)], false);
        if (i % 100 == 99) {
          h2.flush();
        }
      }
      h2.flush();
    } catch (IOException e) {
      // the gateway closed the connection
    }
  }

  private interface FrameSize {
    int of(int frame);
  }

  @Test
  void endsABodySentAByteAFrame() throws Exception {
    start("");
    try (RawH2Client h2 = connect()) {
      h2.post(1, "/count", authority());
      dribble(h2, 3 * Http2FrameGuard.MAX_TINY_DATA_FRAMES, i -> 1);
      assertCalmedAndOthersServed(h2);
    }
  }

  @Test
  void endsEmptyDataFramesThatOneByteFramesSeparate() throws Exception {
    // The codec counts empty DATA frames in a row only; one byte between them restarts its count.
    start("");
    try (RawH2Client h2 = connect()) {
      h2.post(1, "/count", authority());
      dribble(h2, 3 * Http2FrameGuard.MAX_TINY_DATA_FRAMES, i -> i % 2);
      assertCalmedAndOthersServed(h2);
    }
  }

  @Test
  void servesABodyInFramesTheSizeOfAGrpcMessagePrefix() throws Exception {
    start("");
    int frames = 3 * Http2FrameGuard.MAX_TINY_DATA_FRAMES;
    try (RawH2Client h2 = connect()) {
      h2.post(1, "/count", authority());
      dribble(h2, frames, i -> Http2FrameGuard.TINY_DATA_BYTES);
      h2.data(1, new byte[0], true).flush();
      assertThat(h2.responseBody(1).get(10, TimeUnit.SECONDS))
          .isEqualTo(String.valueOf(frames * Http2FrameGuard.TINY_DATA_BYTES));
      assertThat(h2.goAway()).isNotDone();
      assertServes(h2, 3);
    }
  }

  @Test
  void endsAFloodOfOneByteWindowUpdates() throws Exception {
    start("");
    try (RawH2Client h2 = connect()) {
      h2.get(1, "/slow-body/5000", authority()).flush();
      try {
        for (int i = 0; i < 1000 && !h2.goAway().isDone(); i++) {
          h2.windowUpdate(0, 1).windowUpdate(1, 1);
        }
        h2.flush();
      } catch (IOException e) {
        // the gateway closed the connection
      }
      assertCalmedAndOthersServed(h2);
    }
  }

  @Test
  void endsOneByteWindowUpdatesThatDribbleOutAResponse() throws Exception {
    start("");
    try (RawH2Client h2 = connect()) {
      h2.get(1, "/download?bytes=" + (256 * 1024), authority()).flush();
      await().atMost(Duration.ofSeconds(5)).until(() -> h2.bytesReceived(1) >= 65_535);
      try {
        for (int i = 0; i < 100_000 && !h2.goAway().isDone(); i++) {
          h2.windowUpdate(0, 1).windowUpdate(1, 1);
          if (i % 100 == 99) {
            h2.flush();
          }
        }
      } catch (IOException e) {
        // the gateway closed the connection
      }
      assertCalmedAndOthersServed(h2);
      // Far fewer bytes than the 100,000 granted a byte at a time.
      assertThat(h2.bytesReceived(1)).isLessThan(65_535 + 50_000);
    }
  }

  @Test
  void servesAClientThatUpdatesBothWindowsForEveryFrameReceived() throws Exception {
    start("");
    int total = 1024 * 1024;
    int frame = 16_384;
    try (RawH2Client h2 = connect()) {
      h2.get(1, "/download?bytes=" + total, authority()).flush();
      for (int taken = frame; taken <= total; taken += frame) {
        int until = taken;
        await().atMost(Duration.ofSeconds(10)).until(() -> h2.bytesReceived(1) >= until);
        h2.windowUpdate(1, frame).windowUpdate(0, frame).flush();
      }
      assertThat(h2.responseBody(1).get(10, TimeUnit.SECONDS)).hasSize(total);
      assertThat(h2.goAway()).isNotDone();
      assertServes(h2, 3);
    }
    assertThat(log.warnings()).isEmpty();
  }

  @Test
  void servesAClientThatPingsForEveryFrameOfADownload() throws Exception {
    // gRPC clients measure the bandwidth with a PING per DATA frame read (BDP pings): 64 frames
    // and 64 PINGs, over a budget of 20 control frames, are not a flood.
    start("limits:\n  http2-max-control-frames-per-window: 20\n");
    int total = 1024 * 1024;
    int frame = 16_384;
    try (RawH2Client h2 = connect()) {
      h2.get(1, "/download?bytes=" + total, authority()).flush();
      int pings = 0;
      for (int taken = frame; taken <= total; taken += frame) {
        int until = taken;
        await().atMost(Duration.ofSeconds(10)).until(() -> h2.bytesReceived(1) >= until);
        h2.ping(++pings).windowUpdate(1, frame).windowUpdate(0, frame).flush();
      }
      assertThat(h2.responseBody(1).get(10, TimeUnit.SECONDS)).hasSize(total);
      int sent = pings;
      await().atMost(Duration.ofSeconds(10)).until(() -> h2.pingAcks() >= sent);
      assertThat(h2.goAway()).isNotDone();
      assertServes(h2, 3);
    }
  }

  @Test
  void endsPingsBeyondTheDataFramesSentAndTheBudget() throws Exception {
    start("limits:\n  http2-max-control-frames-per-window: 20\n");
    try (RawH2Client h2 = connect()) {
      assertServes(h2, 1);
      for (int i = 0; i < 40 && !h2.goAway().isDone(); i++) {
        h2.ping(i).flush();
      }
      assertCalmedAndOthersServed(h2);
    }
  }

  @Test
  void streamsTheUpstreamCutShortDoNotCountAsResetsOfTheClient() throws Exception {
    // The gateway's CANCEL answers the upstream's failure, not anything the client did: were it
    // counted, a flapping upstream would end the connections of its well-behaved clients.
    start("limits:\n  http2-max-resets-per-window: 3\n");
    try (RawH2Client h2 = connect()) {
      int stream = 1;
      for (int i = 0; i < 10; i++, stream += 2) {
        h2.get(stream, "/half", authority()).flush();
        assertThat(h2.resetOf(stream).get(5, TimeUnit.SECONDS)).isEqualTo(CANCEL);
      }
      assertServes(h2, stream);
      assertThat(h2.goAway()).isNotDone();
    }
  }
}
