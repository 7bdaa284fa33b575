package io.portico.proxy;

import static io.portico.testing.FrameLogH2Client.DATA;
import static io.portico.testing.FrameLogH2Client.HEADERS;
import static io.portico.testing.FrameLogH2Client.RST_STREAM;
import static io.portico.testing.FrameLogH2Client.WINDOW_UPDATE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Settings;
import io.portico.testing.FrameLogH2Client;
import io.portico.testing.FrameLogH2Client.Frame;
import io.portico.testing.GatewayFixture;
import io.portico.testing.TestOrigin;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The frames the gateway sends an HTTP/2 client, as Netty's HTTP/2 client receives them: the
 * receive windows it grants, a HEAD response ended on its HEADERS frame, and how a stream ends
 * early: NO_ERROR once its response is complete while the client is still sending (RFC 9113 section
 * 8.1), CANCEL when the response was cut short.
 */
class Http2ClientFramesTest {

  private TestOrigin origin;
  private GatewayFixture gw;

  @AfterEach
  void stop() throws Exception {
    if (gw != null) {
      gw.close();
    }
    if (origin != null) {
      origin.close();
    }
  }

  private void start(String limits) throws Exception {
    origin = TestOrigin.start();
    gw =
        GatewayFixture.start(
            limits
                + """
                services:
                  - name: backend
                    targets: [ "%s" ]
                routes:
                  - name: api
                    paths: [ "/hello", "/count", "/half" ]
                    service: backend
                """
                    .formatted(origin.authority()));
  }

  private String authority() {
    return "127.0.0.1:" + gw.port();
  }

  private static List<Frame> awaitEnd(FrameLogH2Client client, int streamId) {
    await().atMost(Duration.ofSeconds(10)).until(() -> client.ended(streamId));
    return client.frames(streamId);
  }

  @Test
  void theConnectionWindowIsOneMebibyteAndStreamsKeepHttp2sDefault() throws Exception {
    start("");
    try (FrameLogH2Client client = FrameLogH2Client.connect(gw.address())) {
      await().atMost(Duration.ofSeconds(10)).until(() -> !client.frames(0).isEmpty());
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> client.frames(0).stream().anyMatch(f -> f.type() == WINDOW_UPDATE));

      Http2Settings settings = client.settings().get(0);
      assertThat(settings.initialWindowSize()).isNull();
      List<Frame> connection = client.frames(0);
      // SETTINGS first, as the preface requires, then one WINDOW_UPDATE up to 1 MiB.
      assertThat(connection.get(0).type()).isEqualTo(FrameLogH2Client.SETTINGS);
      assertThat(connection.stream().filter(f -> f.type() == WINDOW_UPDATE).toList())
          .containsExactly(new Frame(WINDOW_UPDATE, 0, false, 1024 * 1024 - 65_535));
    }
  }

  @Test
  void theWindowsAreTheConfiguredOnesAndABodyLargerThanHttp2sDefaultPasses() throws Exception {
    start(
        """
        limits:
          http2-stream-window: 256k
          http2-connection-window: 4MiB
        """);
    try (FrameLogH2Client client = FrameLogH2Client.connect(gw.address())) {
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> client.frames(0).stream().anyMatch(f -> f.type() == WINDOW_UPDATE));
      assertThat(client.settings().get(0).initialWindowSize()).isEqualTo(256 * 1024);
      assertThat(client.frames(0).stream().filter(f -> f.type() == WINDOW_UPDATE).toList())
          .containsExactly(new Frame(WINDOW_UPDATE, 0, false, 4 * 1024 * 1024 - 65_535));

      client.headers(3, FrameLogH2Client.head("POST", "/count", authority()), false);
      byte[] piece = new byte[16 * 1024];
      for (int i = 0; i < 63; i++) {
        client.data(3, piece, false);
      }
      client.data(3, piece, true);

      // The origin counts what it received: 1048576, seven bytes.
      List<Frame> frames = awaitEnd(client, 3);
      assertThat(frames.stream().filter(f -> f.type() != WINDOW_UPDATE))
          .containsExactly(new Frame(HEADERS, 3, false, 200), new Frame(DATA, 3, true, 7));
      assertThat(origin.lastRequest().uri()).isEqualTo("/count");
    }
  }

  @Test
  void aHeadResponseEndsTheStreamOnItsHeadersFrame() throws Exception {
    start("");
    try (FrameLogH2Client client = FrameLogH2Client.connect(gw.address())) {
      client.headers(3, FrameLogH2Client.head("HEAD", "/hello", authority()), true);
      client.headers(5, FrameLogH2Client.head("GET", "/hello", authority()), true);

      assertThat(awaitEnd(client, 3)).containsExactly(new Frame(HEADERS, 3, true, 200));
      // The same resource by GET: HEADERS, then its 13 bytes ending the stream.
      assertThat(awaitEnd(client, 5))
          .containsExactly(new Frame(HEADERS, 5, false, 200), new Frame(DATA, 5, true, 13));
    }
  }

  @Test
  void aHeadAnswerOfTheGatewayEndsTheStreamOnItsHeadersFrame() throws Exception {
    start("");
    try (FrameLogH2Client client = FrameLogH2Client.connect(gw.address())) {
      client.headers(3, FrameLogH2Client.head("HEAD", "/nowhere", authority()), true);

      assertThat(awaitEnd(client, 3)).containsExactly(new Frame(HEADERS, 3, true, 404));
    }
  }

  @Test
  void anAnswerBeforeTheRequestEndedIsCompleteThenTheStreamIsReset() throws Exception {
    start("");
    try (FrameLogH2Client client = FrameLogH2Client.connect(gw.address())) {
      client.headers(3, FrameLogH2Client.head("POST", "/nowhere", authority()), false);
      client.data(3, new byte[100], false);

      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> client.frames(3).stream().anyMatch(f -> f.type() == RST_STREAM));
      List<Frame> frames = client.frames(3);
      assertThat(frames.get(0)).isEqualTo(new Frame(HEADERS, 3, false, 404));
      Frame last = frames.get(frames.size() - 1);
      assertThat(last.type()).isEqualTo(RST_STREAM);
      assertThat(FrameLogH2Client.errorName(last.value())).isEqualTo(Http2Error.NO_ERROR.name());
      assertThat(frames.get(frames.size() - 2).endStream()).isTrue();
    }
  }

  @Test
  void aResponseCutShortIsCancelled() throws Exception {
    start("");
    try (FrameLogH2Client client = FrameLogH2Client.connect(gw.address())) {
      // The origin promises 1,000 bytes, sends 100 and closes.
      client.headers(3, FrameLogH2Client.head("GET", "/half", authority()), true);

      List<Frame> frames = awaitEnd(client, 3);
      assertThat(frames.get(0)).isEqualTo(new Frame(HEADERS, 3, false, 200));
      assertThat(frames).noneMatch(Frame::endStream);
      Frame last = frames.get(frames.size() - 1);
      assertThat(last.type()).isEqualTo(RST_STREAM);
      assertThat(FrameLogH2Client.errorName(last.value())).isEqualTo(Http2Error.CANCEL.name());
    }
  }
}
